import { InvariantChecker, PostgresCluster, RunningSystem, TcpProxy, waitFor } from '@connector/testing';
import { accountOf, clearAmazonFaults, expectHealed, FAULT_SETTINGS, sellerWithOrders, slowSearch, storedOrders, untilStored, validateDeliveries } from './support';

const ORDERS = 1500;
const CASE = '3 PostgreSQL';
/** The stall: the database stops answering (no RST) for 30 s. */
const STALL_MS = 30_000;
/** How long PostgreSQL stays down after its immediate stop. */
const OUTAGE_MS = 5_000;

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
    await running.start(FAULT_SETTINGS);
  }, 240_000);
  afterAll(async () => {
    proxy?.resume();
    await running?.stop();
    await proxy?.close();
    await cluster?.destroy();
  }, 60_000);

  it('an immediate stop mid-sync, back after 5 s: every order once, nothing parked, outboxes drained', async () => {
    const seller = await sellerWithOrders(running, 'A2FAULTPGSTOP1', ORDERS);
    await slowSearch(running, seller.sellerId, 800);
    await accountOf(running, seller);
    await untilStored(running, seller.sellerId, ORDERS / 5);
    await validateDeliveries(running, seller.sellerId, 20, 'PGSTOP');
    const storedAtStop = await storedOrders(running, seller.sellerId);

    await cluster.crash();
    await faultFor(OUTAGE_MS);
    await cluster.start();
    await clearAmazonFaults(running);
    const restartedAt = Date.now();

    const report = await expectHealed(running, { case: CASE, fault: 'immediate stop, restart after 5 s', faultsInjected: 1 }, { sellerIds: [seller.sellerId] }, restartedAt);
    expect(storedAtStop).toBeLessThan(report.stored);
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
    const report = await expectHealed(running, { case: CASE, fault, faultsInjected: 1 }, { sellerIds: [seller.sellerId] }, resumedAt);
    expect(storedAtStall).toBeLessThan(report.stored);
    expect(healthDuringStall?.status).toBe(503);
  });
});
