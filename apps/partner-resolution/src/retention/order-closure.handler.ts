import { Injectable } from '@nestjs/common';
import { ORDER_CANCELED, ORDER_SYNCED, OrderCanceledEvent, OrderSyncedEvent, SalesOrderStatus } from '@connector/contracts';
import { EventBatchContext, EventContext, OnEvent, OnEvents } from '@connector/messaging';
import { PickType } from '@nestjs/mapped-types';

const CLOSED = new Set<string>([SalesOrderStatus.Shipped, SalesOrderStatus.Canceled]);

/** The part of order.synced read here, and so validated here: not the lines. */
export class SyncedOrderPartners extends PickType(OrderSyncedEvent, ['orderId', 'version', 'status', 'contactId', 'deliveryAddressId'] as const) {}

/** Keeps, per order, its partners and when it was closed, for the retention job. */
@Injectable()
export class OrderClosureHandler {
  @OnEvents(ORDER_SYNCED, SyncedOrderPartners)
  async onOrdersSynced(events: SyncedOrderPartners[], { manager }: EventBatchContext): Promise<void> {
    // One row per order: the newest event of the batch wins (they come in delivery order).
    const latest = [...new Map(events.map((event) => [event.orderId, event])).values()];
    // A closed order stays closed at its first closing time; an open one has none.
    await manager.query(
      `insert into order_partners (order_id, contact_id, delivery_address_id, closed_at)
       select o.order_id, o.contact_id, o.delivery_address_id, case when o.closed then now() end
         from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::boolean[]) as o(order_id, contact_id, delivery_address_id, closed)
       on conflict (order_id) do update set contact_id = excluded.contact_id, delivery_address_id = excluded.delivery_address_id,
         closed_at = case when excluded.closed_at is not null then coalesce(order_partners.closed_at, excluded.closed_at) end`,
      [latest.map((e) => e.orderId), latest.map((e) => e.contactId), latest.map((e) => e.deliveryAddressId), latest.map((e) => CLOSED.has(e.status))],
    );
  }

  @OnEvent(ORDER_CANCELED, OrderCanceledEvent)
  async onOrderCanceled(event: OrderCanceledEvent, { manager }: EventContext): Promise<void> {
    await manager.query(`update order_partners set closed_at = coalesce(closed_at, now()) where order_id = $1`, [event.orderId]);
  }
}
