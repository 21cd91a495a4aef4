import { ApiExtraModels, ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { DeliveryAddressView, DeliveryView, NotificationView, PartnerView, SalesOrderView } from '@connector/contracts';
import { Part, UNAVAILABLE } from '../common/parts';

export { UNAVAILABLE };
export type { Part };

export const UNAVAILABLE_SCHEMA = { type: 'string', enum: [UNAVAILABLE], description: 'its service did not answer' };
/** A part as OpenAPI says it: the view, null when there is none, or "unavailable". */
export const part = (view: Function, description: string) =>
  ApiProperty({ description, nullable: true, oneOf: [{ $ref: getSchemaPath(view) }, UNAVAILABLE_SCHEMA] });
const parts = (view: Function, description: string) =>
  ApiProperty({ description, oneOf: [{ type: 'array', items: { $ref: getSchemaPath(view) } }, UNAVAILABLE_SCHEMA] });

/**
 * GET /api/v1/orders/:id: the sales order with what other services know of it. Only the order
 * itself is required; a missing part is null, a part whose service fails is "unavailable".
 */
@ApiExtraModels(PartnerView, DeliveryAddressView, DeliveryView, NotificationView)
export class OrderDetailsView extends SalesOrderView {
  @part(PartnerView, 'The buyer (contact).')
  contact: Part<PartnerView | null>;
  @part(DeliveryAddressView, 'Where the order goes.')
  deliveryAddress: Part<DeliveryAddressView | null>;
  @part(DeliveryView, 'The order\'s delivery (the first one; a partial shipment leaves backorders in `deliveries`).')
  delivery: Part<DeliveryView | null>;
  @parts(DeliveryView, 'Every delivery of the order.')
  deliveries: Part<DeliveryView[]>;
  @parts(NotificationView, 'What was told to Amazon about the order.')
  notifications: Part<NotificationView[]>;
}

/** What happened to an order, in the order of its life (events at one instant keep this order). */
export enum OrderEventKind {
  /** The buyer bought it on Amazon (purchase date). */
  Purchased = 'purchased',
  /** The connector first stored it. */
  Created = 'created',
  /** Amazon's last change of it (its LastUpdateDate). */
  ChangedAtAmazon = 'changed_at_amazon',
  /** The connector's last change of it (a re-sync with news, a delivery's or a notification's outcome). */
  Updated = 'updated',
  DeliveryCreated = 'delivery_created',
  DeliveryHeld = 'delivery_held',
  DeliveryReleased = 'delivery_released',
  /** A delivery validated: its stock moves done. */
  Shipped = 'shipped',
  /** Amazon reported it shipped from Seller Central or Buy Shipping. */
  ShippedOutside = 'shipped_outside',
  Cancelled = 'cancelled',
  ConfirmationQueued = 'confirmation_queued',
  ConfirmationSent = 'confirmation_sent',
  ConfirmationFailed = 'confirmation_failed',
  CancellationQueued = 'cancellation_queued',
  CancellationFeedSubmitted = 'cancellation_feed_submitted',
  CancellationSent = 'cancellation_sent',
  CancellationFailed = 'cancellation_failed',
}

export class OrderTimelineEventView {
  /** @example "2026-12-06T20:14:00.000Z" */
  at: string;
  @ApiProperty({ enum: OrderEventKind, enumName: 'OrderEventKind' })
  kind: OrderEventKind;
  /** In words, for people. @example "Shipped with DHL, tracking 00340434161094042557" */
  summary: string;
  /** The delivery it is about, if any. */
  deliveryId: string | null;
  /** The notification to Amazon it is about, if any. */
  notificationId: string | null;
}

/** GET /api/v1/orders/:id/timeline. */
export class OrderTimelineView {
  orderId: string;
  /** Oldest first. */
  events: OrderTimelineEventView[];
  /**
   * Parts whose service did not answer (`deliveries`, `notifications`): their events are missing, the rest is shown.
   * @example []
   */
  incomplete: ('deliveries' | 'notifications')[];
}
