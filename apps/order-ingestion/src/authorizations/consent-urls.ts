import { isLocalStandIn } from '@connector/sp-api';
import type { Region } from '@connector/contracts';

/** Seller Central per region, for a marketplace it has no own site for (or none named): where Amazon's consent page is. */
export const SELLER_CENTRAL: Record<Region, string> = {
  NA: 'https://sellercentral.amazon.com',
  EU: 'https://sellercentral-europe.amazon.com',
  FE: 'https://sellercentral.amazon.co.jp',
} as Record<Region, string>;

/**
 * The Seller Central of each marketplace country that has its own (Amazon's "Seller Central URLs"):
 * a seller consents where they sign in, and an Australian or Singaporean seller does not sign in
 * at the Japanese one. Countries left out (UK, DE, FR, IT, ES, US) use their region's.
 */
export const SELLER_CENTRAL_BY_COUNTRY: Record<string, string> = {
  CA: 'https://sellercentral.amazon.ca',
  MX: 'https://sellercentral.amazon.com.mx',
  BR: 'https://sellercentral.amazon.com.br',
  BE: 'https://sellercentral.amazon.com.be',
  NL: 'https://sellercentral.amazon.nl',
  SE: 'https://sellercentral.amazon.se',
  PL: 'https://sellercentral.amazon.pl',
  IE: 'https://sellercentral.amazon.ie',
  ZA: 'https://sellercentral.amazon.co.za',
  EG: 'https://sellercentral.amazon.eg',
  TR: 'https://sellercentral.amazon.com.tr',
  SA: 'https://sellercentral.amazon.sa',
  AE: 'https://sellercentral.amazon.ae',
  IN: 'https://sellercentral.amazon.in',
  JP: 'https://sellercentral.amazon.co.jp',
  AU: 'https://sellercentral.amazon.com.au',
  SG: 'https://sellercentral.amazon.sg',
};

/** The sandbox of `npm start`: the development default, refused in production. */
export const DEVELOPMENT_CONSENT_BASE_URL = 'http://127.0.0.1:4500';

const REGIONS = Object.keys(SELLER_CENTRAL) as Region[];

/** The SPAPI_CONSENT_BASE_URL setting: `amazon`, one base URL, or `NA=<url>,EU=<url>,FE=<url>`. */
export class ConsentUrls {
  /** @param given the regions whose base the setting names: every country of such a region goes there. */
  private constructor(
    private readonly bases: Record<Region, string>,
    private readonly given: Set<Region>,
  ) {}

  static fromSetting(value: string): ConsentUrls {
    const text = value.trim();
    const bases = { ...SELLER_CENTRAL };
    if (text === '' || text === 'amazon') return new ConsentUrls(bases, new Set());
    if (!text.includes('=')) {
      const base = checkedBase(text);
      for (const region of REGIONS) bases[region] = base;
      return new ConsentUrls(bases, new Set(REGIONS));
    }
    const given = new Set<Region>();
    for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
      const [region, url] = [part.slice(0, part.indexOf('=')).trim(), part.slice(part.indexOf('=') + 1).trim()];
      if (!REGIONS.includes(region as Region)) throw new Error(`SPAPI_CONSENT_BASE_URL: unknown region "${region}" (NA, EU or FE)`);
      bases[region as Region] = checkedBase(url);
      given.add(region as Region);
    }
    return new ConsentUrls(bases, given);
  }

  /** Seller Central for a seller of this region, signing in for a marketplace of this country when one is known. */
  base(region: Region, countryCode?: string): string {
    if (this.given.has(region) || !countryCode) return this.bases[region];
    return SELLER_CENTRAL_BY_COUNTRY[countryCode.toUpperCase()] ?? this.bases[region];
  }

  all(): string[] {
    return [...new Set(Object.values(this.bases))];
  }

  /** Seller Central's consent page for the app, the state and the redirect URI the code must go back to. */
  consentUrl(region: Region, consent: { applicationId: string; state: string; redirectUri: string; draft: boolean; countryCode?: string }): string {
    const url = new URL('/apps/authorize/consent', this.base(region, consent.countryCode));
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
