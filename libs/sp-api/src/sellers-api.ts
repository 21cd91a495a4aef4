import { SpApiClient } from './sp-api-client';

/** Sellers API v1 (Amazon's model `sellers.json`): the marketplaces a seller can list in. */

export interface SellersMarketplace {
  /** The marketplace id. */
  id: string;
  name: string;
  /** ISO 3166-1 alpha-2. */
  countryCode: string;
  defaultCurrencyCode: string;
  defaultLanguageCode: string;
  domainName: string;
}

export interface MarketplaceParticipation {
  marketplace: SellersMarketplace;
  participation: { isParticipating: boolean; hasSuspendedListings: boolean };
  storeName: string;
}

export interface GetMarketplaceParticipationsResponse {
  payload?: MarketplaceParticipation[];
  errors?: { code: string; message: string; details?: string }[];
}

/** getMarketplaceParticipations: every marketplace of the seller's region, with whether the seller takes part. 0.016 rps, burst 15. */
export async function getMarketplaceParticipations(client: SpApiClient): Promise<MarketplaceParticipation[]> {
  const response = await client.request<GetMarketplaceParticipationsResponse>('getMarketplaceParticipations', 'GET', '/sellers/v1/marketplaceParticipations');
  return (response?.payload ?? []).filter(isParticipation);
}

/** Only entries with Amazon's required fields: anything else would be stored half. */
function isParticipation(value: MarketplaceParticipation): boolean {
  const m = value?.marketplace;
  return (
    typeof m?.id === 'string' &&
    /^[A-Z0-9]{8,20}$/.test(m.id) &&
    typeof m.countryCode === 'string' &&
    typeof m.name === 'string' &&
    typeof value.participation?.isParticipating === 'boolean' &&
    typeof value.participation?.hasSuspendedListings === 'boolean'
  );
}
