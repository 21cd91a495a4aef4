import { registerSandboxApp, request, sandboxAccountBody } from '@connector/local-system';

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

/** The demo seller and its orders at the sandbox; the same seed gives the same orders, so a restart changes nothing. */
export async function seedSandbox(sandboxUrl: string, orders: number, seed = 'demo'): Promise<void> {
  await request('POST', `${sandboxUrl}/_sandbox/sellers`, DEMO_SELLER);
  const existing = await request<{ orders: unknown[] }>('GET', `${sandboxUrl}/_sandbox/sellers/${DEMO_SELLER.sellerId}/orders`);
  if ((existing.body?.orders?.length ?? 0) === 0) {
    await request('POST', `${sandboxUrl}/_sandbox/sellers/${DEMO_SELLER.sellerId}/orders/generate`, { count: orders, seed, marketplaceIds: DEMO_SELLER.marketplaceIds });
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
  const accounts = await request<{ items: { id: string; sellerId: string }[] }>('GET', `${options.gatewayUrl}/api/v1/accounts?limit=500`, undefined, auth);
  const found = accounts.body?.items?.find((a) => a.sellerId === DEMO_SELLER.sellerId);
  if (found) {
    await request('POST', `${options.gatewayUrl}/api/v1/accounts/${found.id}/sync`, {}, auth);
    return { accountId: found.id, created: false };
  }
  const sandboxUrl = options.sandboxUrlForServices ?? options.sandboxUrl;
  const created = await request<{ id: string }>(
    'POST',
    `${options.gatewayUrl}/api/v1/accounts`,
    sandboxAccountBody(DEMO_SELLER, sandboxUrl, 'EU', { name: 'Demo seller (sandbox)', syncIntervalSeconds: 60 }),
    auth,
  );
  if (created.status !== 201) throw new Error(`creating the demo account failed: ${created.status} ${JSON.stringify(created.body)}`);
  return { accountId: created.body.id, created: true };
}
