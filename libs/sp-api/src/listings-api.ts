import { SpApiClient } from './sp-api-client';

/** Listings Items API 2021-08-01 (Amazon's model `listingsItems_2021-08-01.json`). */

export interface ListingsIssue {
  code: string;
  message: string;
  severity: 'ERROR' | 'WARNING' | 'INFO';
  attributeNames?: string[];
}

export interface ListingsItemSubmissionResponse {
  sku: string;
  status: 'ACCEPTED' | 'INVALID' | 'VALID';
  submissionId: string;
  issues?: ListingsIssue[];
}

/** What the seller's own stock says of an FBM offer: Amazon's `fulfillment_availability` for the DEFAULT (merchant) channel. */
export interface MerchantAvailability {
  quantity: number;
  /** Handling time in days; left out, Amazon keeps the listing's. */
  leadTimeToShipMaxDays?: number;
}

/** The JSON Patch that replaces a listing's merchant-fulfilled quantity: the same for patchListingsItem and JSON_LISTINGS_FEED messages. */
export function availabilityPatches(availability: MerchantAvailability) {
  return [
    {
      op: 'replace' as const,
      path: '/attributes/fulfillment_availability',
      value: [
        {
          fulfillment_channel_code: 'DEFAULT',
          quantity: availability.quantity,
          ...(availability.leadTimeToShipMaxDays !== undefined ? { lead_time_to_ship_max_days: availability.leadTimeToShipMaxDays } : {}),
        },
      ],
    },
  ];
}

/**
 * patchListingsItem (5 rps, burst 5): one SKU in one marketplace. Amazon takes the patch or
 * answers INVALID with issues (200 both); a malformed request is an SpApiError (400).
 */
export async function patchListingAvailability(client: SpApiClient, sellerId: string, sku: string, marketplaceId: string, availability: MerchantAvailability): Promise<ListingsItemSubmissionResponse> {
  return client.request<ListingsItemSubmissionResponse>('patchListingsItem', 'PATCH', `/listings/2021-08-01/items/${encodeURIComponent(sellerId)}/${encodeURIComponent(sku)}`, {
    query: { marketplaceIds: marketplaceId, issueLocale: 'en_US' },
    // PRODUCT: the product type Amazon takes for a patch of offer-level attributes only.
    body: { productType: 'PRODUCT', patches: availabilityPatches(availability) },
  });
}
