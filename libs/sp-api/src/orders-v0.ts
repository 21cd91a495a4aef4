import type { GetOrderItemsResponse, GetOrderResponse, GetOrdersResponse, Order as V0Order, OrderItem as V0OrderItem, OrdersList } from '@sp-api-sdk/orders-api-v0';
import { SpApiClient, SpApiError } from './sp-api-client';

export type { V0Order, V0OrderItem };

/**
 * Orders v0 (deprecated by Amazon, removal planned 2027-03-27; kept as an account setting).
 * getOrders gives a page of order headers (buyer and shipping address only through a
 * restricted data token); each order's items need one getOrderItems call.
 */

export const V0_ORDERS_PATH = '/orders/v0/orders';
export const V0_ORDER_PATH = '/orders/v0/orders/{orderId}';
export const V0_ORDER_ITEMS_PATH = '/orders/v0/orders/{orderId}/orderItems';

/**
 * What the connector's RDT unlocks, in one token: buyer and shipping address on getOrders,
 * and the items' buyer info (gift message) on getOrderItems. Amazon accepts up to 50
 * resources per token and a `{orderId}` path covers every order.
 */
export const V0_RESTRICTED_RESOURCES = [
  { method: 'GET', path: V0_ORDERS_PATH, dataElements: ['buyerInfo', 'shippingAddress'] },
  { method: 'GET', path: V0_ORDER_PATH, dataElements: ['buyerInfo', 'shippingAddress'] },
  { method: 'GET', path: V0_ORDER_ITEMS_PATH, dataElements: ['buyerInfo'] },
];

/** A token is renewed this long before Amazon says it expires. */
const RDT_RENEW_MARGIN_MS = 60_000;

export interface RestrictedResource {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE' | string;
  path: string;
  dataElements?: string[];
}

export interface CreateRestrictedDataTokenResponse {
  restrictedDataToken: string;
  /** Seconds. */
  expiresIn: number;
}

/** Tokens API 2021-03-01: one restricted data token for the resources given. */
export function createRestrictedDataToken(
  client: SpApiClient,
  restrictedResources: RestrictedResource[],
  targetApplication?: string,
): Promise<CreateRestrictedDataTokenResponse> {
  return client.request<CreateRestrictedDataTokenResponse>('createRestrictedDataToken', 'POST', '/tokens/2021-03-01/restrictedDataToken', {
    body: { restrictedResources, ...(targetApplication ? { targetApplication } : {}) },
  });
}

interface CachedRdt {
  value: string;
  expiresAt: number;
}

/** One cached RDT per client (so per account), shared by its concurrent callers. */
const rdtCache = new WeakMap<SpApiClient, { token?: CachedRdt; pending?: Promise<string> }>();

/**
 * The account's RDT for the v0 order operations, created once and reused while it is valid
 * (Amazon's expiresIn, renewed a minute early).
 */
export async function ordersRestrictedDataToken(client: SpApiClient, now: () => number = Date.now): Promise<string> {
  let entry = rdtCache.get(client);
  if (!entry) rdtCache.set(client, (entry = {}));
  if (entry.token && entry.token.expiresAt - RDT_RENEW_MARGIN_MS > now()) return entry.token.value;
  const slot = entry;
  slot.pending ??= createRestrictedDataToken(client, V0_RESTRICTED_RESOURCES)
    .then((answer) => {
      if (!answer?.restrictedDataToken) throw new SpApiError('createRestrictedDataToken', 200, 'InvalidResponse', 'no restrictedDataToken in the answer');
      slot.token = { value: answer.restrictedDataToken, expiresAt: now() + (answer.expiresIn ?? 3600) * 1000 };
      return answer.restrictedDataToken;
    })
    .finally(() => (slot.pending = undefined));
  return slot.pending;
}

/** Forgets the account's RDT (Amazon refused it: expired early or revoked). */
export function forgetRestrictedDataToken(client: SpApiClient, token?: string): void {
  const entry = rdtCache.get(client);
  if (entry?.token && (token === undefined || entry.token.value === token)) entry.token = undefined;
}

/** A call with the RDT; when Amazon refuses the token (403) a new one is made once. */
async function withRdt<T>(client: SpApiClient, call: (rdt: string) => Promise<T>): Promise<T> {
  const rdt = await ordersRestrictedDataToken(client);
  try {
    return await call(rdt);
  } catch (err) {
    if (!(err instanceof SpApiError) || err.status !== 403) throw err;
    forgetRestrictedDataToken(client, rdt);
    return call(await ordersRestrictedDataToken(client));
  }
}

export interface GetOrdersParams {
  marketplaceIds: string[];
  lastUpdatedAfter?: string;
  /** Instead of a time window: up to 50 orders by id. */
  amazonOrderIds?: string[];
  orderStatuses?: string[];
  fulfillmentChannels?: ('AFN' | 'MFN')[];
  nextToken?: string;
  maxResultsPerPage?: number;
}

/**
 * getOrders: one page of up to 100 orders, with BuyerInfo and the full ShippingAddress
 * (through the RDT). A NextToken request repeats the filters, as Amazon asks.
 */
export async function getOrders(client: SpApiClient, params: GetOrdersParams): Promise<OrdersList> {
  const response = await withRdt(client, (accessToken) =>
    client.request<GetOrdersResponse>('getOrders', 'GET', V0_ORDERS_PATH, {
      accessToken,
      query: {
        MarketplaceIds: params.marketplaceIds,
        LastUpdatedAfter: params.amazonOrderIds ? undefined : params.lastUpdatedAfter,
        AmazonOrderIds: params.amazonOrderIds,
        OrderStatuses: params.orderStatuses,
        FulfillmentChannels: params.fulfillmentChannels,
        MaxResultsPerPage: params.amazonOrderIds ? undefined : (params.maxResultsPerPage ?? 100),
        NextToken: params.nextToken,
      },
    }),
  );
  if (!response?.payload || !Array.isArray(response.payload.Orders)) throw new SpApiError('getOrders', 200, 'InvalidResponse', 'no payload.Orders in the answer');
  return response.payload;
}

/** getOrder (v0): one order's header, with BuyerInfo and the full ShippingAddress (through the RDT). */
export async function getV0Order(client: SpApiClient, amazonOrderId: string): Promise<V0Order> {
  const path = `${V0_ORDERS_PATH}/${encodeURIComponent(amazonOrderId)}`;
  const response = await withRdt(client, (accessToken) => client.request<GetOrderResponse>('getOrder', 'GET', path, { accessToken }));
  if (!response?.payload?.AmazonOrderId) throw new SpApiError('getOrder', 200, 'InvalidResponse', 'no payload.AmazonOrderId in the answer');
  return response.payload;
}

/** getOrderItems: every item of one order (following NextToken), with gift messages through the RDT. */
export async function getOrderItems(client: SpApiClient, amazonOrderId: string): Promise<V0OrderItem[]> {
  const path = `${V0_ORDERS_PATH}/${encodeURIComponent(amazonOrderId)}/orderItems`;
  const items: V0OrderItem[] = [];
  let nextToken: string | undefined;
  do {
    const token = nextToken;
    const response = await withRdt(client, (accessToken) =>
      client.request<GetOrderItemsResponse>('getOrderItems', 'GET', path, { accessToken, query: { NextToken: token } }),
    );
    if (!response?.payload || !Array.isArray(response.payload.OrderItems)) {
      throw new SpApiError('getOrderItems', 200, 'InvalidResponse', `no payload.OrderItems for ${amazonOrderId}`);
    }
    items.push(...response.payload.OrderItems);
    nextToken = response.payload.NextToken || undefined;
  } while (nextToken);
  return items;
}
