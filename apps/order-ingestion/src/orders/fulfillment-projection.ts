import { Injectable } from '@nestjs/common';
import {
  DELIVERY_CANCELED,
  DELIVERY_CREATED,
  DELIVERY_SHIPPED_OUTSIDE,
  DELIVERY_VALIDATED,
  DeliveryCanceledEvent,
  DeliveryCreatedEvent,
  DeliveryShippedOutsideEvent,
  DeliveryValidatedEvent,
  NOTIFICATION_FAILED,
  NOTIFICATION_SENT,
  NotificationOutcomeEvent,
} from '@connector/contracts';
import { EventBatchContext, EventContext, OnEvent, OnEvents } from '@connector/messaging';
import { EntityManager, In, IsNull } from 'typeorm';
import { SalesOrder } from './sales-order.entity';

/**
 * Keeps what other services announce: delivery and notification state of orders. (SKU →
 * product: SkuProductCache.) Events of one order may arrive out of order (redelivery, a
 * parked event replayed): each state applies only over an older one, by the delivery event's
 * version and the notification outcome's time; an event of an earlier release (neither)
 * applies as before.
 */
@Injectable()
export class FulfillmentProjection {
  /**
   * One per FBM order as it is synced, so they come in runs: one statement for a run. The
   * first delivery event of an order: it never overwrites a state a later event set.
   */
  @OnEvents(DELIVERY_CREATED)
  async deliveriesCreated(events: DeliveryCreatedEvent[], { manager }: EventBatchContext) {
    await manager.update(SalesOrder, { id: In(events.map((event) => event.orderId)), deliveryState: IsNull() }, { deliveryState: 'ready' });
  }

  @OnEvent(DELIVERY_VALIDATED)
  async deliveryValidated(event: DeliveryValidatedEvent, { manager }: EventContext) {
    await this.deliveryState(manager, event.orderId, event.fullyShipped ? 'done' : 'partially_done', event.fulfillmentVersion);
  }

  /** Shipped from Seller Central or with Buy Shipping: done as far as the order's delivery goes. */
  @OnEvent(DELIVERY_SHIPPED_OUTSIDE)
  async deliveryShippedOutside(event: DeliveryShippedOutsideEvent, { manager }: EventContext) {
    await this.deliveryState(manager, event.orderId, event.fullyShipped ? 'done' : 'partially_done', event.fulfillmentVersion);
  }

  @OnEvent(DELIVERY_CANCELED)
  async deliveryCanceled(event: DeliveryCanceledEvent, { manager }: EventContext) {
    await this.deliveryState(manager, event.orderId, event.fullyShipped ? 'done' : 'canceled', event.fulfillmentVersion);
  }

  @OnEvent(NOTIFICATION_SENT)
  async notificationSent(event: NotificationOutcomeEvent, { manager }: EventContext) {
    await this.notificationState(manager, event, null);
  }

  @OnEvent(NOTIFICATION_FAILED)
  async notificationFailed(event: NotificationOutcomeEvent, { manager }: EventContext) {
    await this.notificationState(manager, event, event.error);
    if (event.cancellationId && event.items?.length) await this.giveBackUnits(manager, event);
  }

  /**
   * Amazon refused (or was never told) a seller's cancellation of units, for good: the lines count
   * them as not cancelled again, so the order follows what Amazon shows (a sync takes the larger of
   * the line's count and Amazon's), and the order says why, for a person: inventory's delivery shrank
   * when they were cancelled and is not grown back (ship them in a new delivery or cancel them again).
   * Once per notification (a redelivered failure gives nothing back twice).
   */
  private async giveBackUnits(manager: EntityManager, event: NotificationOutcomeEvent): Promise<void> {
    const first: unknown[] = await manager.query(
      `insert into refused_cancellations (notification_id, cancellation_id, order_id)
       select $1, $2, id from sales_orders where id = $3
       on conflict (notification_id) do nothing returning notification_id`,
      [event.notificationId, event.cancellationId, event.orderId],
    );
    if (first.length === 0) return;
    const items = event.items!;
    await manager.query(
      `update sales_order_lines l set quantity_cancelled = greatest(l.quantity_cancelled - u.quantity, 0)
         from unnest($2::text[], $3::int[]) as u(order_item_id, quantity)
        where l.order_id = $1 and l.kind = 'product' and l.order_item_id = u.order_item_id`,
      [event.orderId, items.map((i) => i.orderItemId), items.map((i) => i.quantity)],
    );
    const units = items.map((i) => `${i.quantity} of ${i.orderItemId}`).join(', ');
    await manager.query(`update sales_orders set cancel_error = $2, updated_at = now() where id = $1`, [
      event.orderId,
      `Amazon did not take the cancellation of ${units} (${event.kind} failed for good): those units count as not cancelled again but are on no delivery; ship them or cancel them again`,
    ]);
  }

  private async deliveryState(manager: EntityManager, orderId: string, state: string, version: number | undefined): Promise<void> {
    await manager.query(
      `update sales_orders set delivery_state = $2, delivery_state_version = coalesce($3, delivery_state_version), updated_at = now()
        where id = $1 and ($3::int is null or delivery_state_version is null or delivery_state_version < $3)`,
      [orderId, state, version ?? null],
    );
  }

  private async notificationState(manager: EntityManager, event: NotificationOutcomeEvent, error: string | null): Promise<void> {
    await manager.query(
      `update sales_orders set amazon_notification_state = $2, amazon_notification_error = $3, amazon_notification_at = coalesce($4, amazon_notification_at), updated_at = now()
        where id = $1 and ($4::timestamptz is null or amazon_notification_at is null or amazon_notification_at <= $4)`,
      [event.orderId, `${event.kind}:${event.state}`, error, event.decidedAt ?? null],
    );
  }
}
