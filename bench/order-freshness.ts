/**
 * Order freshness benchmark: how soon an order changed at Amazon is visible through the gateway.
 *
 *   node dist/bench/order-freshness.js --orders 200 --changes 40 --scale 10 --interval 60 [--mode notifications|polling]
 *
 * Amazon's limits on, the sandbox clock ×scale (the connector paced to match). One account with
 * `orders` FBM orders, synced; then `changes` of them are shipped at Amazon (Seller Central's way)
 * one after another, a second apart, and each is watched through the gateway (GET /api/v1/orders)
 * until it shows Amazon's new status. Freshness: seconds from the change at the sandbox to the
 * gateway showing it (p50, p95, max), measured twice:
 *
 * - notifications: ORDER_CHANGE through the sandbox's SQS queue, the account polling at `interval`
 *   as a safety net (relaxed to a day while notifications flow);
 * - polling only: no queue, the account polling every `interval` seconds (the least an account
 *   takes is 60).
 */
import { waitFor } from '@connector/testing';
import { arg, BenchSystem, percentile } from './support';

const SELLER = { sellerId: 'A2BENCHFRESH01', clientId: 'fresh', clientSecret: 'fresh-secret', refreshToken: 'Atzr|fresh', marketplaceIds: ['A1PA6795UKMFR9'] };
const QUEUE = 'order-changes';

async function run(mode: 'notifications' | 'polling', orders: number, changes: number, scale: number, interval: number): Promise<number[]> {
  const bench = new BenchSystem();
  const notifications = (): Record<string, string> =>
    mode === 'notifications' ? { ORDER_NOTIFICATIONS_QUEUE_URL: `${bench.sandboxUrl}/000000000000/${QUEUE}`, SQS_ENDPOINT: bench.sandboxUrl } : {};
  await bench.start({ SANDBOX_TIME_SCALE: String(scale), SPAPI_RATE_SCALE: String(scale), SANDBOX_RATE_LIMITS: 'on' }, (name) => (name === 'order-ingestion' ? notifications() : {}));
  try {
    await bench.sandboxJson('POST', '/_sandbox/sellers', SELLER);
    const { orderIds } = await bench.sandboxJson<{ orderIds: string[] }>('POST', `/_sandbox/sellers/${SELLER.sellerId}/orders/generate`, {
      count: orders,
      seed: 'fresh',
      marketplaceIds: SELLER.marketplaceIds,
      fulfilledBy: 'MERCHANT',
      statuses: ['UNSHIPPED'],
    });
    const account = await bench.benchAccount(SELLER, { syncIntervalSeconds: interval });
    await waitFor(async () => {
      const [{ n }] = await bench.env.query<{ n: string }>(`select count(*) as n from ingestion.sales_orders`);
      return Number(n) >= orders || undefined;
    }, { timeoutMs: 900_000, intervalMs: 500, what: `${orders} orders synced` });
    if (mode === 'notifications') {
      await waitFor(async () => (await bench.json('GET', `/api/v1/accounts/${account.id}`)).orderNotifications?.status === 'subscribed' || undefined, { timeoutMs: 120_000, what: 'the ORDER_CHANGE subscription' });
    }
    const chosen = orderIds.slice(0, changes);
    const seconds: number[] = [];
    const watches: Promise<void>[] = [];
    for (const orderId of chosen) {
      const changedAt = Date.now();
      await bench.sandboxJson('POST', `/_sandbox/orders/${orderId}/ship-outside`, {});
      watches.push(
        waitFor(async () => {
          const order = (await bench.json('GET', `/api/v1/orders?amazonOrderId=${orderId}`)).items[0];
          return order?.amazonStatus === 'SHIPPED' || undefined;
        }, { timeoutMs: 900_000, intervalMs: 100, what: `order ${orderId} shipped through the gateway` }).then(() => {
          seconds.push((Date.now() - changedAt) / 1000);
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    await Promise.all(watches);
    const calls = (await bench.sandboxJson<{ operations: Record<string, { calls: number; throttled: number }> }>('GET', `/_sandbox/calls?sellerId=${SELLER.sellerId}`)).operations;
    const throttled = Object.values(calls).reduce((sum, o) => sum + o.throttled, 0);
    console.log(`\n${mode === 'notifications' ? 'with notifications' : 'polling only'}: ${changes} orders changed at Amazon a second apart, ${orders} orders in the account, polling every ${interval} s, Amazon's limits on, clock ×${scale}:`);
    console.log(`  changed at the sandbox → visible through the gateway: p50 ${percentile(seconds, 50).toFixed(2)} s, p95 ${percentile(seconds, 95).toFixed(2)} s, max ${Math.max(...seconds).toFixed(2)} s`);
    console.log(`  calls: ${Object.entries(calls).map(([op, c]) => `${op} ${c.calls}`).join(', ')}; 429s ${throttled}`);
    return seconds;
  } finally {
    await bench.stop();
  }
}

async function main(): Promise<void> {
  const orders = Number(arg('orders', '200'));
  const changes = Number(arg('changes', '40'));
  const scale = Number(arg('scale', '10'));
  const interval = Number(arg('interval', '60'));
  const mode = arg('mode', 'both');
  if (mode !== 'polling') await run('notifications', orders, changes, scale, interval);
  if (mode !== 'notifications') await run('polling', orders, changes, scale, interval);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
