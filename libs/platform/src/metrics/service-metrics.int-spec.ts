import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { register } from 'prom-client';
import { MESSAGING_MIGRATIONS } from '@connector/messaging';
import { runMigrations, serviceDataSourceOptions } from '@connector/persistence';
import { ScrapedMetrics, TcpProxy, TestEnvironment } from '@connector/test-environment';
import { processReplica, startProcessMetrics } from '../management';
import { MetricsModule } from './service-metrics.module';
import { SCRAPE_READ_TIMEOUT_MS } from './scrape-time-gauges';

/**
 * The metrics every service with events exports, read from a real PostgreSQL: the outbox, parked
 * events and the pool; and a database that stops answering never stalls a scrape.
 */
describe('MetricsModule: outbox, parked events and pool use at scrape time', () => {
  const env = new TestEnvironment();
  let proxy: TcpProxy;
  let app: INestApplicationContext;
  const scrape = async () => new ScrapedMetrics(await register.metrics());

  beforeAll(async () => {
    await env.setUp();
    const target = new URL(env.databaseUrl);
    proxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
    const options = serviceDataSourceOptions({
      database: { DATABASE_URL: proxy.rewrite(env.databaseUrl), DATABASE_POOL_SIZE: 4, DATABASE_STATEMENT_TIMEOUT_SECONDS: 1, DATABASE_CONNECT_TIMEOUT_SECONDS: 1 },
      schema: 'metrics',
      entities: [],
      migrations: MESSAGING_MIGRATIONS,
    });
    await runMigrations(options);
    startProcessMetrics('inventory');
    @Module({ imports: [TypeOrmModule.forRoot(options), MetricsModule.forService({ events: true, outboxCountCap: 3 })] })
    class MetricsTestModule {}
    app = await NestFactory.createApplicationContext(MetricsTestModule, { logger: false });
    await app.init();
  }, 60_000);

  afterAll(async () => {
    proxy?.resume();
    await app?.close();
    await proxy?.close();
    await env.tearDown();
  });

  it('counts unpublished outbox events, the age of the oldest, and parked events by type', async () => {
    const empty = await scrape();
    expect(empty.sum('connector_outbox_events')).toBe(0);
    expect(empty.sum('connector_outbox_oldest_event_age_seconds')).toBe(0);
    expect(empty.samples('connector_parked_events')).toEqual([]);

    await env.query(
      `insert into metrics.outbox (id, subject, payload, created_at) values
         (gen_random_uuid(), 'order.synced.v1', '{}', now() - interval '90 seconds'),
         (gen_random_uuid(), 'order.synced.v1', '{}', now()),
         (gen_random_uuid(), 'order.canceled.v1', '{}', now())`,
    );
    await env.query(
      `insert into metrics.parked_events (event_id, subject, payload, reason, deliveries) values
         ('e1', 'order.synced.v1', '{}', 'bad', 8), ('e2', 'order.synced.v1', '{}', 'bad', 8), ('e3', 'delivery.validated.v1', '{}', 'bad', 8)`,
    );
    await env.query(`insert into metrics.parked_events (event_id, subject, payload, reason, deliveries, discarded_at) values ('e4', 'order.synced.v1', '{}', 'bad', 8, now())`);
    await new Promise((resolve) => setTimeout(resolve, 200)); // past the reuse of the last reading

    const filled = await scrape();
    expect(filled.sum('connector_outbox_events')).toBe(3);
    expect(filled.sum('connector_outbox_oldest_event_age_seconds')).toBeGreaterThanOrEqual(89);
    expect(filled.sum('connector_outbox_oldest_event_age_seconds')).toBeLessThan(200);
    expect(filled.sum('connector_parked_events', { event_type: 'order.synced.v1' })).toBe(2);
    expect(filled.sum('connector_parked_events', { event_type: 'delivery.validated.v1' })).toBe(1);
    // Every series says its service and its replica (hostname-pid), so two replicas' series stay apart.
    expect(filled.samples('connector_outbox_events')[0].labels).toEqual({ service: 'inventory', replica: processReplica() });
    expect(processReplica()).toMatch(new RegExp(`-${process.pid}$`));
  });

  it("counts the outbox's depth only up to its cap (a large backlog is read in bounded time), while the oldest event's age still moves", async () => {
    await env.query(`insert into metrics.outbox (id, subject, payload) values (gen_random_uuid(), 'order.synced.v1', '{}')`);
    await new Promise((resolve) => setTimeout(resolve, 200)); // past the reuse of the last reading
    const backlog = await scrape();
    // Four unpublished, counted up to the cap of 3 (the test's; OUTBOX_COUNT_CAP in services).
    expect(backlog.sum('connector_outbox_events')).toBe(3);
    // The oldest (first written, 90 s before the previous test's scrape) is read on its own.
    expect(backlog.sum('connector_outbox_oldest_event_age_seconds')).toBeGreaterThanOrEqual(89);
  });

  it('reports the pool: connections, idle ones, waiting queries and its size', async () => {
    const metrics = await scrape();
    expect(metrics.sum('connector_db_pool_max_connections')).toBe(4);
    expect(metrics.sum('connector_db_pool_connections')).toBeGreaterThanOrEqual(1);
    expect(metrics.sum('connector_db_pool_connections')).toBeLessThanOrEqual(4);
    expect(metrics.sum('connector_db_pool_idle_connections')).toBeLessThanOrEqual(metrics.sum('connector_db_pool_connections'));
    expect(metrics.sum('connector_db_pool_waiting_requests')).toBe(0);
    // prom-client's process metrics come along.
    expect(metrics.has('process_resident_memory_bytes')).toBe(true);
  });

  it('answers a scrape in time while the database is silent (last values kept, the failure counted)', async () => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    proxy.pause();
    try {
      const started = Date.now();
      const during = await scrape();
      expect(Date.now() - started).toBeLessThan(SCRAPE_READ_TIMEOUT_MS + 1500);
      expect(during.sum('connector_outbox_events')).toBe(3);
      const failures = new ScrapedMetrics(await register.getSingleMetricAsString('connector_metrics_collection_failures_total'));
      expect(failures.sum('connector_metrics_collection_failures_total', { collector: 'outbox_age' })).toBeGreaterThanOrEqual(1);
      // How old the kept values are: the last reading that succeeded, before the silence.
      const lastSuccess = new ScrapedMetrics(await register.getSingleMetricAsString('connector_metrics_collection_last_success_timestamp_seconds'));
      expect(lastSuccess.sum('connector_metrics_collection_last_success_timestamp_seconds', { collector: 'outbox_age' }) * 1000).toBeLessThan(started);
    } finally {
      proxy.resume();
    }
  });
});
