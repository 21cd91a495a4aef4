import { IngestionDatabase, insertSellerAccount } from '../../test/ingestion-database';
import { register } from 'prom-client';
import { DataSource } from 'typeorm';
import { AmazonEndpoints, SpApiClients, SpApiError } from '@connector/sp-api';
import { ScrapedMetrics } from '@connector/test-environment';
import { waitFor } from '@connector/testing';
import type { SellerAccount } from '../accounts/seller-account.entity';
import { OrderIngestionSettings } from '../order-ingestion.settings';
import { QuarantineStore } from '../orders/quarantine-store';
import { SyncAlerts } from './sync-alerts';
import type { SyncRun } from './sync-run.entity';
import { countSyncedOrders, countSyncRun, countSyncRunStart, SyncMetrics } from './sync.metrics';

/**
 * order-ingestion's metrics of accounts on real PostgreSQL: aggregates over the accounts (none
 * carries an account id, so 200 accounts make as many series as 2), credentials refused as the
 * durable alert episode says (not a process's memory), deleted accounts left out and their
 * SP-API clients dropped, and a run's duration from its start.
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

  // Each test counts its own accounts: those of the tests before are deleted.
  beforeEach(async () => {
    await db.query(`update ingestion.seller_accounts set deleted_at = now() where deleted_at is null`);
  });

  let sellers = 0;
  /** An account whose cursor is `lag` behind (an SQL interval), or never synced since a day ago. */
  const addAccount = async (options: { lag?: string; syncEnabled?: boolean } = {}) => {
    const id = await insertSellerAccount(db, {
      name: 'metrics test',
      sellerId: `A2MET${String(++sellers).padStart(6, '0')}`,
      initialSyncFrom: `now() - interval '1 day'`,
      syncEnabled: options.syncEnabled ?? true,
    });
    if (options.lag) await db.query(`update ingestion.seller_accounts set last_synced_until = now() - $2::interval where id = $1`, [id, options.lag]);
    return { id, name: 'metrics test' } as SellerAccount;
  };
  const quarantine = (accountId: string, orders: number, resolved = false) =>
    db.query(
      `insert into ingestion.quarantined_orders (id, account_id, amazon_order_id, marketplace_id, reason, attempts, first_seen_at, last_attempt_at, resolved_at)
       select gen_random_uuid(), $1, 'Q-' || gen_random_uuid(), 'A1PA6795UKMFR9', 'unknown SKU', 1, now(), now(), case when $3 then now() end from generate_series(1, $2)`,
      [accountId, orders, resolved],
    );

  /** Polls scrapes (a reading is reused for a moment) until the gauge (without labels) says `expected`. */
  const gaugeBecomes = (name: string, expected: number, labels: Record<string, string> = {}) =>
    waitFor(
      async () => {
        const scraped = await scrape();
        const values = scraped.samples(name, labels).map((sample) => sample.value);
        return values.length === 1 && values[0] === expected ? scraped : undefined;
      },
      { timeoutMs: 5000, what: `${name}${JSON.stringify(labels)} = ${expected}` },
    );

  it('counts the accounts whose credentials are refused while their episode is open, in any process, until a run succeeds', async () => {
    const refused = await addAccount();
    await addAccount();
    const alerts = new SyncAlerts(db, settings);
    // A refusal that is not one of the credentials (LWA's invalid_request) opens nothing.
    await alerts.afterRun(refused, { succeeded: false, error: new SpApiError('lwaToken', 400, 'invalid_request', 'malformed') });
    await gaugeBecomes('connector_amazon_credentials_refused_accounts', 0);

    await alerts.afterRun(refused, { succeeded: false, error: new SpApiError('lwaToken', 400, 'invalid_grant', 'The refresh token was revoked') });
    await gaugeBecomes('connector_amazon_credentials_refused_accounts', 1);

    // Another process (a fresh SyncMetrics: a replica that never called Amazon for the account) says the same.
    metrics.onApplicationShutdown();
    metrics = new SyncMetrics(db, clients);
    metrics.onModuleInit();
    expect((await scrape()).samples('connector_amazon_credentials_refused_accounts').map((sample) => sample.value)).toEqual([1]);

    await alerts.afterRun(refused, { succeeded: true });
    await gaugeBecomes('connector_amazon_credentials_refused_accounts', 0);

    // Refused again, then deleted: a deleted account is not counted (its episode stays for the webhooks).
    await alerts.afterRun(refused, { succeeded: false, error: new SpApiError('lwaToken', 400, 'invalid_grant', 'The refresh token was revoked') });
    await gaugeBecomes('connector_amazon_credentials_refused_accounts', 1);
    await db.query(`update ingestion.seller_accounts set deleted_at = now() where id = $1`, [refused.id]);
    await gaugeBecomes('connector_amazon_credentials_refused_accounts', 0);
  });

  it('reports the lag of the accounts with sync on: quantiles, the worst, and how many are over each threshold', async () => {
    for (const lag of ['10 minutes', '20 minutes', '30 minutes', '2 hours', '2 days']) await addAccount({ lag });
    // Neither an account with sync off nor a deleted one counts, however far behind.
    await addAccount({ lag: '30 days', syncEnabled: false });
    const deleted = await addAccount({ lag: '30 days' });
    await db.query(`update ingestion.seller_accounts set deleted_at = now() where id = $1`, [deleted.id]);

    const scraped = await gaugeBecomes('connector_sync_enabled_accounts', 5);
    const lag = (quantile: string) => scraped.samples('connector_sync_lag_seconds', { quantile })[0].value;
    expect(lag('1')).toBeGreaterThanOrEqual(2 * 86400);
    expect(lag('1')).toBeLessThan(2 * 86400 + 60);
    expect(lag('0.5')).toBeGreaterThanOrEqual(30 * 60);
    expect(lag('0.5')).toBeLessThan(31 * 60);
    // Between the 4th (2 h) and the 5th (2 days) account: interpolated as percentile_cont does.
    expect(lag('0.95')).toBeGreaterThan(2 * 3600);
    expect(lag('0.95')).toBeLessThan(2 * 86400);
    const lagging = Object.fromEntries(scraped.samples('connector_sync_lagging_accounts').map((sample) => [sample.labels.over, sample.value]));
    expect(lagging).toEqual({ '15m': 4, '1h': 2, '24h': 1 });
  });

  it('reports no lag quantile while no account syncs, and 0 accounts lagging', async () => {
    await addAccount({ lag: '3 days', syncEnabled: false });
    const scraped = await gaugeBecomes('connector_sync_enabled_accounts', 0);
    expect(scraped.samples('connector_sync_lag_seconds')).toEqual([]);
    expect(scraped.sum('connector_sync_lagging_accounts')).toBe(0);
  });

  it('counts the unresolved quarantined orders and the accounts that have any, not those of deleted accounts', async () => {
    const [a, b, clean, gone] = [await addAccount(), await addAccount(), await addAccount(), await addAccount()];
    await quarantine(a.id, 2);
    await quarantine(b.id, 1);
    await quarantine(b.id, 3, true);
    await quarantine(clean.id, 1, true);
    await quarantine(gone.id, 5);
    await db.query(`update ingestion.seller_accounts set deleted_at = now() where id = $1`, [gone.id]);
    const scraped = await gaugeBecomes('connector_quarantined_orders', 3);
    expect(scraped.samples('connector_quarantined_orders_accounts').map((sample) => sample.value)).toEqual([2]);
  });

  // Review finding (high): a count of accounts refused stays at 1 -> 2 when B is refused while A
  // stays so, and the rule on it does not notify again; accounts refused newly must show B.
  it('counts the accounts newly refused: whose episode opened in the last 15 minutes, not one refused for longer', async () => {
    const alerts = new SyncAlerts(db, settings);
    const refuse = (account: SellerAccount) => alerts.afterRun(account, { succeeded: false, error: new SpApiError('lwaToken', 400, 'invalid_grant', 'revoked') });
    const longRefused = await addAccount();
    await refuse(longRefused);
    await db.query(`update ingestion.alert_episodes set opened_at = now() - interval '20 minutes' where subject = $1`, [longRefused.id]);
    let scraped = await gaugeBecomes('connector_amazon_credentials_refused_accounts', 1);
    expect(scraped.samples('connector_amazon_credentials_newly_refused_accounts').map((sample) => sample.value)).toEqual([0]);

    const newlyRefused = await addAccount();
    await refuse(newlyRefused);
    scraped = await gaugeBecomes('connector_amazon_credentials_refused_accounts', 2);
    expect(scraped.samples('connector_amazon_credentials_newly_refused_accounts').map((sample) => sample.value)).toEqual([1]);
    // Deleted, it no longer counts, newly or not.
    await db.query(`update ingestion.seller_accounts set deleted_at = now() where id = $1`, [newlyRefused.id]);
    await gaugeBecomes('connector_amazon_credentials_newly_refused_accounts', 0);
  });

  it('counts the accounts newly behind: over an hour behind for 15 minutes, since within the last 15 minutes (lag 1h15m to 1h30m), sync on only', async () => {
    for (const lag of ['70 minutes', '80 minutes', '85 minutes', '100 minutes', '3 days']) await addAccount({ lag });
    await addAccount({ lag: '80 minutes', syncEnabled: false });
    const scraped = await gaugeBecomes('connector_sync_enabled_accounts', 5);
    expect(scraped.samples('connector_sync_newly_behind_accounts').map((sample) => sample.value)).toEqual([2]);
    expect(scraped.samples('connector_sync_lagging_accounts', { over: '1h' }).map((sample) => sample.value)).toEqual([5]);
  });

  // Review finding (medium): the total of quarantined orders can fall while new ones come (others
  // resolved). The gauge counts orders by when they were quarantined, a re-quarantine included.
  it('counts the orders newly quarantined: new or back after they were resolved, not one retried and still quarantined', async () => {
    const store = new QuarantineStore(db);
    const [a, b] = [await addAccount(), await addAccount()];
    const order = { orderId: '302-1000000-0000001' };
    await db.transaction((manager) => store.quarantine(manager, a, order, 'unknown SKU'));
    await quarantine(b.id, 4);
    // b's older quarantines (quarantined before the column existed: none new) get resolved meanwhile.
    await db.query(`update ingestion.quarantined_orders set resolved_at = now() where account_id = $1`, [b.id]);
    let scraped = await gaugeBecomes('connector_quarantined_orders', 1);
    expect(scraped.samples('connector_newly_quarantined_orders').map((sample) => sample.value)).toEqual([1]);

    // Quarantined 20 minutes ago, retried now and refused again: not new.
    await db.query(`update ingestion.quarantined_orders set first_seen_at = first_seen_at - interval '20 minutes', quarantined_at = quarantined_at - interval '20 minutes' where account_id = $1`, [a.id]);
    await gaugeBecomes('connector_newly_quarantined_orders', 0);
    await db.transaction((manager) => store.quarantine(manager, a, order, 'unknown SKU'));
    scraped = await gaugeBecomes('connector_quarantined_orders', 1);
    expect(scraped.samples('connector_newly_quarantined_orders').map((sample) => sample.value)).toEqual([0]);

    // Resolved, then quarantined again: new again (its first_seen_at stays the first time).
    await db.transaction((manager) => store.resolve(manager, a.id, [order.orderId]));
    await gaugeBecomes('connector_quarantined_orders', 0);
    await db.transaction((manager) => store.quarantine(manager, a, order, 'unknown SKU'));
    await gaugeBecomes('connector_newly_quarantined_orders', 1);
    const [row] = await db.query(`select first_seen_at < now() - interval '15 minutes' as first_seen_long_ago from ingestion.quarantined_orders where account_id = $1`, [a.id]);
    expect(row.first_seen_long_ago).toBe(true);
  });

  // Review finding (low): the clean-up of clients ran inside the reading, so its failure threw the
  // reading away (every gauge frozen, a collection failure counted).
  it("keeps its reading when dropping the clients of deleted accounts fails", async () => {
    const failures = async () => (await scrape()).sum('connector_metrics_collection_failures_total', { collector: 'sync' });
    const before = await failures();
    // Not a uuid: the look-up of these clients' accounts fails in PostgreSQL.
    const held = jest.spyOn(clients, 'accountIds').mockReturnValue(['not-an-account-id']);
    try {
      await addAccount();
      await addAccount();
      await gaugeBecomes('connector_sync_enabled_accounts', 2);
      await addAccount();
      await gaugeBecomes('connector_sync_enabled_accounts', 3);
      expect(held).toHaveBeenCalled();
      expect(await failures()).toBe(before);
    } finally {
      held.mockRestore();
    }
  });

  it("drops a deleted account's SP-API client at the next scrape", async () => {
    const kept = await addAccount();
    const gone = await addAccount();
    for (const account of [kept, gone]) {
      clients.for({ accountId: account.id, region: 'EU', endpoint: 'http://127.0.0.1:1', lwaEndpoint: 'http://127.0.0.1:1', clientId: 'c', clientSecret: 's', refreshToken: 'r' });
    }
    await gaugeBecomes('connector_sync_enabled_accounts', 2);
    expect(clients.accountIds()).toEqual(expect.arrayContaining([kept.id, gone.id]));

    await db.query(`update ingestion.seller_accounts set deleted_at = now() where id = $1`, [gone.id]);
    await waitFor(async () => (await scrape()) && !clients.accountIds().includes(gone.id), { what: "the deleted account's client gone" });
    expect(clients.accountIds()).toContain(kept.id);
  });

  it('has as many series with 200 accounts (lagging, refused, quarantined, syncing) as with 2', async () => {
    const alerts = new SyncAlerts(db, settings);
    /** Accounts like a real install's: each behind, refused, with a quarantined order, its runs and orders counted. */
    const addTroubledAccounts = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const account = await addAccount({ lag: `${2 + (i % 30)} hours` });
        await alerts.afterRun(account, { succeeded: false, error: new SpApiError('lwaToken', 400, 'invalid_grant', 'revoked') });
        await quarantine(account.id, 1);
        countSyncedOrders({ seen: 3, created: 1, updated: 1, unchanged: 1, quarantined: 1, skipped: 0, committed: [] });
        countSyncRun({ status: i % 2 ? 'succeeded' : 'failed', createdAt: new Date(), startedAt: new Date(), finishedAt: new Date() });
      }
    };
    await addTroubledAccounts(2);
    const withTwo = await gaugeBecomes('connector_sync_enabled_accounts', 2);
    expect(withTwo.sum('connector_amazon_credentials_refused_accounts')).toBe(2);

    await addTroubledAccounts(198);
    const withMany = await gaugeBecomes('connector_sync_enabled_accounts', 200);
    expect(withMany.sum('connector_amazon_credentials_refused_accounts')).toBe(200);
    expect(withMany.sum('connector_quarantined_orders_accounts')).toBe(200);
    expect(withMany.samples('connector_sync_lagging_accounts', { over: '1h' }).map((sample) => sample.value)).toEqual([200]);

    // The whole /metrics text of the process: the same number of lines (series), other values.
    const lines = (scraped: ScrapedMetrics) => scraped.text.split('\n').filter((line) => line && !line.startsWith('#'));
    expect(lines(withMany).length).toBe(lines(withTwo).length);
    expect(lines(withMany).map((line) => line.replace(/ [^ ]+$/, ''))).toEqual(lines(withTwo).map((line) => line.replace(/ [^ ]+$/, '')));
    expect(withMany.text).not.toMatch(/account_id=/);
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
    const run = { status: 'succeeded', createdAt: requested, startedAt: started, finishedAt: new Date(started.getTime() + 2_000) } as SyncRun;
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
