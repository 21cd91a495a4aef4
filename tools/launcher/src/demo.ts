import { registerSandboxApp, request, sandboxAccountBody } from '@connector/local-system';

/** The demo seller on the sandbox: its credentials, as a real seller would get them from Amazon. */
export const DEMO_SELLER = {
  sellerId: 'A2DEMOSELLER01',
  clientId: 'amzn1.application-oa2-client.demo',
  clientSecret: 'demo-client-secret',
  refreshToken: 'Atzr|demo-refresh-token',
  marketplaceIds: ['A1PA6795UKMFR9', 'A13V1IB3VIYZZH'],
};

/** The sandbox's SQS queue the demo's ORDER_CHANGE notifications go to (and its dead-letter queue). */
export const DEMO_QUEUE = 'order-changes';
/** Quantity each demo listing has at the sandbox before the connector tells it anything. */
const LISTED_QUANTITY = 10;
/** Units on hand the demo gives each product sold by the demo seller's FBM offers (a stock count). */
export const DEMO_STOCK = 25;

/**
 * Order changes within seconds in the demo: order-ingestion reads ORDER_CHANGE notifications
 * from the sandbox's SQS stand-in (the development SQS credentials are the sandbox's).
 */
export function demoNotificationsEnv(sandboxUrl: string): Record<string, string> {
  return { ORDER_NOTIFICATIONS_QUEUE_URL: `${sandboxUrl}/000000000000/${DEMO_QUEUE}`, SQS_ENDPOINT: sandboxUrl };
}

export interface SeedOptions {
  sandboxUrl: string;
  /** How the services reach the sandbox, when that differs (containers). */
  sandboxUrlForServices?: string;
  gatewayUrl: string;
  apiKey: string;
  orders: number;
  seed?: string;
}

/** The demo seller and its orders at the sandbox; the same seed gives the same orders, so a restart changes nothing. */
export async function seedSandbox(sandboxUrl: string, orders: number, seed = 'demo'): Promise<void> {
  await request('POST', `${sandboxUrl}/_sandbox/sellers`, DEMO_SELLER);
  const existing = await request<{ orders: unknown[] }>('GET', `${sandboxUrl}/_sandbox/sellers/${DEMO_SELLER.sellerId}/orders`);
  if ((existing.body?.orders?.length ?? 0) === 0) {
    await request('POST', `${sandboxUrl}/_sandbox/sellers/${DEMO_SELLER.sellerId}/orders/generate`, { count: orders, seed, marketplaceIds: DEMO_SELLER.marketplaceIds });
  }
  // The queue Amazon's notifications go to, with a dead-letter queue as a seller would set it up.
  const queue = await request('POST', `${sandboxUrl}/_sandbox/sqs/queues`, { name: DEMO_QUEUE, visibilityTimeoutSeconds: 60, deadLetterQueue: `${DEMO_QUEUE}-dlq`, maxReceiveCount: 3 });
  if (queue.status !== 201) throw new Error(`making the demo's SQS queue at the sandbox failed: ${queue.status} ${JSON.stringify(queue.body)}`);
  await seedListings(sandboxUrl);
}

/**
 * The demo seller's listings at the sandbox: every SKU its orders name, in the order's
 * marketplace (FBA ones fulfilled by Amazon), so the stock the connector sends shows at
 * `/_sandbox/listings`. Listed once: a restart of the services keeps what Amazon was told.
 */
async function seedListings(sandboxUrl: string): Promise<void> {
  const seller = DEMO_SELLER.sellerId;
  const listed = await request<{ listings: unknown[] }>('GET', `${sandboxUrl}/_sandbox/listings?sellerId=${seller}`);
  if ((listed.body?.listings?.length ?? 0) > 0) return;
  const orders = await request<{ orders: { orderId: string; marketplaceId: string; fulfilledBy: string }[] }>('GET', `${sandboxUrl}/_sandbox/sellers/${seller}/orders`);
  const byMarketplace = new Map<string, Map<string, { sku: string; quantity?: number; fulfillmentChannelCode?: string }>>();
  for (const order of orders.body?.orders ?? []) {
    const detail = await request<{ order: { orderItems?: { product?: { sellerSku?: string } }[] } }>('GET', `${sandboxUrl}/_sandbox/orders/${encodeURIComponent(order.orderId)}`);
    const skus = byMarketplace.get(order.marketplaceId) ?? new Map();
    byMarketplace.set(order.marketplaceId, skus);
    for (const item of detail.body?.order?.orderItems ?? []) {
      const sku = item.product?.sellerSku;
      if (!sku || skus.has(sku)) continue;
      skus.set(sku, order.fulfilledBy === 'AMAZON' ? { sku, fulfillmentChannelCode: 'AMAZON_EU' } : { sku, quantity: LISTED_QUANTITY });
    }
  }
  for (const [marketplaceId, skus] of byMarketplace) {
    const answer = await request('PUT', `${sandboxUrl}/_sandbox/listings`, { sellerId: seller, marketplaceIds: [marketplaceId], skus: [...skus.values()] });
    if (answer.status >= 300) throw new Error(`listing the demo SKUs at the sandbox failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
}

/**
 * Seeds the sandbox with the demo seller and its orders, and creates (or finds) the demo
 * account in the connector pointing at the sandbox. Safe to run on every start.
 */
export async function seedDemo(options: SeedOptions): Promise<{ accountId: string; created: boolean }> {
  const auth = { authorization: `Bearer ${options.apiKey}` };
  await seedSandbox(options.sandboxUrl, options.orders, options.seed);
  // Link with Amazon works in the demo too: the sandbox knows the development app.
  await registerSandboxApp(options.sandboxUrl, options.gatewayUrl);
  const accounts = await request<{ items: { id: string; sellerId: string; stockSync: boolean }[] }>('GET', `${options.gatewayUrl}/api/v1/accounts?limit=500`, undefined, auth);
  const found = accounts.body?.items?.find((a) => a.sellerId === DEMO_SELLER.sellerId);
  if (found) {
    // A demo account made before the demo synced stock.
    if (!found.stockSync) await request('PATCH', `${options.gatewayUrl}/api/v1/accounts/${found.id}`, { stockSync: true }, auth);
    await request('POST', `${options.gatewayUrl}/api/v1/accounts/${found.id}/sync`, {}, auth);
    return { accountId: found.id, created: false };
  }
  const sandboxUrl = options.sandboxUrlForServices ?? options.sandboxUrl;
  const created = await request<{ id: string }>(
    'POST',
    `${options.gatewayUrl}/api/v1/accounts`,
    sandboxAccountBody(DEMO_SELLER, sandboxUrl, 'EU', { name: 'Demo seller (sandbox)', syncIntervalSeconds: 60, stockSync: true }),
    auth,
  );
  if (created.status !== 201) throw new Error(`creating the demo account failed: ${created.status} ${JSON.stringify(created.body)}`);
  return { accountId: created.body.id, created: true };
}

/**
 * Stock for the demo account's FBM offers, once their orders have synced: DEMO_STOCK units of
 * each product on hand in the shared `Stock` location (a count, as a seller would enter it), so
 * what Amazon is told is more than 0. For a new demo account only; answers the products counted.
 */
export async function seedDemoStock(options: { gatewayUrl: string; apiKey: string; accountId: string; timeoutMs?: number }): Promise<number> {
  const auth = { authorization: `Bearer ${options.apiKey}` };
  const api = <T>(method: string, path: string, body?: unknown) => request<T>(method, `${options.gatewayUrl}/api/v1${path}`, body, auth);
  // Offers learn their channel from the orders inventory has applied: wait for the first FBM ones.
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let products: string[] = [];
  while (Date.now() < deadline) {
    const offers = await api<{ items: { productId: string | null; fulfillmentChannels: string[] }[] }>('GET', `/offers?accountId=${options.accountId}&limit=500`);
    products = [...new Set((offers.body?.items ?? []).filter((o) => o.productId && o.fulfillmentChannels.includes('FBM') && !o.fulfillmentChannels.includes('FBA')).map((o) => o.productId!))];
    if (products.length > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const locations = await api<{ items: { id: string; kind: string; accountId: string | null; name: string }[] }>('GET', '/locations?limit=500');
  const stock = locations.body?.items?.find((l) => l.kind === 'stock' && l.accountId === null);
  if (!stock) return 0;
  for (const productId of products) await api('POST', '/stock/adjustments', { productId, locationId: stock.id, quantity: DEMO_STOCK });
  return products.length;
}
