/**
 * Sandbox throughput: starts a sandbox in-process with rate limits off and measures how many
 * searchOrders and confirmShipment calls per second it answers, so we know it is never the
 * bottleneck of a connector benchmark.
 * Run: npm run build && node dist/apps/amazon-sandbox/src/bench/throughput.js [seconds=5] [concurrency=16] [orders=2000]
 * (the load generator runs in the same process, so figures are a lower bound)
 */
import { createSandboxApp, sandboxBaseUrl } from '../sandbox-app';

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 5);
  const concurrency = Number(process.argv[3] ?? 16);
  const app = await createSandboxApp({ port: 0, rateLimits: false });
  const base = sandboxBaseUrl(app);
  const json = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await fetch(base + path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { 'x-amz-access-token': token } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  try {
    const seller = { sellerId: 'BENCH', clientId: 'c', clientSecret: 's', refreshToken: 'r', marketplaceIds: ['A1PA6795UKMFR9', 'ATVPDKIKX0DER'] };
    await json('POST', '/_sandbox/sellers', seller);
    const token = (await json('POST', '/auth/o2/token', { grant_type: 'refresh_token', refresh_token: 'r', client_id: 'c', client_secret: 's' })).body.access_token;
    const searchOrderCount = Number(process.argv[4] ?? 2000);
    await json('POST', '/_sandbox/sellers/BENCH/orders/generate', { count: searchOrderCount, seed: 'bench' });
    // confirmShipment orders live with a second seller so they do not change the search's result size.
    await json('POST', '/_sandbox/sellers', { ...seller, sellerId: 'BENCH-FBM', refreshToken: 'r2' });
    const fbm = await json('POST', '/_sandbox/sellers/BENCH-FBM/orders/generate', { count: 2000, seed: 'bench-fbm', fulfilledBy: 'MERCHANT', statuses: ['UNSHIPPED'], orderIdPrefix: '9' });
    const fbmToken = (await json('POST', '/auth/o2/token', { grant_type: 'refresh_token', refresh_token: 'r2', client_id: 'c', client_secret: 's' })).body.access_token;
    const fbmOrders = await Promise.all(
      (fbm.body.orderIds as string[]).slice(0, 200).map(async (id) => (await json('GET', `/_sandbox/orders/${id}`)).body.order),
    );

    async function run(name: string, call: (i: number) => Promise<number>, expected: number) {
      let done = 0;
      let failed = 0;
      let i = 0;
      const end = performance.now() + seconds * 1000;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (performance.now() < end) {
            const status = await call(i++);
            if (status === expected) done++;
            else failed++;
          }
        }),
      );
      console.log(`${name}: ${(done / seconds).toFixed(0)} calls/s (${done} ok, ${failed} failed, ${concurrency} concurrent, ${seconds}s)`);
    }

    const query = '/orders/2026-01-01/orders?lastUpdatedAfter=2020-01-01T00:00:00Z&maxResultsPerPage=100&includedData=BUYER,RECIPIENT,PROCEEDS,PROMOTION,CANCELLATION,FULFILLMENT,PACKAGES';
    await run(`searchOrders (seller with ${searchOrderCount} orders, 100 orders/page, all sections)`, async () => (await fetch(base + query, { headers: { 'x-amz-access-token': token } }).then(async (r) => (await r.arrayBuffer(), r.status))), 200);
    // Each call re-confirms one unit of an item as package "1": updates in place, always valid.
    await run(
      'confirmShipment',
      async (i) => {
        const order = fbmOrders[i % fbmOrders.length];
        const item = order.orderItems[0];
        const res = await json('POST', `/orders/v0/orders/${order.orderId}/shipmentConfirmation`, {
          marketplaceId: order.salesChannel.marketplaceId,
          packageDetail: { packageReferenceId: '1', carrierCode: 'DHL', trackingNumber: `T${i}`, shipDate: new Date().toISOString(), orderItems: [{ orderItemId: item.orderItemId, quantity: 1 }] },
        }, fbmToken);
        return res.status;
      },
      204,
    );
  } finally {
    await app.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
