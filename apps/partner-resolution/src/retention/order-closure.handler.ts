import { Injectable } from '@nestjs/common';
import { ORDER_CANCELED, ORDER_SYNCED, OrderCanceledEvent, OrderSyncedEvent, SalesOrderStatus } from '@connector/contracts';
import { EventContext, OnEvent } from '@connector/messaging';

const CLOSED = new Set<string>([SalesOrderStatus.Shipped, SalesOrderStatus.Canceled]);

/** Keeps, per order, its partners and when it was closed, for the retention job. */
@Injectable()
export class OrderClosureHandler {
  @OnEvent(ORDER_SYNCED, OrderSyncedEvent)
  async onOrderSynced(event: OrderSyncedEvent, { manager }: EventContext): Promise<void> {
    // A closed order stays closed at its first closing time; an open one has none.
    await manager.query(
      `insert into order_partners (order_id, contact_id, delivery_address_id, closed_at)
       values ($1, $2, $3, case when $4 then now() end)
       on conflict (order_id) do update set contact_id = excluded.contact_id, delivery_address_id = excluded.delivery_address_id,
         closed_at = case when $4 then coalesce(order_partners.closed_at, now()) end`,
      [event.orderId, event.contactId, event.deliveryAddressId, CLOSED.has(event.status)],
    );
  }

  @OnEvent(ORDER_CANCELED, OrderCanceledEvent)
  async onOrderCanceled(event: OrderCanceledEvent, { manager }: EventContext): Promise<void> {
    await manager.query(`update order_partners set closed_at = coalesce(closed_at, now()) where order_id = $1`, [event.orderId]);
  }
}
