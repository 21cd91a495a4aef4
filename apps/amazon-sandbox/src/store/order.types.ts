/**
 * The v2026-01-01 Order shape (subset of Amazon's model that the sandbox fills). The
 * published SDK has the full types; the sandbox keeps its own so the build does not
 * depend on a dev-only package.
 */
export type FulfillmentStatus =
  | 'PENDING_AVAILABILITY'
  | 'PENDING'
  | 'UNSHIPPED'
  | 'PARTIALLY_SHIPPED'
  | 'SHIPPED'
  | 'CANCELLED'
  | 'UNFULFILLABLE';

export const FULFILLMENT_STATUSES: readonly FulfillmentStatus[] = [
  'PENDING_AVAILABILITY',
  'PENDING',
  'UNSHIPPED',
  'PARTIALLY_SHIPPED',
  'SHIPPED',
  'CANCELLED',
  'UNFULFILLABLE',
];

export type FulfilledBy = 'MERCHANT' | 'AMAZON';

export interface Money {
  amount: string;
  currencyCode: string;
}

export interface CustomerAddress {
  name?: string;
  companyName?: string;
  addressLine1?: string;
  addressLine2?: string;
  addressLine3?: string;
  city?: string;
  districtOrCounty?: string;
  stateOrRegion?: string;
  municipality?: string;
  postalCode?: string;
  countryCode?: string;
  phone?: string;
  addressType?: 'RESIDENTIAL' | 'COMMERCIAL' | 'PICKUP_POINT';
}

export interface Buyer {
  buyerName?: string;
  buyerEmail?: string;
  buyerCompanyName?: string;
  buyerPurchaseOrderNumber?: string;
}

export interface ProceedsDetailedBreakdown {
  subtype: string;
  value: Money;
}

export interface ProceedsBreakdown {
  type: string;
  subtotal: Money;
  detailedBreakdowns?: ProceedsDetailedBreakdown[];
}

export interface OrderItem {
  orderItemId: string;
  quantityOrdered: number;
  programs?: string[];
  product: {
    asin?: string;
    title?: string;
    sellerSku?: string;
    condition?: { conditionType?: string; conditionSubtype?: string; conditionNote?: string };
    price?: { unitPrice?: Money; priceDesignation?: string };
    serialNumbers?: string[];
  };
  proceeds?: { proceedsTotal?: Money; breakdowns?: ProceedsBreakdown[] };
  expense?: Record<string, unknown>;
  promotion?: { breakdowns?: { promotionId?: string }[] };
  cancellation?: {
    cancellationRequest?: { requester?: string; cancelReason?: string };
    cancellationExecution?: { cancelledBy?: string; cancelReason?: string };
  };
  fulfillment?: {
    quantityFulfilled?: number;
    quantityUnfulfilled?: number;
    packing?: { giftOption?: { giftMessage?: string; giftWrapLevel?: string } };
    [key: string]: unknown;
  };
  tax?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface OrderPackage {
  packageReferenceId: string;
  createdTime?: string;
  packageStatus?: { status: string; detailedStatus?: string };
  carrier?: string;
  shipTime?: string;
  shippingService?: string;
  trackingNumber?: string;
  shipFromAddress?: Record<string, unknown>;
  packageItems?: { orderItemId: string; quantity: number; transparencyCodes?: string[] }[];
}

export interface Order {
  orderId: string;
  orderAliases?: { aliasId: string; aliasType: string }[];
  createdTime: string;
  lastUpdatedTime: string;
  programs?: string[];
  associatedOrders?: { orderId?: string; associationType?: string }[];
  salesChannel: { channelName: string; marketplaceId?: string; marketplaceName?: string };
  buyer?: Buyer;
  recipient?: { deliveryAddress?: CustomerAddress; deliveryPreference?: Record<string, unknown> };
  proceeds?: { grandTotal?: Money; breakdowns?: ProceedsBreakdown[] };
  payment?: Record<string, unknown>;
  tax?: Record<string, unknown>;
  fulfillment?: {
    fulfillmentStatus: FulfillmentStatus;
    fulfilledBy?: FulfilledBy;
    fulfillmentServiceLevel?: string;
    shipByWindow?: { earliestDateTime?: string; latestDateTime?: string };
    deliverByWindow?: { earliestDateTime?: string; latestDateTime?: string };
  };
  orderItems: OrderItem[];
  packages?: OrderPackage[];
  fulfillmentOrders?: { fulfillmentOrderId: string }[];
  [key: string]: unknown;
}

/** What the store keeps per order: the full Amazon record plus who owns it. */
export interface StoredOrder {
  sellerId: string;
  order: Order;
}
