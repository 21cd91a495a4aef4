import { isLocalStandIn } from '@connector/sp-api';
import type { Region } from '@connector/contracts';

/** Seller Central per region: where Amazon's consent page is. */
export const SELLER_CENTRAL: Record<Region, string> = {
  NA: 'https://sellercentral.amazon.com',
  EU: 'https://sellercentral-europe.amazon.com',
  FE: 'https://sellercentral.amazon.co.jp',
} as Record<Region, string>;

/** The sandbox of `npm start`: the development default, refused in production. */
export const DEVELOPMENT_CONSENT_BASE_URL = 'http://127.0.0.1:4500';

const REGIONS = Object.keys(SELLER_CENTRAL) as Region[];

/** The SPAPI_CONSENT_BASE_URL setting: `amazon`, one base URL, or `NA=<url>,EU=<url>,FE=<url>`. */
export class ConsentUrls {
  private constructor(private readonly bases: Record<Region, string>) {}

  static fromSetting(value: string): ConsentUrls {
    const text = value.trim();
    const bases = { ...SELLER_CENTRAL };
    if (text === '' || text === 'amazon') return new ConsentUrls(bases);
    if (!text.includes('=')) {
      const base = checkedBase(text);
      for (const region of REGIONS) bases[region] = base;
      return new ConsentUrls(bases);
    }
    for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
      const [region, url] = [part.slice(0, part.indexOf('=')).trim(), part.slice(part.indexOf('=') + 1).trim()];
      if (!REGIONS.includes(region as Region)) throw new Error(`SPAPI_CONSENT_BASE_URL: unknown region "${region}" (NA, EU or FE)`);
      bases[region as Region] = checkedBase(url);
    }
    return new ConsentUrls(bases);
  }

  base(region: Region): string {
    return this.bases[region];
  }

  all(): string[] {
    return [...new Set(Object.values(this.bases))];
  }

  /** Seller Central's consent page for the app, the state and the redirect URI the code must go back to. */
  consentUrl(region: Region, consent: { applicationId: string; state: string; redirectUri: string; draft: boolean }): string {
    const url = new URL('/apps/authorize/consent', this.bases[region]);
    url.searchParams.set('application_id', consent.applicationId);
    url.searchParams.set('state', consent.state);
    url.searchParams.set('redirect_uri', consent.redirectUri);
    // A draft app (every private app) is authorized only with version=beta.
    if (consent.draft) url.searchParams.set('version', 'beta');
    return url.toString();
  }
}

function checkedBase(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`SPAPI_CONSENT_BASE_URL: "${text}" is not a URL`);
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.username || url.password || url.search || url.hash) {
    throw new Error(`SPAPI_CONSENT_BASE_URL: "${text}" must be an http(s) base URL without user, query or fragment`);
  }
  return url.origin;
}

/** A consent page only a stand-in has (plain http, a local or private host). */
export function isLocalOrPlain(base: string): boolean {
  return isLocalStandIn(base);
}
