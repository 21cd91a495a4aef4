import { scrapeMetrics } from '@connector/test-environment';
import { InvariantChecker, PostgresCluster, RunningSystem, TcpProxy, waitFor } from '@connector/testing';
import { accountOf, clearAmazonFaults, expectHealed, FAULT_SETTINGS, sellerWithOrders, slowSearch, storedOrders, untilStored, validateDeliveries } from './support';

const ORDERS = 1500;
const CASE = '3 PostgreSQL';
/** The stall: the database stops answering (no RST) for 30 s. */
const STALL_MS = 30_000;
/** How long PostgreSQL stays down after its immediate stop. */
const OUTAGE_MS = 5_000;
/**
 * Each case heals within this, well below the accounts' 60 s sync interval (support.ts): a run the
 * fault cut short must be tried again after its outage back-off, not an interval later (which took
 * 63-78 s and passed the suite's general RECOVERY_TIMEOUT_MS of 90 s).
 */
const HEALED_WITHIN_MS = 30_000;

/**
 * The background loops added since the suite began, made quick enough to be seen resuming after the
 * outage: the sync run history pruned every 2 s down to each account's newest run, the e-mail index
 * backfill every 2 s.
 */
const LOOPS_SETTINGS = { SYNC_RUNS_PRUNE_INTERVAL_SECONDS: '2', SYNC_RUNS_KEEP_DAYS: '0', SYNC_RUNS_KEEP_PER_ACCOUNT: '1', EMAIL_INDEX_INTERVAL_SECONDS: '2' };

/** Keeps a fault in place for its set length (the fault's duration is the input, not an outcome waited for). */
const faultFor = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('fault 3: PostgreSQL stopped immediately and restarted; PostgreSQL silent for 30 s behind a proxy', () => {
  let cluster: PostgresCluster;
  let proxy: TcpProxy;
  let running: RunningSystem;

  beforeAll(async () => {
    cluster = await PostgresCluster.create();
    // The services reach the database through the proxy; the test reads it directly.
    proxy = await TcpProxy.start('127.0.0.1', cluster.port);
    running = new RunningSystem({ postgresAdminUrl: cluster.url, servicePostgresUrl: proxy.rewrite(cluster.url) });
    await running.start({ ...FAULT_SETTINGS, ...LOOPS_SETTINGS });
  }, 240_000);
  afterAll(async () => {
    proxy?.resume();
    await running?.stop();
    await proxy?.close();
    await cluster?.destroy();
  }, 60_000);

  /** Statements Amazon's quota store answered for order-ingestion so far. */
  const quotaStoreAnswers = async () => (await scrapeMetrics(`${running.system.managementUrl('order-ingestion')}/metrics`)).histogramCount('connector_amazon_quota_store_duration_seconds');

  it('an immediate stop mid-sync, back after 5 s: every order once, nothing parked, outboxes drained; quotas, run pruning and e-mail backfill resume', async () => {
    const seller = await sellerWithOrders(running, 'A2FAULTPGSTOP1', ORDERS);
    await slowSearch(running, seller.sellerId, 800);
    await accountOf(running, seller);
    await untilStored(running, seller.sellerId, ORDERS / 5);
    await validateDeliveries(running, seller.sellerId, 20, 'PGSTOP');
    const storedAtStop = await storedOrders(running, seller.sellerId);
    // The run the stop will cut short: pruned only by a pass after the restart (it ends, failed, and a newer one exists only then).
    const [cutShort] = await running.env.query<{ id: string }>(
      `select r.id from ingestion.sync_runs r join ingestion.seller_accounts a on a.id = r.account_id where a.seller_id = $1 and r.status = 'running'`,
      [seller.sellerId],
    );
    expect(cutShort).toBeDefined();

    await cluster.crash();
    await faultFor(OUTAGE_MS);
    await cluster.start();
    await clearAmazonFaults(running);
    const restartedAt = Date.now();
    const quotaStoreAnswersAtRestart = await quotaStoreAnswers();

    const report = await expectHealed(running, { case: CASE, fault: 'immediate stop, restart after 5 s', faultsInjected: 1 }, { sellerIds: [seller.sellerId] }, restartedAt, HEALED_WITHIN_MS);
    expect(storedAtStop).toBeLessThan(report.stored);

    // The loops that came with issue 18 work again after the restart, each seen by what it does.
    // Amazon's quotas: shared again through their store (its own pool), not paced alone.
    const quotas = await scrapeMetrics(`${running.system.managementUrl('order-ingestion')}/metrics`);
    expect(quotas.sum('connector_amazon_quota_store_away')).toBe(0);
    expect(quotas.histogramCount('connector_amazon_quota_store_duration_seconds')).toBeGreaterThan(quotaStoreAnswersAtRestart);
    // SyncRunPruning: the run the stop cut short is gone.
    await waitFor(async () => ((await running.env.query(`select 1 from ingestion.sync_runs where id = $1`, [cutShort.id])).length === 0 ? true : undefined), {
      timeoutMs: 20_000,
      what: 'the run the stop cut short pruned',
    });
    // EmailIndexBackfill: contacts left without their e-mail's index (as an older replica writes them) get it again.
    const unindexed = await running.env.query<{ id: string }>(`update partners.contacts set email_index = null where email is not null and anonymized_at is null returning id`);
    expect(unindexed.length).toBeGreaterThan(0);
    await waitFor(async () => {
      const [{ left }] = await running.env.query<{ left: number }>(`select count(*)::int as left from partners.contacts where id = any($1) and email_index is null`, [unindexed.map((c) => c.id)]);
      return left === 0 || undefined;
    }, { timeoutMs: 20_000, what: "the contacts' e-mails indexed again" });
  });

  it('silent for 30 s mid-sync (no RST): health reports the stalled database, and everything heals once it answers', async () => {
    const seller = await sellerWithOrders(running, 'A2FAULTPGSTALL', ORDERS);
    await slowSearch(running, seller.sellerId, 800);
    await accountOf(running, seller);
    await untilStored(running, seller.sellerId, ORDERS / 5);
    await validateDeliveries(running, seller.sellerId, 20, 'PGSTALL');
    const storedAtStall = await storedOrders(running, seller.sellerId);

    proxy.pause();
    const stalledAt = Date.now();
    let healthDuringStall: { status: number; body: unknown } | undefined;
    try {
      // Within the stall, health must stop saying all is well.
      healthDuringStall = await waitFor(async () => {
        const health = await new InvariantChecker(running).health();
        return health.status !== 200 ? health : undefined;
      }, { timeoutMs: STALL_MS - 2_000, intervalMs: 1_000, what: 'health to report the stalled database' }).catch(() => undefined);
      await faultFor(Math.max(0, STALL_MS - (Date.now() - stalledAt)));
    } finally {
      proxy.resume();
    }
    await clearAmazonFaults(running);
    const resumedAt = Date.now();

    const fault = `silent 30 s through the proxy (health during it: ${healthDuringStall?.status ?? 200})`;
    const report = await expectHealed(running, { case: CASE, fault, faultsInjected: 1 }, { sellerIds: [seller.sellerId] }, resumedAt, HEALED_WITHIN_MS);
    expect(storedAtStall).toBeLessThan(report.stored);
    expect(healthDuringStall?.status).toBe(503);
  });
});
