import { Injectable, Logger } from '@nestjs/common';
import { FulfillmentChannel, ORDER_CANCELED, ORDER_ITEMS_CANCELED, ORDER_SYNCED, OrderCanceledEvent, OrderItemsCanceledEvent, OrderSyncedEvent, SalesOrderStatus } from '@connector/contracts';
import { EventBatchContext, EventContext, OnEvent, OnEvents } from '@connector/messaging';
import { EntityManager } from 'typeorm';
import { OrderDeliveries } from '../deliveries/order-deliveries';
import { learnFulfillmentChannels } from '../products/offer-channels';
import { FbaStockMoves } from './fba-stock-moves';

/**
 * What a sales order means for stock, applied once per order version (order_states). FBA:
 * Amazon shipped it, so one done move per product line from the account's FBA location to
 * customers (FbaStockMoves). FBM: one delivery with its moves, ready for the seller to ship
 * (OrderDeliveries), or done for what Amazon reports shipped outside the connector. A
 * cancellation cancels what is not done.
 */
@Injectable()
export class OrderFulfillmentHandler {
  private readonly logger = new Logger(OrderFulfillmentHandler.name);

  constructor(
    private readonly fbaMoves: FbaStockMoves,
    private readonly deliveries: OrderDeliveries,
  ) {}

  /** A batch of order states, in a few statements whatever its size. */
  @OnEvents(ORDER_SYNCED)
  async onOrdersSynced(events: OrderSyncedEvent[], { manager }: EventBatchContext): Promise<void> {
    const newest = new Map<string, OrderSyncedEvent>();
    for (const event of events) if ((newest.get(event.orderId)?.version ?? 0) < event.version) newest.set(event.orderId, event);
    // Every version names the order's SKUs under its one channel: learned even from a version already applied.
    await learnFulfillmentChannels(manager, [...newest.values()]);
    const applied = await this.newerOnly(manager, [...newest.values()].map((e) => ({ ...e, status: e.status as string })));
    const todo = [...newest.values()].filter((event) => applied.has(event.orderId));
    // An order's first version has no delivery or stock move yet (they come from its synced
    // events), so only later versions have anything to cancel: a backfill's many orders that
    // arrive already cancelled cost no look-up.
    await this.cancel(manager, todo.filter((e) => e.status === SalesOrderStatus.Canceled && e.version > 1));
    const open = todo.filter((e) => e.status !== SalesOrderStatus.Canceled);
    await this.fbaMoves.recordSales(manager, open.filter((e) => e.channel === FulfillmentChannel.FBA));
    const withDeliveries = await this.deliveries.ensureDeliveries(manager, open.filter((e) => e.channel === FulfillmentChannel.FBM));
    // Windows, Prime, the buyer's request to cancel (which holds the open delivery).
    await this.deliveries.keepWarehouseDetails(manager, withDeliveries);
    // What Amazon reports shipped that the connector did not confirm (Seller Central, Buy Shipping).
    await this.deliveries.closeShippedOutside(manager, withDeliveries);
    for (const event of todo) this.logApplied(event);
  }

  /** One line per order version applied (logged inside the transaction: a rollback retries it and says so again). */
  private logApplied(event: OrderSyncedEvent | OrderCanceledEvent): void {
    const status = 'status' in event ? event.status : SalesOrderStatus.Canceled;
    const what =
      status === SalesOrderStatus.Canceled
        ? 'cancelled what was open'
        : event.channel === FulfillmentChannel.FBA
          ? 'recorded the FBA stock moves'
          : status === SalesOrderStatus.Confirmed
            ? 'made its delivery ready'
            : 'kept its deliveries in step with what Amazon reports shipped';
    this.logger.log({ msg: `order ${event.amazonOrderId} version ${event.version} (${event.channel}, ${status}): ${what}`, accountId: event.accountId, amazonOrderId: event.amazonOrderId });
  }

  /** Only when newer than what was applied: an older cancellation arriving late cancels nothing a newer version keeps. */
  @OnEvent(ORDER_CANCELED)
  async onOrderCanceled(event: OrderCanceledEvent, { manager }: EventContext): Promise<void> {
    const applied = await this.newerOnly(manager, [{ ...event, status: SalesOrderStatus.Canceled }]);
    if (applied.has(event.orderId)) {
      await this.cancel(manager, [event]);
      this.logApplied(event);
    }
  }

  /**
   * Some units cancelled by the seller: the open delivery shrinks, once per cancellation (its id,
   * not the order's version: a sync of the order may overtake it, and it must still apply).
   */
  @OnEvent(ORDER_ITEMS_CANCELED)
  async onOrderItemsCanceled(event: OrderItemsCanceledEvent, { manager }: EventContext): Promise<void> {
    const missing = await this.deliveries.shrinkOpenDeliveries(manager, event);
    if (missing === null) return;
    const context = { accountId: event.accountId, amazonOrderId: event.amazonOrderId };
    const units = event.items.map((item) => `${item.quantity} of ${item.orderItemId}`).join(', ');
    this.logger.log({ msg: `order ${event.amazonOrderId}: cancellation ${event.cancellationId} (${units}) took off its open delivery`, ...context });
    if (missing.size) {
      // A validation came first: those units shipped; the seller and Amazon are told by the notification's outcome.
      this.logger.warn({ msg: `order ${event.amazonOrderId}: cancellation ${event.cancellationId} found ${[...missing].map(([item, quantity]) => `${quantity} of ${item}`).join(', ')} no longer open`, ...context });
    }
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

  /** Cancels the orders' open deliveries and their moves; an FBA sale already recorded is reversed. */
  private async cancel(manager: EntityManager, orders: { orderId: string; accountId: string; channel: FulfillmentChannel }[]): Promise<void> {
    if (orders.length === 0) return;
    await this.deliveries.cancelOpenDeliveries(manager, orders.map((o) => o.orderId));
    await this.fbaMoves.reverseSales(manager, orders.filter((o) => o.channel === FulfillmentChannel.FBA).map((o) => o.orderId));
  }
}
