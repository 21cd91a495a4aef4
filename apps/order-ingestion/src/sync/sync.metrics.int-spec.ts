import { IngestionDatabase, insertSellerAccount } from '../../test/ingestion-database';
import { randomUUID } from 'node:crypto';
import { register } from 'prom-client';
import { DataSource } from 'typeorm';
import { AmazonEndpoints, SpApiClients, SpApiError } from '@connector/sp-api';
import { ScrapedMetrics } from '@connector/test-environment';
import { waitFor } from '@connector/testing';
import type { SellerAccount } from '../accounts/seller-account.entity';
import { OrderIngestionSettings } from '../order-ingestion.settings';
import { SyncAlerts } from './sync-alerts';
import type { SyncRun } from './sync-run.entity';
import { countSyncedOrders, countSyncRun, countSyncRunStart, SyncMetrics } from './sync.metrics';

/**
 * order-ingestion's metrics of accounts on real PostgreSQL: credentials refused as the durable
 * alert episode says (not a process's memory), the series of deleted accounts gone at the next
 * scrape, and a run's duration from its start.
 */
describe('sync metrics on real PostgreSQL', () => {
  const database = new IngestionDatabase();
  let db: DataSource;
  let metrics: SyncMetrics;
  const clients = new SpApiClients({ endpoints: new AmazonEndpoints(['http://127.0.0.1:1']) });
  const settings = { ALERT_SYNC_STALLED_MINUTES: 60 } as OrderIngestionSettings;
  const scrape = async () => new ScrapedMetrics(await register.metrics());

  beforeAll(async () => {
    db = await database.setUp();
    metrics = new SyncMetrics(db, clients);
    metrics.onModuleInit();
  });

  afterAll(async () => {
    metrics?.onApplicationShutdown();
    await database.tearDown();
  });

  let sellers = 0;
  const addAccount = async () => {
    const id = await insertSellerAccount(db, { name: 'metrics test', sellerId: `A2MET${String(++sellers).padStart(6, '0')}`, initialSyncFrom: `now() - interval '1 day'` });
    return { id, name: 'metrics test' } as SellerAccount;
  };

  /** The account's credentials_refused samples (none when it has no series). */
  const refusedSamples = async (accountId: string) => (await scrape()).samples('connector_amazon_credentials_refused', { account_id: accountId }).map((sample) => sample.value);
  /** Polls scrapes (a reading is reused for a moment) until the account's gauge says `expected`. */
  const refusedBecomes = (accountId: string, expected: number[]) =>
    waitFor(async () => JSON.stringify(await refusedSamples(accountId)) === JSON.stringify(expected), { timeoutMs: 5000, what: `credentials_refused of ${accountId} = ${expected}` });

  it('says 1 for an account while its credentials-refused episode is open, in any process, and 0 once a run succeeded', async () => {
    const refused = await addAccount();
    const fine = await addAccount();
    const alerts = new SyncAlerts(db, settings);
    // A refusal that is not one of the credentials (LWA's invalid_request) opens nothing.
    await alerts.afterRun(refused, { succeeded: false, error: new SpApiError('lwaToken', 400, 'invalid_request', 'malformed') });
    await refusedBecomes(refused.id, [0]);

    await alerts.afterRun(refused, { succeeded: false, error: new SpApiError('lwaToken', 400, 'invalid_grant', 'The refresh token was revoked') });
    await refusedBecomes(refused.id, [1]);
    expect(await refusedSamples(fine.id)).toEqual([0]);

    // Another process (a fresh SyncMetrics: a replica that never called Amazon for the account) says the same.
    metrics.onApplicationShutdown();
    metrics = new SyncMetrics(db, clients);
    metrics.onModuleInit();
    expect(await refusedSamples(refused.id)).toEqual([1]);

    await alerts.afterRun(refused, { succeeded: true });
    await refusedBecomes(refused.id, [0]);
  });

  it("drops a deleted account's series (orders, runs, Amazon calls, credentials) and its SP-API client at the next scrape", async () => {
    const kept = await addAccount();
    const gone = await addAccount();
    for (const account of [kept, gone]) {
      countSyncedOrders(account.id, { seen: 4, created: 2, updated: 0, unchanged: 1, quarantined: 1, skipped: 0, committed: [] });
      countSyncRun({ accountId: account.id, status: 'succeeded', createdAt: new Date(), startedAt: new Date(), finishedAt: new Date() });
      clients.for({ accountId: account.id, region: 'EU', endpoint: 'http://127.0.0.1:1', lwaEndpoint: 'http://127.0.0.1:1', clientId: 'c', clientSecret: 's', refreshToken: 'r' });
    }
    let scraped = await scrape();
    expect(scraped.sum('connector_orders_synced_total', { account_id: gone.id })).toBe(3);
    await refusedBecomes(gone.id, [0]);

    await db.query(`update ingestion.seller_accounts set deleted_at = now() where id = $1`, [gone.id]);
    // The scrape that notices the deletion prunes the counters (its own text may have been written before).
    scraped = await waitFor(
      async () => {
        const next = await scrape();
        return next.samples('connector_orders_synced_total', { account_id: gone.id }).length === 0 ? next : undefined;
      },
      { what: "the deleted account's series gone" },
    );
    for (const name of ['connector_orders_synced_total', 'connector_orders_quarantined_total', 'connector_sync_runs_total', 'connector_amazon_credentials_refused']) {
      expect(scraped.samples(name, { account_id: gone.id })).toEqual([]);
    }
    // The account kept is untouched.
    expect(scraped.sum('connector_orders_synced_total', { account_id: kept.id })).toBe(3);
    expect(scraped.sum('connector_sync_runs_total', { account_id: kept.id })).toBe(1);
    expect(clients.accountIds()).toContain(kept.id);
    expect(clients.accountIds()).not.toContain(gone.id);
  });

  it("times a run from its start, and its wait in the queue apart", async () => {
    const seconds = async () => {
      const scraped = await scrape();
      return {
        run: scraped.histogramSum('connector_sync_run_duration_seconds', { outcome: 'succeeded' }),
        runs: scraped.histogramCount('connector_sync_run_duration_seconds', { outcome: 'succeeded' }),
        queued: scraped.histogramSum('connector_sync_run_queue_wait_seconds'),
      };
    };
    const before = await seconds();
    const requested = new Date(Date.now() - 600_000);
    const started = new Date(Date.now() - 2_000);
    const run = { accountId: randomUUID(), status: 'succeeded', createdAt: requested, startedAt: started, finishedAt: new Date(started.getTime() + 2_000) } as SyncRun;
    countSyncRunStart(run);
    countSyncRun(run);
    // A run queued and failed before it started has no run time.
    countSyncRun({ ...run, status: 'failed', startedAt: null });
    const after = await seconds();
    expect(after.runs - before.runs).toBe(1);
    expect(after.run - before.run).toBeCloseTo(2, 3);
    expect(after.queued - before.queued).toBeCloseTo(598, 3);
  });
});
