import { NatsServerProcess, RunningSystem, waitFor } from '@connector/testing';

const SELLER = { sellerId: 'A2NATSKILL0001', clientId: 'kill-client', clientSecret: 'kill-secret', refreshToken: 'Atzr|kill', marketplaceIds: ['A1PA6795UKMFR9', 'A13V1IB3VIYZZH'] };
const ORDERS = 2500;

/**
 * The NATS crash: a sync of thousands of orders, NATS killed (-9) when some hundreds are
 * stored and started again 5 s later, twice. The run under way waits the outage out (its
 * requests to partner-resolution and inventory are asked again) instead of failing and reading
 * the whole window again; every order is stored once, no run stays `running`, and nothing is
 * left as an unhandled rejection.
 */
describe('order sync through a NATS crash', () => {
  const running = new RunningSystem();
  let nats: NatsServerProcess;

  beforeAll(async () => {
    nats = await NatsServerProcess.start('');
    await running.start({ NATS_URL: nats.url, SANDBOX_RATE_LIMITS: 'off', SANDBOX_TIME_SCALE: '60', SPAPI_RATE_SCALE: '60', SYNC_LEASE_SECONDS: '10' });
    expect((await running.sandbox('POST', '/_sandbox/sellers', SELLER)).status).toBe(201);
  }, 180_000);

  afterAll(async () => {
    await running.stop();
    await nats?.stop();
  }, 60_000);

  const stored = async (accountId: string) =>
    (await running.env.query<{ n: number; distinct: number }>(`select count(*)::int as n, count(distinct amazon_order_id)::int as distinct from ingestion.sales_orders where account_id = $1`, [accountId]))[0];
  const runs = async (accountId: string) => (await running.api('GET', `/api/v1/accounts/${accountId}/sync-runs?limit=500`)).body.items as any[];

  it('NATS killed twice mid-sync and back 5 s later: the run under way carries on, every order stored once, no run left running', async () => {
    await running.sandbox('POST', `/_sandbox/sellers/${SELLER.sellerId}/orders/generate`, { count: ORDERS, seed: 'nats-kill', marketplaceIds: SELLER.marketplaceIds, statuses: ['UNSHIPPED', 'SHIPPED'] });
    const atAmazon = (await running.sandbox('GET', `/_sandbox/sellers/${SELLER.sellerId}/orders`)).body.orders as any[];
    const syncable = atAmazon.filter((o) => (o.fulfilledBy === 'AMAZON' ? o.fulfillmentStatus === 'SHIPPED' : true)).length;
    const created = await running.createAccount(SELLER, 'EU', { syncIntervalSeconds: 3600 });
    expect(created.status).toBe(201);
    const accountId = created.body.id as string;

    for (const at of [750, 1500]) {
      await waitFor(async () => (await stored(accountId)).n >= at, { timeoutMs: 300_000, intervalMs: 50, what: `${at} orders stored` });
      await nats.kill();
      // The outage itself: five seconds without NATS, as in the issue.
      await new Promise((resolve) => setTimeout(resolve, 5000));
      await nats.restart();
    }

    const recovered = await waitFor(async () => {
      const count = await stored(accountId);
      return count.n >= syncable ? count : undefined;
    }, { timeoutMs: 300_000, intervalMs: 1000, what: 'every order stored after the NATS crash' });
    expect(recovered).toEqual({ n: syncable, distinct: syncable });
    const finished = await waitFor(async () => {
      const all = await runs(accountId);
      return all[0]?.status === 'succeeded' ? all : undefined;
    }, { timeoutMs: 120_000, what: 'a successful run after the crash' });
    expect(finished.filter((run) => run.status === 'running')).toEqual([]);
    // One run did it all: the crashes cost it a wait, not its window.
    expect(finished.map((run) => ({ status: run.status, errors: run.errors, created: run.ordersCreated }))).toEqual([{ status: 'succeeded', errors: [], created: syncable }]);
    expect(running.output.filter((line) => /unhandled rejection/i.test(line))).toEqual([]);
  }, 900_000);
});
