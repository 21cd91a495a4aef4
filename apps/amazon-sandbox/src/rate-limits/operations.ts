/** Amazon's published usage plans (rate per second, burst) per SP-API operation. */
export interface UsagePlan {
  rate: number;
  burst: number;
}

export const USAGE_PLANS = {
  searchOrders: { rate: 0.0056, burst: 20 },
  getOrder2026: { rate: 0.5, burst: 30 },
  getOrders: { rate: 0.0167, burst: 20 },
  getOrder: { rate: 0.5, burst: 30 },
  getOrderItems: { rate: 0.5, burst: 30 },
  getOrderAddress: { rate: 0.5, burst: 30 },
  getOrderBuyerInfo: { rate: 0.5, burst: 30 },
  getOrderItemsBuyerInfo: { rate: 0.5, burst: 30 },
  confirmShipment: { rate: 2, burst: 10 },
  createRestrictedDataToken: { rate: 1, burst: 10 },
  createFeed: { rate: 0.0083, burst: 15 },
  createFeedDocument: { rate: 0.5, burst: 15 },
  getFeed: { rate: 2, burst: 15 },
  getFeeds: { rate: 0.0222, burst: 10 },
  getFeedDocument: { rate: 0.0222, burst: 10 },
  getMarketplaceParticipations: { rate: 0.016, burst: 15 },
  createDestination: { rate: 1, burst: 5 },
  getDestinations: { rate: 1, burst: 5 },
  createSubscription: { rate: 1, burst: 5 },
  getSubscription: { rate: 1, burst: 5 },
  deleteSubscriptionById: { rate: 1, burst: 5 },
  patchListingsItem: { rate: 5, burst: 5 },
} as const satisfies Record<string, UsagePlan>;

export type SpApiOperation = keyof typeof USAGE_PLANS;

/** Operations called with a grantless token (LWA client_credentials), and the scope it must have. */
export const GRANTLESS_OPERATIONS = {
  createDestination: 'sellingpartnerapi::notifications',
  getDestinations: 'sellingpartnerapi::notifications',
  deleteSubscriptionById: 'sellingpartnerapi::notifications',
} as const satisfies Partial<Record<SpApiOperation, string>>;
