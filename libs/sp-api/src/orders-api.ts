import type { Order, SearchOrdersResponse } from '@sp-api-sdk/orders-api-2026-01-01';
import { SpApiClient } from './sp-api-client';

export type AmazonOrder = Order;

/** Every section the connector maps, in one call per page. */
export const INCLUDED_DATA = ['BUYER', 'RECIPIENT', 'PROCEEDS', 'PROMOTION', 'CANCELLATION', 'FULFILLMENT', 'PACKAGES'];

export interface SearchOrdersParams {
  lastUpdatedAfter: string;
  marketplaceIds: string[];
  paginationToken?: string;
  maxResultsPerPage?: number;
}

/** Orders v2026-01-01: a page of up to 100 whole orders per call. */
export function searchOrders(client: SpApiClient, params: SearchOrdersParams): Promise<SearchOrdersResponse> {
  return client.request<SearchOrdersResponse>('searchOrders', 'GET', '/orders/2026-01-01/orders', {
    query: {
      lastUpdatedAfter: params.lastUpdatedAfter,
      marketplaceIds: params.marketplaceIds,
      maxResultsPerPage: params.maxResultsPerPage ?? 100,
      includedData: INCLUDED_DATA,
      paginationToken: params.paginationToken,
    },
  });
}

export async function getOrder(client: SpApiClient, orderId: string): Promise<Order> {
  const response = await client.request<{ order: Order }>('getOrder', 'GET', `/orders/2026-01-01/orders/${encodeURIComponent(orderId)}`, {
    query: { includedData: INCLUDED_DATA },
  });
  return response.order;
}

export interface ShipmentConfirmation {
  marketplaceId: string;
  packageDetail: {
    packageReferenceId: string;
    carrierCode: string;
    carrierName?: string;
    shippingMethod?: string;
    /** Amazon's id of the warehouse it ships from (Supply Sources API). */
    shipFromSupplySourceId?: string;
    trackingNumber: string;
    shipDate: string;
    orderItems: { orderItemId: string; quantity: number }[];
  };
}

/** The v0 path, used for both Orders API versions. Answers 204. */
export async function confirmShipment(client: SpApiClient, amazonOrderId: string, body: ShipmentConfirmation, options: { mayStart?: () => boolean } = {}): Promise<void> {
  await client.request<void>('confirmShipment', 'POST', `/orders/v0/orders/${encodeURIComponent(amazonOrderId)}/shipmentConfirmation`, { body, mayStart: options.mayStart });
}
