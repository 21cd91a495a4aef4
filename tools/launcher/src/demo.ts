/** The demo seller on the sandbox: its credentials, as a real seller would get them from Amazon. */
export const DEMO_SELLER = {
  sellerId: 'A2DEMOSELLER01',
  clientId: 'amzn1.application-oa2-client.demo',
  clientSecret: 'demo-client-secret',
  refreshToken: 'Atzr|demo-refresh-token',
  marketplaceIds: ['A1PA6795UKMFR9', 'A13V1IB3VIYZZH'],
};

export interface SeedOptions {
  sandboxUrl: string;
  /** How the services reach the sandbox, when that differs (containers). */
  sandboxUrlForServices?: string;
  gatewayUrl: string;
  apiKey: string;
  orders: number;
  seed?: string;
}

async function call<T>(method: string, url: string, body?: unknown, apiKey?: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** The demo seller and its orders at the sandbox; the same seed gives the same orders, so a restart changes nothing. */
export async function seedSandbox(sandboxUrl: string, orders: number, seed = 'demo'): Promise<void> {
  await call('POST', `${sandboxUrl}/_sandbox/sellers`, DEMO_SELLER);
  const existing = await call<{ orders: unknown[] }>('GET', `${sandboxUrl}/_sandbox/sellers/${DEMO_SELLER.sellerId}/orders`);
  if ((existing.body?.orders?.length ?? 0) === 0) {
    await call('POST', `${sandboxUrl}/_sandbox/sellers/${DEMO_SELLER.sellerId}/orders/generate`, { count: orders, seed, marketplaceIds: DEMO_SELLER.marketplaceIds });
  }
}

/**
 * Seeds the sandbox with the demo seller and its orders, and creates (or finds) the demo
 * account in the connector pointing at the sandbox. Safe to run on every start.
 */
export async function seedDemo(options: SeedOptions): Promise<{ accountId: string; created: boolean }> {
  await seedSandbox(options.sandboxUrl, options.orders, options.seed);
  const accounts = await call<{ items: { id: string; sellerId: string }[] }>('GET', `${options.gatewayUrl}/api/accounts?limit=500`, undefined, options.apiKey);
  const found = accounts.body?.items?.find((a) => a.sellerId === DEMO_SELLER.sellerId);
  if (found) {
    await call('POST', `${options.gatewayUrl}/api/accounts/${found.id}/sync`, {}, options.apiKey);
    return { accountId: found.id, created: false };
  }
  const created = await call<{ id: string }>(
    'POST',
    `${options.gatewayUrl}/api/accounts`,
    {
      name: 'Demo seller (sandbox)',
      sellerId: DEMO_SELLER.sellerId,
      region: 'EU',
      lwaClientId: DEMO_SELLER.clientId,
      lwaClientSecret: DEMO_SELLER.clientSecret,
      refreshToken: DEMO_SELLER.refreshToken,
      marketplaceIds: DEMO_SELLER.marketplaceIds,
      apiEndpoint: options.sandboxUrlForServices ?? options.sandboxUrl,
      lwaEndpoint: `${options.sandboxUrlForServices ?? options.sandboxUrl}/auth/o2/token`,
      syncIntervalSeconds: 60,
    },
    options.apiKey,
  );
  if (created.status !== 201) throw new Error(`creating the demo account failed: ${created.status} ${JSON.stringify(created.body)}`);
  return { accountId: created.body.id, created: true };
}
