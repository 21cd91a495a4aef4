import { DEVELOPMENT_SPAPI_APP } from '@connector/contracts';

/** An HTTP answer with its body parsed as JSON when it is JSON. */
export interface HttpAnswer<T = any> {
  status: number;
  body: T;
}

export async function request<T>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer<T>> {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: response.status, body: parsed as T };
}

/** A fake seller at the sandbox, with the credentials a real one gets from Amazon. */
export interface SandboxSeller {
  sellerId: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  marketplaceIds: string[];
}

/** The body of `POST /api/v1/accounts` for a sandbox seller, with the sandbox as its Amazon. */
export function sandboxAccountBody(seller: SandboxSeller, sandboxUrl: string, region: 'EU' | 'NA' | 'FE', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: `Seller ${seller.sellerId}`,
    sellerId: seller.sellerId,
    region,
    lwaClientId: seller.clientId,
    lwaClientSecret: seller.clientSecret,
    refreshToken: seller.refreshToken,
    marketplaceIds: seller.marketplaceIds,
    apiEndpoint: sandboxUrl,
    lwaEndpoint: `${sandboxUrl}/auth/o2/token`,
    ...extra,
  };
}

/** The gateway's Link with Amazon callback: the app's OAuth redirect URI. */
export function authorizationCallbackUrl(gatewayUrl: string): string {
  return `${gatewayUrl}/api/v1/authorizations/callback`;
}

/**
 * Link with Amazon against the sandbox: its consent page, and the gateway's callback as the
 * redirect URI (the app's other settings keep their development defaults, the sandbox's app).
 */
export function linkWithSandboxEnv(gatewayUrl: string, sandboxUrl: string): Record<string, string> {
  return { SPAPI_CONSENT_BASE_URL: sandboxUrl, SPAPI_APP_REDIRECT_URI: authorizationCallbackUrl(gatewayUrl) };
}

/** Registers the development SP-API app at the sandbox (as Developer Central would), redirecting to the gateway. */
export async function registerSandboxApp(sandboxUrl: string, gatewayUrl: string): Promise<void> {
  const answer = await request('POST', `${sandboxUrl}/_sandbox/applications`, { ...DEVELOPMENT_SPAPI_APP, redirectUris: [authorizationCallbackUrl(gatewayUrl)] });
  if (answer.status !== 201) throw new Error(`registering the app at the sandbox failed: ${answer.status} ${JSON.stringify(answer.body)}`);
}
