import { register } from 'prom-client';
import { DataSource } from 'typeorm';
import { runMigrations } from '@connector/persistence';
import { ScrapedMetrics } from '@connector/test-environment';
import { TestEnvironment, waitFor } from '@connector/testing';
import { inventoryDataSource } from '../data-source';
import { DeliveriesMetrics, WAITING_DELIVERIES_SQL } from './deliveries.metrics';

/**
 * The gauges of deliveries waiting on real PostgreSQL: what they count, and that the scrape reads
 * only the ready deliveries from their index, not every delivery ever made (review of issue 18).
 */
describe('deliveries metrics on real PostgreSQL', () => {
  const env = new TestEnvironment();
  let db: DataSource;
  let metrics: DeliveriesMetrics;

  beforeAll(async () => {
    await env.setUp();
    const options = inventoryDataSource(env.databaseUrl);
    await runMigrations(options);
    db = await new DataSource(options).initialize();
    metrics = new DeliveriesMetrics(db);
    metrics.onModuleInit();
  });

  afterAll(async () => {
    metrics?.onApplicationShutdown();
    await db?.destroy();
    await env.tearDown();
  });

  /** `n` deliveries in `state` of `accounts` accounts, made `age` ago. */
  const addDeliveries = (n: number, state: string, accounts: number, age = '0 seconds') =>
    db.query(
      `insert into deliveries (id, order_id, account_id, marketplace_id, amazon_order_id, contact_id, delivery_address_id, sequence, state, created_at)
       select gen_random_uuid(), gen_random_uuid(), ('00000000-0000-0000-0000-' || lpad((i % $3)::text, 12, '0'))::uuid, 'A1PA6795UKMFR9',
              'D-' || i, gen_random_uuid(), gen_random_uuid(), 1, $2, now() - $4::interval
         from generate_series(1, $1) i`,
      [n, state, accounts, age],
    );

  it('counts the deliveries ready to ship, their accounts and the oldest one, from the partial index of ready ones', async () => {
    // Most deliveries of a long-running install are done; few wait.
    await addDeliveries(20_000, 'done', 100, '30 days');
    await addDeliveries(30, 'ready', 3, '2 hours');
    await addDeliveries(10, 'ready', 2);
    await db.query(`analyze deliveries`);

    const scraped = await waitFor(
      async () => {
        const metrics = new ScrapedMetrics(await register.metrics());
        return metrics.sum('connector_deliveries_waiting') === 40 ? metrics : undefined;
      },
      { what: '40 deliveries waiting' },
    );
    expect(scraped.sum('connector_deliveries_waiting_accounts')).toBe(3);
    expect(scraped.sum('connector_deliveries_oldest_waiting_age_seconds')).toBeGreaterThanOrEqual(7200);
    expect(scraped.sum('connector_deliveries_oldest_waiting_age_seconds')).toBeLessThan(7300);

    const [{ 'QUERY PLAN': plan }] = await db.query(`explain (format json) ${WAITING_DELIVERIES_SQL}`);
    const text = JSON.stringify(plan);
    expect(text).toContain('"Index Name":"deliveries_ready"');
    expect(text).not.toContain('Seq Scan');
  });
});
