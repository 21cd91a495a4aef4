import { NotificationKind } from '@connector/contracts';
import { buildOrderAcknowledgementFeed, ORDER_ACKNOWLEDGEMENT_FEED_TYPE } from './order-acknowledgement-feed';
import { buildOrderAdjustmentFeed, ORDER_ADJUSTMENT_FEED_TYPE } from './order-adjustment-feed';

/** What the intake stores for a cancellation (whole order, whole items) or a unit cancellation. */
export interface CancellationPayload {
  reason: string | null;
  items: CancellationItem[];
}

export interface CancellationItem {
  orderItemId: string;
  /** Units cancelled (a whole order's or item's: all it had). */
  quantity: number;
  /** Unit cancellations: the item's units still ordered once it is applied (what Amazon then shows). */
  quantityLeft?: number;
}

/** The notification kinds that go to Amazon in feeds, each in a feed of its own type. */
export const FEED_KINDS = [NotificationKind.Cancellation, NotificationKind.UnitCancellation] as const;
export type FeedKind = (typeof FEED_KINDS)[number];

export function isFeedKind(kind: string): kind is FeedKind {
  return (FEED_KINDS as readonly string[]).includes(kind);
}

/**
 * The feed of one batch of a kind's notifications, MessageID `messageIds[i]` for row i: a
 * cancellation is an OrderAcknowledgement (StatusCode Failure; its items, all of them for a whole
 * order), a unit cancellation an OrderAdjustment (QuantityCancelled per item). Both answer with the
 * same processing report, so submitting, polling and retrying are one mechanism.
 */
export function cancellationFeed(
  kind: FeedKind,
  merchantIdentifier: string,
  rows: { messageId: number; amazonOrderId: string; payload: CancellationPayload }[],
): { feedType: string; content: string } {
  if (kind === NotificationKind.UnitCancellation) {
    return {
      feedType: ORDER_ADJUSTMENT_FEED_TYPE,
      content: buildOrderAdjustmentFeed(
        merchantIdentifier,
        rows.map((row) => ({ messageId: row.messageId, amazonOrderId: row.amazonOrderId, reason: row.payload.reason, items: row.payload.items ?? [] })),
      ),
    };
  }
  return {
    feedType: ORDER_ACKNOWLEDGEMENT_FEED_TYPE,
    content: buildOrderAcknowledgementFeed(
      merchantIdentifier,
      rows.map((row) => ({ messageId: row.messageId, amazonOrderId: row.amazonOrderId, reason: row.payload.reason, orderItemIds: (row.payload.items ?? []).map((item) => item.orderItemId) })),
    ),
  };
}
