/**
 * The marketplaces the sandbox knows. Tax rates are one representative standard VAT /
 * sales-tax rate per marketplace, in basis points, so the generator can compute exact
 * integer-cent taxes.
 */
export type TaxMode = 'INCLUDED' | 'EXCLUDED';

export interface Marketplace {
  marketplaceId: string;
  countryCode: string;
  name: string;
  domain: string;
  currencyCode: string;
  region: 'NA' | 'EU';
  taxMode: TaxMode;
  /** Tax rate in basis points (1900 = 19%). */
  taxRateBp: number;
}

export const MARKETPLACES: readonly Marketplace[] = [
  { marketplaceId: 'A2EUQ1WTGCTBG2', countryCode: 'CA', name: 'Amazon.ca', domain: 'amazon.ca', currencyCode: 'CAD', region: 'NA', taxMode: 'EXCLUDED', taxRateBp: 1300 },
  { marketplaceId: 'A1AM78C64UM0Y8', countryCode: 'MX', name: 'Amazon.com.mx', domain: 'amazon.com.mx', currencyCode: 'MXN', region: 'NA', taxMode: 'EXCLUDED', taxRateBp: 1600 },
  { marketplaceId: 'ATVPDKIKX0DER', countryCode: 'US', name: 'Amazon.com', domain: 'amazon.com', currencyCode: 'USD', region: 'NA', taxMode: 'EXCLUDED', taxRateBp: 825 },
  { marketplaceId: 'A1PA6795UKMFR9', countryCode: 'DE', name: 'Amazon.de', domain: 'amazon.de', currencyCode: 'EUR', region: 'EU', taxMode: 'INCLUDED', taxRateBp: 1900 },
  { marketplaceId: 'A1RKKUPIHCS9HS', countryCode: 'ES', name: 'Amazon.es', domain: 'amazon.es', currencyCode: 'EUR', region: 'EU', taxMode: 'INCLUDED', taxRateBp: 2100 },
  { marketplaceId: 'A13V1IB3VIYZZH', countryCode: 'FR', name: 'Amazon.fr', domain: 'amazon.fr', currencyCode: 'EUR', region: 'EU', taxMode: 'INCLUDED', taxRateBp: 2000 },
  { marketplaceId: 'A1F83G8C2ARO7P', countryCode: 'GB', name: 'Amazon.co.uk', domain: 'amazon.co.uk', currencyCode: 'GBP', region: 'EU', taxMode: 'INCLUDED', taxRateBp: 2000 },
  { marketplaceId: 'APJ6JRA9NG5V4', countryCode: 'IT', name: 'Amazon.it', domain: 'amazon.it', currencyCode: 'EUR', region: 'EU', taxMode: 'INCLUDED', taxRateBp: 2200 },
  { marketplaceId: 'A1805IZSGTT6HS', countryCode: 'NL', name: 'Amazon.nl', domain: 'amazon.nl', currencyCode: 'EUR', region: 'EU', taxMode: 'INCLUDED', taxRateBp: 2100 },
];

const BY_ID = new Map(MARKETPLACES.map((m) => [m.marketplaceId, m]));

export function findMarketplace(marketplaceId: string): Marketplace | undefined {
  return BY_ID.get(marketplaceId);
}
