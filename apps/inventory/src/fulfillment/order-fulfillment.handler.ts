import { Injectable } from '@nestjs/common';
import {
  DELIVERY_CANCELED,
  DELIVERY_CREATED,
  DeliveryState,
  FulfillmentChannel,
  ORDER_CANCELED,
  ORDER_SYNCED,
  OrderCanceledEvent,
  OrderSyncedEvent,
  SalesOrderLineKind,
  SalesOrderStatus,
  StockMoveState,
} from '@connector/contracts';
import { EventBatchContext, EventContext, OnEvent, OnEvents, Outbox } from '@connector/messaging';
import { bulkInsert, findByKeys, newRowId } from '@connector/persistence';
import { EntityManager, In } from 'typeorm';
import { Delivery } from '../deliveries/delivery.entity';
import { CUSTOMERS_LOCATION_ID, STOCK_LOCATION_ID } from '../locations/location.entity';
import { LocationsService } from '../locations/locations.service';
import { StockMove } from '../stock/stock-move.entity';

/**
 * What a sales order means for stock. FBA: Amazon shipped it, so one done move per product
 * line from the account's FBA location to customers. FBM: one delivery with its moves, ready
 * for the seller to ship. A cancellation cancels what is not done.
 */
@Injectable()
export class OrderFulfillmentHandler {
  constructor(
    private readonly locations: LocationsService,
    private readonly outbox: Outbox,
  ) {}

  /** A batch of order states, in a few statements whatever its size. */
  @OnEvents(ORDER_SYNCED, OrderSyncedEvent)
  async onOrdersSynced(events: OrderSyncedEvent[], { manager }: EventBatchContext): Promise<void> {
    const newest = new Map<string, OrderSyncedEvent>();
    for (const event of events) if ((newest.get(event.orderId)?.version ?? 0) < event.version) newest.set(event.orderId, event);
    const applied = await this.newerOnly(manager, [...newest.values()].map((e) => ({ ...e, status: e.status as string })));
    const todo = [...newest.values()].filter((event) => applied.has(event.orderId));
    // An order's first version has no delivery or stock move yet (they come from its synced
    // events), so only later versions have anything to cancel: a backfill's many orders that
    // arrive already cancelled cost no look-up.
    await this.cancel(manager, todo.filter((e) => e.status === SalesOrderStatus.Canceled && e.version > 1));
    const open = todo.filter((e) => e.status !== SalesOrderStatus.Canceled);
    await this.recordFbaMoves(manager, open.filter((e) => e.channel === FulfillmentChannel.FBA));
    await this.ensureDeliveries(manager, open.filter((e) => e.channel === FulfillmentChannel.FBM));
  }

  @OnEvent(ORDER_CANCELED, OrderCanceledEvent)
  async onOrderCanceled(event: OrderCanceledEvent, { manager }: EventContext): Promise<void> {
    await this.newerOnly(manager, [{ ...event, status: SalesOrderStatus.Canceled }]);
    await this.cancel(manager, [event]);
  }

  /** Records each order's version; returns the orders whose event is newer than what was applied. */
  private async newerOnly(manager: EntityManager, states: { orderId: string; version: number; status: string; channel: string }[]): Promise<Set<string>> {
    if (states.length === 0) return new Set();
    const rows: { order_id: string }[] = await manager.query(
      `insert into order_states (order_id, version, status, channel)
       select * from unnest($1::uuid[], $2::int[], $3::text[], $4::text[])
       on conflict (order_id) do update set version = excluded.version, status = excluded.status
       where order_states.version < excluded.version
       returning order_id`,
      [states.map((s) => s.orderId), states.map((s) => s.version), states.map((s) => s.status), states.map((s) => s.channel)],
    );
    return new Set(rows.map((row) => row.order_id));
  }

  private async recordFbaMoves(manager: EntityManager, events: OrderSyncedEvent[]): Promise<void> {
    const moves: Parameters<OrderFulfillmentHandler['recordDoneMoves']>[1] = [];
    const fbaOf = new Map<string, string>();
    for (const event of events) {
      const lines = event.lines.filter((line) => line.kind === SalesOrderLineKind.Product && line.productId && line.quantity > 0);
      if (lines.length === 0) continue;
      const fba = fbaOf.get(event.accountId) ?? (await this.locations.fbaLocation(manager, event.accountId));
      fbaOf.set(event.accountId, fba);
      for (const line of lines) {
        moves.push({
          orderId: event.orderId,
          orderLineId: line.lineId,
          orderItemId: line.orderItemId,
          productId: line.productId!,
          quantity: line.quantity,
          fromLocationId: fba,
          toLocationId: CUSTOMERS_LOCATION_ID,
          reason: 'fba_sale',
        });
      }
    }
    await this.recordDoneMoves(manager, moves);
  }

  /** Done moves keyed by (order line, reason): a second recording of the same one is ignored. */
  private async recordDoneMoves(
    manager: EntityManager,
    moves: Pick<StockMove, 'orderId' | 'orderLineId' | 'orderItemId' | 'productId' | 'quantity' | 'fromLocationId' | 'toLocationId' | 'reason'>[],
  ): Promise<void> {
    const now = new Date();
    await bulkInsert(
      manager,
      StockMove,
      moves.map((move) => ({ ...move, id: newRowId(), deliveryId: null, state: StockMoveState.Done, doneAt: now })),
      { onConflict: 'ignore' },
    );
  }

  /** One ready delivery per FBM order that has none yet, with a move per product line to ship. */
  private async ensureDeliveries(manager: EntityManager, events: OrderSyncedEvent[]): Promise<void> {
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
      deliveries.map((d) => ({ subject: DELIVERY_CREATED, payload: { deliveryId: d.id, orderId: d.orderId, accountId: d.accountId } })),
    );
  }

  /** Cancels the orders' open deliveries and their moves; an FBA sale already recorded is reversed. */
  private async cancel(manager: EntityManager, orders: { orderId: string; accountId: string; channel: FulfillmentChannel }[]): Promise<void> {
    if (orders.length === 0) return;
    const open = await manager.findBy(Delivery, { orderId: In(orders.map((o) => o.orderId)), state: DeliveryState.Ready });
    if (open.length) {
      await manager.update(Delivery, { id: In(open.map((d) => d.id)) }, { state: DeliveryState.Canceled });
      await manager.update(StockMove, { deliveryId: In(open.map((d) => d.id)), state: StockMoveState.Ready }, { state: StockMoveState.Canceled });
      await this.outbox.addMany(
        manager,
        open.map((delivery) => ({ subject: DELIVERY_CANCELED, payload: { deliveryId: delivery.id, orderId: delivery.orderId, accountId: delivery.accountId } })),
      );
    }
    const fba = orders.filter((o) => o.channel === FulfillmentChannel.FBA).map((o) => o.orderId);
    if (fba.length === 0) return;
    const sales = await manager.findBy(StockMove, { orderId: In(fba), reason: 'fba_sale', state: StockMoveState.Done });
    await this.recordDoneMoves(
      manager,
      sales.map((sale) => ({
        orderId: sale.orderId,
        orderLineId: sale.orderLineId,
        orderItemId: sale.orderItemId,
        productId: sale.productId,
        quantity: sale.quantity,
        fromLocationId: sale.toLocationId,
        toLocationId: sale.fromLocationId,
        reason: 'fba_sale_reversal' as const,
      })),
    );
  }
}
