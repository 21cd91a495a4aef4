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
