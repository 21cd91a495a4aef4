import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS, MessagingModule } from '@connector/messaging';
import { runMigrations, serviceDataSourceOptions } from '@connector/persistence';
import { NATS_URL, TestEnvironment } from '@connector/test-environment';
import { HealthIndicators, HealthModule } from './health.module';

describe('health counts parked events', () => {
  const env = new TestEnvironment();
  let app: INestApplicationContext;

  beforeAll(async () => {
    await env.setUp();
    const options = serviceDataSourceOptions({ database: env.databaseUrl, schema: 'inventory', entities: MESSAGING_ENTITIES, migrations: MESSAGING_MIGRATIONS });
    await runMigrations(options);
    @Module({ imports: [TypeOrmModule.forRoot(options), MessagingModule.forService({ natsUrl: NATS_URL, namespace: env.namespace, serviceName: 'inventory' }), HealthModule.forService('inventory')] })
    class InventoryLike {}
    app = await NestFactory.createApplicationContext(InventoryLike, { logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await env.tearDown();
  });

  it('reports how many wait for a person, and stays healthy', async () => {
    const indicators = app.get(HealthIndicators);
    expect((await indicators.report()).parkedEvents).toEqual({ healthy: true, detail: 'none parked' });
    await env.query(`insert into inventory.parked_events (event_id, subject, payload, reason, deliveries) values ('p-1', 'order.synced.v1', '{}', 'test', 8), ('p-2', 'order.synced.v1', '{}', 'test', 8)`);
    await env.query(`update inventory.parked_events set discarded_at = now() where event_id = 'p-2'`);
    expect((await indicators.report()).parkedEvents).toEqual({ healthy: true, detail: expect.stringMatching(/^1 parked, waiting for a person/) });
  });
});
