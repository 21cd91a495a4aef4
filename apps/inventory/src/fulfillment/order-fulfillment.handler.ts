import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
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
import { EventContext, OnEvent, Outbox } from '@connector/messaging';
import { bulkInsert } from '@connector/persistence';
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

  @OnEvent(ORDER_SYNCED, OrderSyncedEvent)
  async onOrderSynced(event: OrderSyncedEvent, { manager }: EventContext): Promise<void> {
    if (!(await this.isNewer(manager, event.orderId, event.version, event.status, event.channel))) return;
    if (event.status === SalesOrderStatus.Canceled) {
      await this.cancel(manager, event.orderId, event.accountId, event.channel);
      return;
    }
    if (event.channel === FulfillmentChannel.FBA) await this.recordFbaMoves(manager, event);
    else await this.ensureDelivery(manager, event);
  }

  @OnEvent(ORDER_CANCELED, OrderCanceledEvent)
  async onOrderCanceled(event: OrderCanceledEvent, { manager }: EventContext): Promise<void> {
    await this.isNewer(manager, event.orderId, event.version, SalesOrderStatus.Canceled, event.channel);
    await this.cancel(manager, event.orderId, event.accountId, event.channel);
  }

  /** Records the version; false when this event is older than what was already applied. */
  private async isNewer(manager: EntityManager, orderId: string, version: number, status: string, channel: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `insert into order_states (order_id, version, status, channel) values ($1, $2, $3, $4)
       on conflict (order_id) do update set version = excluded.version, status = excluded.status
       where order_states.version < excluded.version
       returning order_id`,
      [orderId, version, status, channel],
    );
    return rows.length > 0;
  }

  private async recordFbaMoves(manager: EntityManager, event: OrderSyncedEvent): Promise<void> {
    const lines = event.lines.filter((line) => line.kind === SalesOrderLineKind.Product && line.productId && line.quantity > 0);
    if (lines.length === 0) return;
    const fba = await this.locations.fbaLocation(manager, event.accountId);
    await this.recordDoneMoves(
      manager,
      lines.map((line) => ({
        orderId: event.orderId,
        orderLineId: line.lineId,
        orderItemId: line.orderItemId,
        productId: line.productId!,
        quantity: line.quantity,
        fromLocationId: fba,
        toLocationId: CUSTOMERS_LOCATION_ID,
        reason: 'fba_sale' as const,
      })),
    );
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
      moves.map((move) => ({ ...move, id: randomUUID(), deliveryId: null, state: StockMoveState.Done, doneAt: now })),
      { onConflict: 'ignore' },
    );
  }

  private async ensureDelivery(manager: EntityManager, event: OrderSyncedEvent): Promise<void> {
    if (await manager.existsBy(Delivery, { orderId: event.orderId })) return;
    const lines = event.lines.filter((line) => line.kind === SalesOrderLineKind.Product && line.productId && line.quantity - line.quantityShipped > 0);
    if (lines.length === 0) return;
    const delivery = manager.create(Delivery, {
      id: randomUUID(),
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
    await bulkInsert(manager, Delivery, [delivery]);
    await bulkInsert(
      manager,
      StockMove,
      lines.map((line) => ({
        id: randomUUID(),
        orderId: event.orderId,
        orderLineId: line.lineId,
        orderItemId: line.orderItemId,
        deliveryId: delivery.id,
        productId: line.productId!,
        quantity: line.quantity - line.quantityShipped,
        fromLocationId: STOCK_LOCATION_ID,
        toLocationId: CUSTOMERS_LOCATION_ID,
        state: StockMoveState.Ready,
        reason: 'fbm_sale' as const,
        doneAt: null,
      })),
    );
    await this.outbox.add(manager, DELIVERY_CREATED, { deliveryId: delivery.id, orderId: event.orderId, accountId: event.accountId });
  }

  /** Cancels open deliveries and their moves; an FBA sale already recorded is reversed. */
  private async cancel(manager: EntityManager, orderId: string, accountId: string, channel: FulfillmentChannel): Promise<void> {
    const open = await manager.findBy(Delivery, { orderId, state: DeliveryState.Ready });
    if (open.length) {
      await manager.update(Delivery, { id: In(open.map((d) => d.id)) }, { state: DeliveryState.Canceled });
      await manager.update(StockMove, { deliveryId: In(open.map((d) => d.id)), state: StockMoveState.Ready }, { state: StockMoveState.Canceled });
      for (const delivery of open) await this.outbox.add(manager, DELIVERY_CANCELED, { deliveryId: delivery.id, orderId, accountId });
    }
    if (channel === FulfillmentChannel.FBA) {
      const sales = await manager.findBy(StockMove, { orderId, reason: 'fba_sale', state: StockMoveState.Done });
      if (sales.length === 0) return;
      await this.recordDoneMoves(
        manager,
        sales.map((sale) => ({
          orderId,
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
}
