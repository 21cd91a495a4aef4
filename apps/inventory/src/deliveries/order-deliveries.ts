import { Injectable } from '@nestjs/common';
import { DELIVERY_CANCELED, DELIVERY_CREATED, DeliveryState, OrderSyncedEvent, SalesOrderLineKind, StockMoveState } from '@connector/contracts';
import { Outbox, OutboxEvent } from '@connector/messaging';
import { bulkInsert, findByKeys, newRowId } from '@connector/persistence';
import { EntityManager, In } from 'typeorm';
import { CUSTOMERS_LOCATION_ID, STOCK_LOCATION_ID } from '../locations/location.entity';
import { StockMove } from '../stock/stock-move.entity';
import { Delivery } from './delivery.entity';
import { nextFulfillmentVersions } from './fulfillment-versions';

/** The FBM deliveries of sales orders: one made ready as an order is synced, cancelled with it. */
@Injectable()
export class OrderDeliveries {
  constructor(private readonly outbox: Outbox) {}

  /** One ready delivery per FBM order that has none yet, with a move per product line to ship. */
  async ensureDeliveries(manager: EntityManager, events: OrderSyncedEvent[]): Promise<void> {
    if (events.length === 0) return;
    const found = await findByKeys<{ order_id: string }>(manager, 'deliveries', ['order_id'], { order_id: { type: 'uuid', values: events.map((e) => e.orderId) } });
    const existing = new Set(found.map((row) => row.order_id));
    const deliveries: Delivery[] = [];
    const moves: Partial<StockMove>[] = [];
    for (const event of events) {
      if (existing.has(event.orderId)) continue;
      const lines = event.lines.filter((line) => line.kind === SalesOrderLineKind.Product && line.productId && line.quantity - line.quantityShipped > 0);
      if (lines.length === 0) continue;
      const delivery = manager.create(Delivery, {
        id: newRowId(),
        orderId: event.orderId,
        accountId: event.accountId,
        marketplaceId: event.marketplaceId,
        amazonOrderId: event.amazonOrderId,
        contactId: event.contactId,
        deliveryAddressId: event.deliveryAddressId,
        sequence: 1,
        backorderOfId: null,
        state: DeliveryState.Ready,
        giftMessage: event.giftMessage,
        carrierCode: null,
        carrierName: null,
        trackingNumber: null,
        shippingMethod: null,
        shipDate: null,
      });
      deliveries.push(delivery);
      for (const line of lines) {
        moves.push({
          id: newRowId(),
          orderId: event.orderId,
          orderLineId: line.lineId,
          orderItemId: line.orderItemId,
          deliveryId: delivery.id,
          productId: line.productId!,
          quantity: line.quantity - line.quantityShipped,
          fromLocationId: STOCK_LOCATION_ID,
          toLocationId: CUSTOMERS_LOCATION_ID,
          state: StockMoveState.Ready,
          reason: 'fbm_sale',
          doneAt: null,
        });
      }
    }
    await bulkInsert(manager, Delivery, deliveries);
    await bulkInsert(manager, StockMove, moves);
    await this.outbox.addMany(
      manager,
      deliveries.map((d) => OutboxEvent.of(DELIVERY_CREATED, { deliveryId: d.id, orderId: d.orderId, accountId: d.accountId })),
    );
  }

  /** Cancels the orders' open deliveries and their moves. */
  async cancelOpenDeliveries(manager: EntityManager, orderIds: string[]): Promise<void> {
    const open = await manager.findBy(Delivery, { orderId: In(orderIds), state: DeliveryState.Ready });
    if (open.length === 0) return;
    await manager.update(Delivery, { id: In(open.map((d) => d.id)) }, { state: DeliveryState.Canceled });
    await manager.update(StockMove, { deliveryId: In(open.map((d) => d.id)), state: StockMoveState.Ready }, { state: StockMoveState.Canceled });
    const versions = await nextFulfillmentVersions(manager, open.map((d) => d.orderId));
    await this.outbox.addMany(
      manager,
      open.map((delivery) =>
        OutboxEvent.of(DELIVERY_CANCELED, { deliveryId: delivery.id, orderId: delivery.orderId, accountId: delivery.accountId, fulfillmentVersion: versions.get(delivery.orderId) }),
      ),
    );
  }
}
