import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS, MessagingModule } from '@connector/messaging';
import { runMigrations, serviceDataSourceOptions } from '@connector/persistence';
import { NATS_URL, TestEnvironment } from '@connector/test-environment';
import { HealthIndicators } from './health-indicators';
import { HealthModule, serviceHealthOf } from './health.module';
import { Readiness } from './management/readiness';

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

  it("leaves the service ready when a feature reports a problem: degraded in its readiness and in its NATS answer, from the same assessment", async () => {
    const indicators = app.get(HealthIndicators);
    indicators.register('sync', async () => ({ healthy: false, detail: 'account a-1: no successful sync since the account was created' }));
    indicators.register('slow', () => new Promise(() => undefined));
    const answer = await app.get(Readiness).assess();
    expect(answer).toMatchObject({
      status: 'degraded',
      error: {},
      info: { postgres: { status: 'up' }, parkedEvents: { status: 'up' } },
      degraded: { sync: { status: 'degraded', message: 'account a-1: no successful sync since the account was created' }, slow: { status: 'degraded', message: 'no answer within 2 s' } },
    });
    expect(serviceHealthOf('inventory', answer)).toEqual({
      service: 'inventory',
      status: 'up',
      postgres: 'up',
      nats: 'up',
      degraded: ['sync', 'slow'],
      details: { parkedEvents: expect.stringMatching(/^1 parked/), sync: 'account a-1: no successful sync since the account was created', slow: 'no answer within 2 s' },
    });
  });
});
