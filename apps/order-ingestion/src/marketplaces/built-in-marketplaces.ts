import { MarketplaceView, Region } from '@connector/contracts';

/** The marketplaces known out of the box (Amazon's ids). */
export const BUILT_IN_MARKETPLACES: Omit<MarketplaceView, 'builtIn'>[] = [
  { marketplaceId: 'A2EUQ1WTGCTBG2', name: 'Amazon.ca', countryCode: 'CA', region: Region.NA, currency: 'CAD', domain: 'amazon.ca', taxIncluded: false },
  { marketplaceId: 'A1AM78C64UM0Y8', name: 'Amazon.com.mx', countryCode: 'MX', region: Region.NA, currency: 'MXN', domain: 'amazon.com.mx', taxIncluded: false },
  { marketplaceId: 'ATVPDKIKX0DER', name: 'Amazon.com', countryCode: 'US', region: Region.NA, currency: 'USD', domain: 'amazon.com', taxIncluded: false },
  { marketplaceId: 'A1PA6795UKMFR9', name: 'Amazon.de', countryCode: 'DE', region: Region.EU, currency: 'EUR', domain: 'amazon.de', taxIncluded: true },
  { marketplaceId: 'A1RKKUPIHCS9HS', name: 'Amazon.es', countryCode: 'ES', region: Region.EU, currency: 'EUR', domain: 'amazon.es', taxIncluded: true },
  { marketplaceId: 'A13V1IB3VIYZZH', name: 'Amazon.fr', countryCode: 'FR', region: Region.EU, currency: 'EUR', domain: 'amazon.fr', taxIncluded: true },
  { marketplaceId: 'A1F83G8C2ARO7P', name: 'Amazon.co.uk', countryCode: 'GB', region: Region.EU, currency: 'GBP', domain: 'amazon.co.uk', taxIncluded: true },
  { marketplaceId: 'APJ6JRA9NG5V4', name: 'Amazon.it', countryCode: 'IT', region: Region.EU, currency: 'EUR', domain: 'amazon.it', taxIncluded: true },
  { marketplaceId: 'A1805IZSGTT6HS', name: 'Amazon.nl', countryCode: 'NL', region: Region.EU, currency: 'EUR', domain: 'amazon.nl', taxIncluded: true },
];
