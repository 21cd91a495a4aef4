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
import { returnedRows } from '@connector/workers';
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
    // The validation committed: its claim is no longer provisional (settleUnconfirmedClaims leaves it be).
    await manager.query(`update shipment_claims set confirmed_at = now() where delivery_id = $1 and confirmed_at is null`, [event.deliveryId]);
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
    if (event.cancellationId && event.items?.length) await this.reapplyUnits(manager, event);
  }

  @OnEvent(NOTIFICATION_FAILED)
  async notificationFailed(event: NotificationOutcomeEvent, { manager }: EventContext) {
    await this.notificationState(manager, event, event.error);
    if (!event.cancellationId || !event.items?.length) return;
    if (event.refusedByAmazon) await this.giveBackUnits(manager, event);
    else await this.flagUnknownOutcome(manager, event);
  }

  /**
   * Amazon refused a seller's cancellation of units, surely (an error for its message, a feed that
   * applied nothing, createFeed refused): the lines count them as not cancelled again, so the order
   * follows what Amazon shows (a sync takes the larger of the line's count and Amazon's), and the order
   * says why, for a person: inventory's delivery shrank when they were cancelled and is not grown back
   * (ship them in a new delivery or cancel them again). Once per outcome: a redelivered failure gives
   * nothing back twice, an older one arriving after a newer outcome of the notification changes nothing.
   */
  private async giveBackUnits(manager: EntityManager, event: NotificationOutcomeEvent): Promise<void> {
    const first: unknown[] = await manager.query(
      `insert into refused_cancellations (notification_id, cancellation_id, order_id, given_back, decided_at)
       select $1, $2, id, true, $4 from sales_orders where id = $3
       on conflict (notification_id) do update set given_back = true, decided_at = excluded.decided_at, given_back_at = now()
        where not refused_cancellations.given_back
          and (refused_cancellations.decided_at is null or excluded.decided_at is null or refused_cancellations.decided_at < excluded.decided_at)
       returning notification_id`,
      [event.notificationId, event.cancellationId, event.orderId, event.decidedAt ?? null],
    );
    if (first.length === 0) return;
    const items = event.items!;
    await manager.query(
      `update sales_order_lines l set quantity_cancelled = greatest(l.quantity_cancelled - u.quantity, 0)
         from unnest($2::text[], $3::int[]) as u(order_item_id, quantity)
        where l.order_id = $1 and l.kind = 'product' and l.order_item_id = u.order_item_id`,
      [event.orderId, items.map((i) => i.orderItemId), items.map((i) => i.quantity)],
    );
    await this.orderSays(
      manager,
      event.orderId,
      `Amazon did not take the cancellation of ${unitsOf(event)} (${event.kind} failed for good): those units count as not cancelled again but are on no delivery; ship them or cancel them again`,
    );
  }

  /**
   * A cancellation of units failed for good without Amazon saying no (an outage outlasted, a DONE feed
   * silent about it, a check that could not tell): Amazon may have applied it, so the lines keep the
   * units cancelled (given back, they could be shipped and refunded both); a person checks the order.
   */
  private async flagUnknownOutcome(manager: EntityManager, event: NotificationOutcomeEvent): Promise<void> {
    await this.orderSays(
      manager,
      event.orderId,
      `the cancellation of ${unitsOf(event)} (${event.kind}) failed for good and Amazon may have applied it: those units stay cancelled here; check the order at Amazon and retry it by hand only if they are not cancelled there`,
    );
  }

  /**
   * A cancellation whose units were given back reached Amazon after all (retried by hand): Amazon
   * cancels them, so the lines count them as cancelled again. Units a delivery claimed meanwhile
   * are both shipped and cancelled at Amazon: the order says so.
   */
  private async reapplyUnits(manager: EntityManager, event: NotificationOutcomeEvent): Promise<void> {
    const taken = returnedRows(
      await manager.query(
        `update refused_cancellations set given_back = false, decided_at = $2
          where notification_id = $1 and given_back and ($2::timestamptz is null or decided_at is null or decided_at < $2) returning notification_id`,
        [event.notificationId, event.decidedAt ?? null],
      ),
    );
    if (taken.length === 0) {
      // Recorded, so a failure of this notification decided earlier but arriving later gives nothing back.
      await manager.query(
        `insert into refused_cancellations (notification_id, cancellation_id, order_id, given_back, decided_at)
         select $1, $2, id, false, $4 from sales_orders where id = $3 on conflict (notification_id) do nothing`,
        [event.notificationId, event.cancellationId, event.orderId, event.decidedAt ?? null],
      );
      return;
    }
    const items = event.items!;
    const lines = returnedRows(
      await manager.query(
        `update sales_order_lines l set quantity_cancelled = least(l.quantity_cancelled + u.quantity, l.quantity)
           from unnest($2::text[], $3::int[]) as u(order_item_id, quantity)
          where l.order_id = $1 and l.kind = 'product' and l.order_item_id = u.order_item_id
         returning l.order_item_id, l.quantity, l.quantity_cancelled as cancelled,
                   greatest(l.quantity_shipped, (select coalesce(sum(c.quantity), 0)::int from shipment_claims c where c.order_id = l.order_id and c.order_item_id = l.order_item_id)) as claimed`,
        [event.orderId, items.map((i) => i.orderItemId), items.map((i) => i.quantity)],
      ),
    ) as { order_item_id: string; quantity: number; cancelled: number; claimed: number }[];
    const overlap = lines.filter((line) => line.cancelled + line.claimed > line.quantity);
    await this.orderSays(
      manager,
      event.orderId,
      overlap.length
        ? `Amazon took the cancellation of ${unitsOf(event)} after all, but a delivery shipped some of them meanwhile (${overlap.map((l) => l.order_item_id).join(', ')}): check the order at Amazon`
        : null,
    );
  }

  private async orderSays(manager: EntityManager, orderId: string, cancelError: string | null): Promise<void> {
    await manager.query(`update sales_orders set cancel_error = $2, updated_at = now() where id = $1`, [orderId, cancelError]);
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

function unitsOf(event: NotificationOutcomeEvent): string {
  return (event.items ?? []).map((i) => `${i.quantity} of ${i.orderItemId}`).join(', ');
}
