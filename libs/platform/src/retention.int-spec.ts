import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS, ParkedEventsRetention } from '@connector/messaging';
import { runMigrations, serviceDataSourceOptions } from '@connector/persistence';
import { PostgresCluster, waitFor } from '@connector/test-environment';
import { loadSettings, ServiceSettings } from './config';
import { RetentionModule } from './retention';
import { SettingsModule } from './service-client.module';

/**
 * The retention loop on a PostgreSQL of its own that crashes mid-way: runs fail while it is
 * gone (said in the log), and the loop goes on forgetting once it is back. Nothing is lost:
 * forgetting is a statement per run, done in full or not at all.
 */
describe('personal-data retention survives PostgreSQL going away and coming back', () => {
  let cluster: PostgresCluster;
  let app: INestApplicationContext;
  let db: DataSource;

  beforeAll(async () => {
    cluster = await PostgresCluster.create();
    const settings = loadSettings(ServiceSettings, { DATABASE_URL: cluster.url, DATABASE_CONNECT_TIMEOUT_SECONDS: '1', PERSONAL_DATA_RETENTION_DAYS: '1', RETENTION_INTERVAL_SECONDS: '0.2' });
    const options = serviceDataSourceOptions({ database: settings, schema: 'faults', entities: MESSAGING_ENTITIES, migrations: MESSAGING_MIGRATIONS });
    await runMigrations(options);
    @Module({ imports: [SettingsModule.forRoot(settings), TypeOrmModule.forRoot(options), RetentionModule.forTasks([ParkedEventsRetention])] })
    class FaultModule {}
    app = await NestFactory.createApplicationContext(FaultModule, { logger: false });
    db = app.get(DataSource);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await cluster?.destroy();
  });

  const park = (id: string, daysAgo: number) =>
    db.query(`insert into faults.parked_events (event_id, subject, payload, reason, deliveries, parked_at) values ($1, 's', '{"gift":"for Anna"}', 'r', 1, now() - make_interval(days => $2))`, [id, daysAgo]);
  const parked = async () => (await db.query(`select event_id from faults.parked_events order by event_id`)).map((r: { event_id: string }) => r.event_id);

  it('forgets what is past the period, keeps what is not, before and after a crash of PostgreSQL', async () => {
    await park('old-1', 3);
    await park('recent-1', 0);
    await waitFor(async () => (await parked()).join() === 'recent-1', { what: 'the first old event forgotten' });

    await cluster.crash();
    // Runs fail meanwhile; let several of them.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await cluster.start();

    await waitFor(async () => {
      await park('old-2', 3);
      return true;
    }, { timeoutMs: 30_000, what: 'PostgreSQL back' });
    await waitFor(async () => (await parked()).join() === 'recent-1', { timeoutMs: 30_000, what: 'the old event parked after the crash forgotten' });
  });
});
