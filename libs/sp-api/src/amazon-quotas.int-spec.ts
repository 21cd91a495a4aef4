import { resolve } from 'node:path';
import { register } from 'prom-client';
import { DataSource } from 'typeorm';
import { allowSandboxEndpoint, ServiceProcess } from '@connector/local-system';
import { runMigrations, serviceDataSourceOptions } from '@connector/persistence';
import { freePort, ScrapedMetrics, TcpProxy, TestEnvironment } from '@connector/test-environment';
import { AmazonEndpoints } from './amazon-endpoints';
import { AmazonQuotas, LocalQuotas, quotaStorePool, RESERVE_AHEAD_SECONDS, SharedQuotas } from './amazon-quotas';
import { AmazonQuotas1766000000600 } from './amazon-quotas.migration';
import { SpApiClients, SpApiError } from './sp-api-client';

/** The sandbox's clock and our pacing, this much faster than Amazon's: confirmShipment 2/s becomes 10/s. */
const SCALE = 5;
/** Polls until `check` holds (a test never sleeps a fixed time). */
async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
const SHIP = (n: number) => `/orders/v0/orders/999-${String(n).padStart(7, '0')}-0000000/shipmentConfirmation`;

/**
 * Two processes' worth of SP-API clients ("replicas": each its own pool on the database and its
 * own SharedQuotas) calling Amazon (the sandbox as its own process, Amazon's limits on, its
 * clock ×5) for the same seller: together they stay within the seller's quota.
 */
describe("Amazon's quotas shared by replicas (real PostgreSQL, the sandbox over HTTP)", () => {
  const env = new TestEnvironment();
  let sandboxUrl: string;
  let sandbox: ServiceProcess;
  let proxy: TcpProxy;
  const pools: DataSource[] = [];

  const sandboxCall = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sandboxUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return (await res.json().catch(() => ({}))) as Record<string, any>;
  };
  const seller = async (sellerId: string) => {
    await sandboxCall('POST', '/_sandbox/sellers', { sellerId, clientId: 'quota-app', clientSecret: 'quota-secret', refreshToken: `Atzr|${sellerId}`, marketplaceIds: ['A1PA6795UKMFR9'] });
    return sellerId;
  };
  const throttledAt = async (sellerId: string) => (await sandboxCall('GET', `/_sandbox/calls?sellerId=${sellerId}`)).operations?.confirmShipment ?? { calls: 0, throttled: 0 };
  /** A replica's pool on the test's database (through `url`: the proxy for one that loses it). */
  const pool = async (url = env.databaseUrl) => {
    const options = serviceDataSourceOptions({ database: url, schema: 'quota_test', entities: [], migrations: [] });
    const db = await new DataSource({ ...options, extra: { ...options.extra, max: 4, connectionTimeoutMillis: 1000 } }).initialize();
    pools.push(db);
    return db;
  };
  /** A replica's clients, one try per call: a 429 is counted, not waited out. */
  const clients = (quotas: AmazonQuotas) => new SpApiClients({ endpoints: new AmazonEndpoints([sandboxUrl]), rateScale: SCALE, maxRetries: 0, quotas });
  /** An account of the seller (each replica may know the seller under an account of its own). */
  const access = (sellerId: string, accountId = `account-of-${sellerId}`) => ({
    accountId,
    sellerId,
    region: 'EU' as const,
    endpoint: sandboxUrl,
    lwaEndpoint: `${sandboxUrl}/auth/o2/token`,
    clientId: 'quota-app',
    clientSecret: 'quota-secret',
    refreshToken: `Atzr|${sellerId}`,
  });
  /** `count` shipment confirmations from one replica, all at once; each answer's status (404: unknown order, past the quota). */
  const confirmations = (replica: SpApiClients, sellerId: string, count: number, accountId?: string) =>
    Promise.all(
      Array.from({ length: count }, (_, i) =>
        replica
          .for(access(sellerId, accountId))
          .request('confirmShipment', 'POST', SHIP(i), { body: {} })
          .then(() => 200)
          .catch((err: SpApiError) => err.status),
      ),
    );

  beforeAll(async () => {
    await env.setUp();
    const port = await freePort();
    sandboxUrl = `http://127.0.0.1:${port}`;
    const rootDir = resolve(__dirname, '../../..');
    sandbox = new ServiceProcess('amazon-sandbox', { rootDir, env: allowSandboxEndpoint({ ...process.env, SANDBOX_PORT: String(port), SANDBOX_TIME_SCALE: String(SCALE), SANDBOX_RATE_LIMITS: 'on' }, sandboxUrl), log: () => undefined }, 37);
    const url = new URL(env.databaseUrl);
    [proxy] = await Promise.all([TcpProxy.start(url.hostname, Number(url.port || 5432)), sandbox.start()]);
    await runMigrations({ ...serviceDataSourceOptions({ database: env.databaseUrl, schema: 'quota_test', entities: [], migrations: [AmazonQuotas1766000000600] }), schema: 'quota_test', url: env.databaseUrl } as never);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(pools.map((db) => db.destroy().catch(() => undefined)));
    await proxy?.close();
    await sandbox?.stop();
    await env.tearDown();
  });

  it('two replicas hammering confirmShipment for one seller: no 429, together close to the quota; with buckets of their own they would be throttled', async () => {
    const sellerId = await seller('A2QUOTA000001');
    const [first, second] = [clients(new SharedQuotas(await pool(), { scale: SCALE })), clients(new SharedQuotas(await pool(), { scale: SCALE }))];
    const started = performance.now();
    // Each replica knows the seller under its own account: the quota is the seller's all the same.
    const statuses = (await Promise.all([confirmations(first, sellerId, 60, 'first'), confirmations(second, sellerId, 60, 'second')])).flat();
    const seconds = (performance.now() - started) / 1000;
    expect(statuses.filter((s) => s !== 404)).toEqual([]);
    expect(await throttledAt(sellerId)).toMatchObject({ calls: 120, throttled: 0 });
    // The burst (9: one short of Amazon's 10) at once, then the restore rate: 2/s × 5, 2 % under.
    const afterBurst = (120 - 9) / seconds;
    const quota = 2 * SCALE;
    console.log(`shared quota, 2 replicas, 120 confirmShipment for one seller: ${seconds.toFixed(2)} s, ${afterBurst.toFixed(2)} calls/s after the burst against ${quota}/s (${((afterBurst / quota) * 100).toFixed(1)} %), 0 × 429`);
    expect(afterBurst).toBeGreaterThan(quota * 0.85);
    expect(afterBurst).toBeLessThanOrEqual(quota);

    // The same with a bucket per process (as before): both think the whole quota is theirs.
    const alone = await seller('A2QUOTA000002');
    await Promise.all([confirmations(clients(new LocalQuotas(SCALE)), alone, 60), confirmations(clients(new LocalQuotas(SCALE)), alone, 60)]);
    expect((await throttledAt(alone)).throttled).toBeGreaterThan(0);
  }, 60_000);

  it("different sellers do not share a bucket: one seller's spent quota holds no other seller back", async () => {
    const [spent, fresh] = [await seller('A2QUOTA000003'), await seller('A2QUOTA000004')];
    const [first, second] = [clients(new SharedQuotas(await pool(), { scale: SCALE })), clients(new SharedQuotas(await pool(), { scale: SCALE }))];
    // 30 calls at once: the burst goes out, the rest wait their turn (about 2 s of the seller's quota ahead).
    const queued = confirmations(first, spent, 30);
    await until(async () => (await second.for(access(spent)).quotaWaitMs('confirmShipment', 1)) > 1000, "the first seller's quota spent for a second");
    expect(await second.for(access(fresh)).quotaWaitMs('confirmShipment', 9)).toBe(0);
    const started = performance.now();
    expect(new Set(await confirmations(second, fresh, 9))).toEqual(new Set([404]));
    // The fresh seller's burst went out at once, not after the other's queue.
    expect(performance.now() - started).toBeLessThan(1000);
    expect(new Set(await queued)).toEqual(new Set([404]));
    expect((await throttledAt(fresh)).throttled).toBe(0);
    expect((await throttledAt(spent)).throttled).toBe(0);
  }, 60_000);

  it("a 429 and Amazon's new rate, seen by one replica, hold for every replica", async () => {
    const owner = { sellerId: 'A2QUOTA000009', clientId: 'quota-app', endpoint: sandboxUrl };
    const [first, second] = [new SharedQuotas(await pool()), new SharedQuotas(await pool())];
    const [mine, theirs] = [first.quota(owner, 'getOrder'), second.quota(owner, 'getOrder')];
    await mine.take();
    expect(await theirs.msUntilTokens(1)).toBe(0);
    // Amazon answered the first replica 429: the bucket is empty for both (one token at 0.5/s, 2 % under: 2041 ms).
    await mine.drain();
    expect(await theirs.msUntilTokens(1)).toBeGreaterThan(1900);
    expect(await theirs.msUntilTokens(1)).toBeLessThanOrEqual(2041);
    // x-amzn-RateLimit-Limit: 0.25 (not waited for by the call that saw it): the other waits twice as long per token.
    mine.setRate(0.25);
    await until(async () => (await theirs.msUntilTokens(1)) > 2100, 'the new rate in the shared bucket');
    expect(await theirs.msUntilTokens(1)).toBeLessThanOrEqual(4082);
    const [{ rate }] = await env.query<{ rate: number }>(`select rate from amazon_quotas.buckets where bucket like 'getOrder A2QUOTA000009 %'`);
    expect(rate).toBe(0.25);
  });

  it('the store away: each replica paces alone at its share (never stops, never bursts), says so, and shares again when the store is back', async () => {
    const sellerId = await seller('A2QUOTA000005');
    const scrape = async () => new ScrapedMetrics(await register.metrics());
    // The replicas of the tests before are not running any more.
    await env.query(`delete from amazon_quotas.takers`);
    const lost = new SharedQuotas(await pool(proxy.rewrite(env.databaseUrl)), { scale: SCALE, timeoutMs: 300, retryMs: 500 });
    const kept = new SharedQuotas(await pool(), { scale: SCALE });
    const [first, second] = [clients(lost), clients(kept)];
    // Both known to each other as takers (the share while the store is away: 1/2), and a third.
    const third = new SharedQuotas(await pool(), { scale: SCALE });
    await Promise.all([confirmations(first, sellerId, 2), confirmations(second, sellerId, 2), confirmations(clients(third), sellerId, 2)]);
    await until(async () => (await env.query<{ n: number }>(`select count(*)::int as n from amazon_quotas.takers`))[0].n === 3, 'three takers');
    await until(async () => {
      await lost.quota({ sellerId, clientId: 'quota-app', endpoint: sandboxUrl }, 'getOrder').msUntilTokens(1);
      return lost.fallbackShare() === 1 / 3;
    }, 'the lost replica counting the other two');
    await env.query(`delete from amazon_quotas.takers where taker = $1`, [third.taker]);
    await until(async () => {
      await lost.quota({ sellerId, clientId: 'quota-app', endpoint: sandboxUrl }, 'getOrder').msUntilTokens(1);
      return lost.fallbackShare() === 1 / 2;
    }, 'the lost replica counting one other', 15_000);

    proxy.pause();
    const localBefore = (await scrape()).sum('connector_amazon_quota_local_takes_total', { operation: 'confirmShipment' });
    const started = performance.now();
    const statuses = await confirmations(first, sellerId, 12);
    const seconds = (performance.now() - started) / 1000;
    expect(statuses.filter((s) => s !== 404)).toEqual([]);
    expect(lost.isAway()).toBe(true);
    const metrics = await scrape();
    expect(metrics.sum('connector_amazon_quota_store_away')).toBe(1);
    expect(metrics.sum('connector_amazon_quota_local_takes_total', { operation: 'confirmShipment' }) - localBefore).toBe(12);
    // From an empty bucket at half of 10/s (2 % under): 12 calls take about 2.4 s, never a burst.
    const rate = 12 / seconds;
    console.log(`store away: 12 confirmShipment paced alone in ${seconds.toFixed(2)} s (${rate.toFixed(2)}/s; share 1/2 of ${2 * SCALE}/s)`);
    expect(rate).toBeLessThanOrEqual(SCALE);
    expect(rate).toBeGreaterThan(SCALE * 0.6);

    // Back while 30 more wait for local tokens (about 6 s of them): they move to the shared bucket,
    // where the other replica takes 20 at the same time.
    const waitingAlone = confirmations(first, sellerId, 30);
    proxy.resume();
    const together = await Promise.all([waitingAlone, confirmations(second, sellerId, 20)]);
    expect(together.flat().filter((s) => s !== 404)).toEqual([]);
    expect(lost.isAway()).toBe(false);
    const after = await scrape();
    expect(after.sum('connector_amazon_quota_store_away')).toBe(0);
    const pacedAlone = after.sum('connector_amazon_quota_local_takes_total', { operation: 'confirmShipment' }) - localBefore - 12;
    console.log(`store back: of 30 calls waiting alone, ${pacedAlone} went out paced alone, the rest from the shared bucket`);
    expect(pacedAlone).toBeLessThan(15);
    expect((await throttledAt(sellerId)).throttled).toBe(0);
  }, 60_000);

  it('a take not answered in time (its row locked) is cancelled, not left to reserve a token later', async () => {
    const owner = { sellerId: 'A2QUOTA000010', clientId: 'quota-app', endpoint: sandboxUrl };
    const service = await pool();
    const quotas = new SharedQuotas(quotaStorePool(service, 400), { timeoutMs: 400, retryMs: 60_000 });
    const quota = quotas.quota(owner, 'getOrder');
    await quota.take();
    const [before] = await env.query<{ tokens: number }>(`select tokens from amazon_quotas.buckets where bucket like 'getOrder A2QUOTA000010 %'`);
    // Another session holds the row (as a slow store would) for longer than the take waits.
    const locker = await pool();
    const runner = locker.createQueryRunner();
    await runner.startTransaction();
    await runner.query(`select * from amazon_quotas.buckets where bucket like 'getOrder A2QUOTA000010 %' for update`);
    await quota.tryTake();
    expect(quotas.isAway()).toBe(true);
    await until(async () => (await env.query(`select from pg_stat_activity where query like '%insert into amazon_quotas.buckets%' and state = 'active' and pid <> pg_backend_pid()`)).length === 0, 'the take cancelled by PostgreSQL');
    await runner.commitTransaction();
    await runner.release();
    const [after] = await env.query<{ tokens: number }>(`select tokens from amazon_quotas.buckets where bucket like 'getOrder A2QUOTA000010 %'`);
    expect(after.tokens).toBe(before.tokens);
    await quotas.onApplicationShutdown();
  });

  it('a take reserves at most 30 s of the rate ahead, and a withdrawn call gives its token back', async () => {
    const owner = { sellerId: 'A2QUOTA000011', clientId: 'quota-app', endpoint: sandboxUrl };
    const quotas = new SharedQuotas(await pool());
    const quota = quotas.quota(owner, 'getOrder');
    const bucket = async () => (await env.query<{ tokens: number }>(`select tokens from amazon_quotas.buckets where bucket like 'getOrder A2QUOTA000011 %'`))[0].tokens;
    // getOrder: 0.5/s, 2 % under: at most 14.7 tokens of reservations. Empty the burst, then 40 callers.
    await env.query(`insert into amazon_quotas.buckets (bucket, tokens, refilled_at, rate) select 'getOrder A2QUOTA000011 quota-app ' || $1, 0, clock_timestamp(), 0.5`, [sandboxUrl.replace(/\/+$/, '')]);
    const waiting = Array.from({ length: 40 }, () => quota.take());
    await until(async () => (await bucket()) < -13, 'reservations queued');
    const deepest = -0.5 * 0.98 * RESERVE_AHEAD_SECONDS;
    for (let i = 0; i < 10; i++) expect(await bucket()).toBeGreaterThanOrEqual(deepest - 1);
    expect(await bucket()).toBeGreaterThanOrEqual(deepest - 1);
    void Promise.allSettled(waiting);

    const other = quotas.quota({ ...owner, sellerId: 'A2QUOTA000012' }, 'confirmShipment');
    await other.take();
    const taken = await env.query<{ tokens: number }>(`select tokens from amazon_quotas.buckets where bucket like 'confirmShipment A2QUOTA000012 %'`);
    await other.giveBack();
    const [back] = await env.query<{ tokens: number }>(`select tokens from amazon_quotas.buckets where bucket like 'confirmShipment A2QUOTA000012 %'`);
    expect(back.tokens).toBeGreaterThanOrEqual(taken[0].tokens + 1 - 1e-9);
  });
});
