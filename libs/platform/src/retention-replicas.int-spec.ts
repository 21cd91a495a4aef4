import { INestApplicationContext, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { serviceDataSourceOptions } from '@connector/persistence';
import { TestEnvironment, waitFor } from '@connector/test-environment';
import { loadSettings, ServiceSettings } from './config';
import { RetentionModule, RetentionTask } from './retention';
import { SettingsModule } from './service-client.module';

/** What every replica's retention task saw, across both replicas of the test. */
const runs = { active: 0, most: 0, done: 0, byReplica: new Map<DataSource, number>() };

/** A retention task whose work takes a moment on the database (as forgetting many rows does). */
@Injectable()
class SlowForgetting implements RetentionTask {
  readonly what = 'test rows';
  constructor(private readonly db: DataSource) {}
  async forget(): Promise<number> {
    runs.active++;
    runs.most = Math.max(runs.most, runs.active);
    try {
      await this.db.query('select pg_sleep(0.2)');
    } finally {
      runs.active--;
      runs.done++;
      runs.byReplica.set(this.db, (runs.byReplica.get(this.db) ?? 0) + 1);
    }
    return 0;
  }
}

/** Two replicas of a service, each running personal-data retention on a short clock. */
describe('personal-data retention with two replicas', () => {
  const env = new TestEnvironment();
  const replicas: INestApplicationContext[] = [];

  beforeAll(async () => {
    await env.setUp();
  });

  afterAll(async () => {
    await Promise.all(replicas.map((app) => app.close()));
    await env.tearDown();
  });

  it('never runs on both at once', async () => {
    const settings = loadSettings(ServiceSettings, { DATABASE_URL: env.databaseUrl, RETENTION_INTERVAL_SECONDS: '0.05' });
    @Module({
      imports: [
        SettingsModule.forRoot(settings),
        TypeOrmModule.forRoot(serviceDataSourceOptions({ database: settings, schema: 'retention', entities: [], migrations: [] })),
        RetentionModule.forTasks([SlowForgetting]),
      ],
    })
    class ReplicaModule {}
    // Both start together, so both first runs are due at the same moment.
    replicas.push(...(await Promise.all([0, 1].map(() => NestFactory.createApplicationContext(ReplicaModule, { logger: false })))));

    await waitFor(() => runs.done >= 12, { timeoutMs: 60_000, what: 'a dozen retention runs' });
    expect(runs.most).toBe(1);
  }, 90_000);
});
