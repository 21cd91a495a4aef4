import { OrdersApiVersion } from '@connector/contracts';
import { Feed, getFeeds, getOrder, getOrderItems, SpApiClient } from '@connector/sp-api';
import { CancellationItem, CancellationPayload } from './cancellation-feeds';
import { ORDER_ADJUSTMENT_FEED_TYPE } from './order-adjustment-feed';

/**
 * A unit cancellation whose createFeed answer was never recorded may be in a feed at Amazon
 * already, and sending it again would cancel its units twice (Amazon's getFeeds does not name a
 * feed's input document, so that feed cannot be found). So before it is sent again: no adjustment
 * feed of the marketplace may still be processing (that feed could be it, and apply after the
 * look at the order), then each item's units still ordered at Amazon are compared with the units
 * the cancellation leaves. Amazon applies one by lowering the item's quantity (QuantityOrdered on
 * v0, quantityOrdered on v2026-01-01; neither has a count of units cancelled), so an item showing
 * no more than the units left has it applied.
 */

/** What became of a unit cancellation at Amazon, item by item. */
export type UnitCancellationAtAmazon =
  | { applied: true; items: { orderItemId: string; quantityOrdered: number }[] }
  /** `items`: those still to send (Amazon shows more units than the cancellation leaves, or not the item). */
  | { applied: false; items: CancellationItem[] }
  /** Recorded without the units left (before they were kept): nothing to compare with. */
  | { applied: 'unknown' };

export function compareWithAmazon(payload: CancellationPayload, quantityOrdered: Map<string, number>): UnitCancellationAtAmazon {
  const items = payload.items ?? [];
  if (items.length === 0 || items.some((item) => item.quantityLeft === undefined)) return { applied: 'unknown' };
  const notApplied = items.filter((item) => {
    const atAmazon = quantityOrdered.get(item.orderItemId);
    return atAmazon === undefined || atAmazon > item.quantityLeft!;
  });
  if (notApplied.length > 0) return { applied: false, items: notApplied };
  return { applied: true, items: items.map((item) => ({ orderItemId: item.orderItemId, quantityOrdered: quantityOrdered.get(item.orderItemId)! })) };
}

/** Each item's units still ordered at Amazon, through the Orders API the account is read with. */
export async function amazonQuantitiesOrdered(client: SpApiClient, ordersApi: OrdersApiVersion | undefined, amazonOrderId: string): Promise<Map<string, number>> {
  if (ordersApi === OrdersApiVersion.V0) {
    const items = await getOrderItems(client, amazonOrderId);
    return new Map(items.map((item) => [item.OrderItemId, item.QuantityOrdered]));
  }
  const order = await getOrder(client, amazonOrderId);
  return new Map((order.orderItems ?? []).map((item) => [item.orderItemId, item.quantityOrdered]));
}

/** How far back getFeeds may look (Amazon: 90 days). */
const GET_FEEDS_HORIZON_MS = 89 * 86_400_000;
/** Our clock and Amazon's may differ a little. */
const CLOCK_MARGIN_MS = 10 * 60_000;

/** Adjustment feeds of the marketplace made since `since` that Amazon has not finished. */
export async function unfinishedAdjustmentFeeds(client: SpApiClient, marketplaceId: string, since: Date, now = Date.now()): Promise<Feed[]> {
  const from = Math.max(since.getTime() - CLOCK_MARGIN_MS, now - GET_FEEDS_HORIZON_MS);
  return getFeeds(client, {
    feedTypes: [ORDER_ADJUSTMENT_FEED_TYPE],
    marketplaceIds: [marketplaceId],
    processingStatuses: ['IN_QUEUE', 'IN_PROGRESS'],
    createdSince: new Date(from).toISOString(),
  });
}
