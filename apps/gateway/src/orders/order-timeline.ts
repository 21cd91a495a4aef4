import { DeliveryState, DeliveryView, NotificationKind, NotificationState, NotificationView, SalesOrderStatus, SalesOrderView } from '@connector/contracts';
import { OrderEventKind, OrderTimelineEventView } from './order-details.views';

/** Of events at the same instant, the one that comes first in the order's life. */
const LIFE_ORDER: OrderEventKind[] = Object.values(OrderEventKind);

const TOLD = { [NotificationKind.ShipmentConfirmation]: 'confirmation', [NotificationKind.Cancellation]: 'cancellation', [NotificationKind.UnitCancellation]: 'cancellation' } as const;

/**
 * An order's life, oldest first, from what the services keep: the order's own times
 * (order-ingestion), its deliveries and their stock moves (inventory), and what was told to
 * Amazon (amazon-notifications). No event history is stored: each event is a time one of them
 * recorded, so an order shows what happened to it, not every re-sync that changed nothing.
 * `deliveries` and `notifications` are null when their service did not answer.
 */
export function orderTimeline(order: SalesOrderView, deliveries: DeliveryView[] | null, notifications: NotificationView[] | null): OrderTimelineEventView[] {
  const events: OrderTimelineEventView[] = [];
  const add = (at: string | null | undefined, kind: OrderEventKind, summary: string, ids: { deliveryId?: string; notificationId?: string } = {}) => {
    if (at) events.push({ at: new Date(at).toISOString(), kind, summary, deliveryId: ids.deliveryId ?? null, notificationId: ids.notificationId ?? null });
  };

  add(order.purchasedAt, OrderEventKind.Purchased, `Bought on Amazon (${order.amazonOrderId}, ${order.channel})`);
  add(order.createdAt, OrderEventKind.Created, `Synced from Amazon as a ${order.status.replace(/_/g, ' ')} order`);
  if (order.amazonUpdatedAt > order.purchasedAt) add(order.amazonUpdatedAt, OrderEventKind.ChangedAtAmazon, `Amazon last changed it (now ${order.amazonStatus})`);
  // Within a second of its creation, the update is the creation's own write.
  if (Date.parse(order.updatedAt) - Date.parse(order.createdAt) > 1000) add(order.updatedAt, OrderEventKind.Updated, 'Last changed here');

  for (const delivery of deliveries ?? []) {
    const ids = { deliveryId: delivery.id };
    add(delivery.createdAt, OrderEventKind.DeliveryCreated, delivery.backorderOfId ? 'Backorder made for the units left to ship' : 'Delivery made for the warehouse', ids);
    add(delivery.heldAt, OrderEventKind.DeliveryHeld, 'Delivery held: the buyer asked Amazon to cancel', ids);
    add(delivery.holdReleasedAt, OrderEventKind.DeliveryReleased, 'Hold released by the seller', ids);
    if (delivery.shippedOutsideAt) {
      add(delivery.shippedOutsideAt, OrderEventKind.ShippedOutside, 'Shipped outside the connector (Amazon reported it)', ids);
    } else if (delivery.state === DeliveryState.Done) {
      // Validation marks its moves done at once. Without a move there is no time the connector
      // recorded: the ship date is the seller's to choose (any past day, or tomorrow), so no event.
      const doneAt = delivery.moves.map((move) => move.doneAt).filter((at): at is string => !!at).sort().pop();
      const carrier = delivery.carrierName ?? delivery.carrierCode;
      add(doneAt, OrderEventKind.Shipped, `Shipped${carrier ? ` with ${carrier}` : ''}${delivery.trackingNumber ? `, tracking ${delivery.trackingNumber}` : ''}`, ids);
    }
  }

  for (const n of notifications ?? []) {
    const ids = { notificationId: n.id, ...(n.deliveryId ? { deliveryId: n.deliveryId } : {}) };
    const what = n.kind === NotificationKind.ShipmentConfirmation ? 'Shipment confirmation' : n.kind === NotificationKind.UnitCancellation ? 'Cancellation of units' : 'Cancellation';
    const told = TOLD[n.kind];
    add(n.createdAt, told === 'confirmation' ? OrderEventKind.ConfirmationQueued : OrderEventKind.CancellationQueued, `${what} to tell Amazon`, ids);
    if (told === 'cancellation') add(n.feedSubmittedAt, OrderEventKind.CancellationFeedSubmitted, `${what} sent in Amazon feed ${n.feedId ?? ''}`.trim(), ids);
    if (n.state === NotificationState.Sent) {
      add(n.sentAt ?? n.decidedAt, told === 'confirmation' ? OrderEventKind.ConfirmationSent : OrderEventKind.CancellationSent, `${what} accepted by Amazon`, ids);
    } else if (n.state === NotificationState.Failed) {
      // Outcomes recorded before decidedAt existed have no time of their own: the try before it is the nearest.
      add(n.decidedAt ?? n.feedSubmittedAt ?? n.createdAt, told === 'confirmation' ? OrderEventKind.ConfirmationFailed : OrderEventKind.CancellationFailed, `${what} failed: ${n.lastError ?? 'no error recorded'}`, ids);
    }
  }

  if (order.status === SalesOrderStatus.Canceled) {
    // No cancellation time is kept on the order: the seller's is when its notification to Amazon was made, Amazon's its last change.
    const told = (notifications ?? []).filter((n) => n.kind === NotificationKind.Cancellation && !n.cancellationId).map((n) => n.createdAt).sort()[0];
    const at = order.canceledBy === 'seller' ? (told ?? order.updatedAt) : order.amazonUpdatedAt;
    add(at, OrderEventKind.Cancelled, `Cancelled by ${order.canceledBy === 'seller' ? 'the seller' : 'Amazon'}${order.cancelReason ? ` (${order.cancelReason})` : ''}`);
  }

  return events.sort((a, b) => a.at.localeCompare(b.at) || LIFE_ORDER.indexOf(a.kind) - LIFE_ORDER.indexOf(b.kind));
}
