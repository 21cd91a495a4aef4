/**
 * Where an account's refresh token and client secret may be sent. They give full access to a
 * seller's Amazon business, so an account can point only at Amazon's own hosts, or at a base
 * URL the operator names in AMAZON_ALLOWED_ENDPOINTS (a sandbox, a recording proxy).
 */

export type AmazonRegion = 'NA' | 'EU' | 'FE';

/** Amazon's LWA token URL: the same for every region. */
export const LWA_TOKEN_URL = 'https://api.amazon.com/auth/o2/token';

/** Amazon's production SP-API endpoint per region: the default of an account. */
export const REGION_ENDPOINTS: Record<AmazonRegion, { apiEndpoint: string; lwaEndpoint: string }> = {
  NA: { apiEndpoint: 'https://sellingpartnerapi-na.amazon.com', lwaEndpoint: LWA_TOKEN_URL },
  EU: { apiEndpoint: 'https://sellingpartnerapi-eu.amazon.com', lwaEndpoint: LWA_TOKEN_URL },
  FE: { apiEndpoint: 'https://sellingpartnerapi-fe.amazon.com', lwaEndpoint: LWA_TOKEN_URL },
};

/** Amazon's own SP-API hosts of a region: production and Amazon's static sandbox. */
function amazonApiHosts(region: AmazonRegion): string[] {
  const host = new URL(REGION_ENDPOINTS[region].apiEndpoint).host;
  return [host, `sandbox.${host}`];
}

export interface EndpointProblem {
  field: 'apiEndpoint' | 'lwaEndpoint';
  errors: string[];
}

/** Raised when a stored or received account points somewhere it may not: never retried. */
export class EndpointNotAllowedError extends Error {}

export class AmazonEndpoints {
  private readonly extra: URL[];

  /** @param allowed base URLs besides Amazon's own (the AMAZON_ALLOWED_ENDPOINTS setting). */
  constructor(allowed: readonly string[] = []) {
    this.extra = allowed.map((base) => {
      const url = parseBase(base);
      if (!url) throw new Error(`AMAZON_ALLOWED_ENDPOINTS: "${base}" is not an http(s) base URL without user, query or fragment`);
      return url;
    });
  }

  /** From the comma-separated setting; empty means Amazon's hosts only. */
  static fromSetting(value: string | undefined): AmazonEndpoints {
    return new AmazonEndpoints(parseAllowedEndpoints(value));
  }

  /** The fields that point where secrets may not go, each with its reason (empty when all is well). */
  problems(region: AmazonRegion, endpoints: { apiEndpoint?: string; lwaEndpoint?: string }): EndpointProblem[] {
    const problems: EndpointProblem[] = [];
    if (endpoints.apiEndpoint !== undefined && !this.apiAllowed(region, endpoints.apiEndpoint)) {
      problems.push({
        field: 'apiEndpoint',
        errors: [`apiEndpoint must be Amazon's SP-API host of region ${region} (${REGION_ENDPOINTS[region].apiEndpoint}) or a base URL named in AMAZON_ALLOWED_ENDPOINTS`],
      });
    }
    if (endpoints.lwaEndpoint !== undefined && !this.lwaAllowed(endpoints.lwaEndpoint)) {
      problems.push({ field: 'lwaEndpoint', errors: [`lwaEndpoint must be Amazon's token URL (${LWA_TOKEN_URL}) or a URL under a base named in AMAZON_ALLOWED_ENDPOINTS`] });
    }
    return problems;
  }

  /** Throws before anything is sent when an account's endpoints are not allowed (rows stored before the rule, forged answers). */
  assertAllowed(region: AmazonRegion, endpoints: { apiEndpoint: string; lwaEndpoint: string }): void {
    const problems = this.problems(region, endpoints);
    if (problems.length) throw new EndpointNotAllowedError(`account endpoints not allowed: ${problems.map((p) => p.field).join(', ')}`);
  }

  apiAllowed(region: AmazonRegion, value: string): boolean {
    const url = parseBase(value);
    if (!url) return false;
    if (url.protocol === 'https:' && url.port === '' && (url.pathname === '/' || url.pathname === '') && amazonApiHosts(region).includes(url.hostname)) return true;
    return this.underExtra(url);
  }

  lwaAllowed(value: string): boolean {
    const url = parseBase(value);
    if (!url) return false;
    if (url.href === LWA_TOKEN_URL) return true;
    return this.underExtra(url);
  }

  /** Same origin as an allowed base, and a path at or below its path (segment by segment). */
  private underExtra(url: URL): boolean {
    return this.extra.some((base) => {
      if (base.origin !== url.origin) return false;
      const basePath = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
      const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
      return path.startsWith(basePath);
    });
  }
}

export function parseAllowedEndpoints(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

/** An http(s) URL with no credentials, query or fragment; `undefined` otherwise. */
function parseBase(value: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username || url.password || url.search || url.hash) return undefined;
  // Dot segments are resolved by URL already; an encoded one would slip past the prefix check.
  if (/%2e|%2f|%5c/i.test(url.pathname)) return undefined;
  return url;
}
