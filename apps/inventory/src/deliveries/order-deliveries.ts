import { Injectable, Logger } from '@nestjs/common';
import {
  DELIVERY_CANCELED,
  DELIVERY_CREATED,
  DELIVERY_SHIPPED_OUTSIDE,
  DeliveryShippedOutsideEvent,
  DeliveryState,
  OrderEventLine,
  OrderItemsCanceledEvent,
  ShippedQuantitiesResponse,
  OrderSyncedEvent,
  SalesOrderLineKind,
  SalesOrderStatus,
  ShippedItem,
  StockMoveState,
} from '@connector/contracts';
import { Outbox, OutboxEvent } from '@connector/messaging';
import { bulkInsert, findByKeys, newRowId } from '@connector/persistence';
import { EntityManager, In } from 'typeorm';
import { CUSTOMERS_LOCATION_ID } from '../locations/location.entity';
import { shipFromLocations } from '../ship-from/ship-from-locations';
import { StockMove } from '../stock/stock-move.entity';
import { Delivery } from './delivery.entity';
import { nextFulfillmentVersions } from './fulfillment-versions';

/** What Amazon reports shipped of a line: all of it once the order is Shipped, else the item's quantity shipped. */
function shippedAtAmazon(event: OrderSyncedEvent, line: OrderEventLine): number {
  return event.status === SalesOrderStatus.Shipped ? line.quantity : Math.min(line.quantityShipped, line.quantity);
}

/** When Amazon reported it (its LastUpdateDate; an event of an earlier release: now). */
function shippedAtOf(event: OrderSyncedEvent): Date {
  return event.amazonUpdatedAt ? new Date(event.amazonUpdatedAt) : new Date();
}

/** Why a delivery is held: the buyer asked Amazon to cancel its order. */
export const BUYER_CANCEL_HOLD = 'buyer-cancel-request' as const;

/** The order's details a delivery carries for the warehouse (events of earlier releases have none: nothing then). */
function warehouseDetails(event: OrderSyncedEvent) {
  const time = (value: string | null | undefined) => (value ? new Date(value) : null);
  return {
    earliestShipDate: time(event.earliestShipDate),
    latestShipDate: time(event.latestShipDate),
    earliestDeliveryDate: time(event.earliestDeliveryDate),
    latestDeliveryDate: time(event.latestDeliveryDate),
    isPrime: event.isPrime ?? false,
    buyerCancelRequested: event.buyerCancelRequested ?? false,
    buyerCancelReason: event.buyerCancelReason ?? null,
  };
}

const shippable = (line: OrderEventLine) => line.kind === SalesOrderLineKind.Product && !!line.productId && line.quantity > 0;

/** A delivery closed because Amazon reports it shipped outside the connector. */
export interface ShippedOutside {
  delivery: Delivery;
  items: ShippedItem[];
  fullyShipped: boolean;
}

/**
 * The FBM deliveries of sales orders: one made ready as an order is synced, cancelled with it,
 * closed for what Amazon reports shipped that the connector never confirmed (the seller
 * shipped it from Seller Central or with Buy Shipping).
 */
@Injectable()
export class OrderDeliveries {
  private readonly logger = new Logger(OrderDeliveries.name);

  constructor(private readonly outbox: Outbox) {}

  /**
   * One delivery per FBM order that has none yet, with a move per product line. What Amazon
   * already reports shipped (an order first seen shipped, e.g. in a backfill) is a done
   * delivery shipped outside the connector; the rest a ready one (its backorder, when both).
   * Orders that had deliveries are returned: what Amazon reports shipped of them is for
   * closeShippedOutside.
   */
  async ensureDeliveries(manager: EntityManager, events: OrderSyncedEvent[]): Promise<OrderSyncedEvent[]> {
    if (events.length === 0) return [];
    const found = await findByKeys<{ order_id: string }>(manager, 'deliveries', ['order_id'], { order_id: { type: 'uuid', values: events.map((e) => e.orderId) } });
    const existing = new Set(found.map((row) => row.order_id));
    const deliveries: Delivery[] = [];
    const moves: Partial<StockMove>[] = [];
    const ready: Delivery[] = [];
    const closed: ShippedOutside[] = [];
    const shipFrom = await shipFromLocations(manager, events.filter((e) => !existing.has(e.orderId)));
    for (const event of events) {
      if (existing.has(event.orderId)) continue;
      const fromLocationId = shipFrom(event.accountId, event.marketplaceId);
      const lines = event.lines.filter(shippable);
      if (lines.length === 0) continue;
      const shippedAt = shippedAtOf(event);
      const shipped = lines.filter((line) => shippedAtAmazon(event, line) > 0);
      const open = lines.filter((line) => line.quantity - shippedAtAmazon(event, line) > 0);
      const make = (sequence: number, backorderOfId: string | null, done: boolean) => {
        const delivery = manager.create(Delivery, {
          id: newRowId(),
          orderId: event.orderId,
          accountId: event.accountId,
          marketplaceId: event.marketplaceId,
          amazonOrderId: event.amazonOrderId,
          contactId: event.contactId,
          deliveryAddressId: event.deliveryAddressId,
          sequence,
          backorderOfId,
          state: done ? DeliveryState.Done : DeliveryState.Ready,
          giftMessage: event.giftMessage,
          ...warehouseDetails(event),
          ...(event.buyerCancelRequested && !done ? { holdReason: BUYER_CANCEL_HOLD, heldAt: new Date(), holdReleasedAt: null } : { holdReason: null, heldAt: null, holdReleasedAt: null }),
          carrierCode: null,
          carrierName: null,
          trackingNumber: null,
          shippingMethod: null,
          shipDate: done ? shippedAt : null,
          shippedOutsideAt: done ? shippedAt : null,
        });
        deliveries.push(delivery);
        for (const line of done ? shipped : open) {
          moves.push({
            id: newRowId(),
            orderId: event.orderId,
            orderLineId: line.lineId,
            orderItemId: line.orderItemId,
            deliveryId: delivery.id,
            productId: line.productId!,
            quantity: done ? shippedAtAmazon(event, line) : line.quantity - shippedAtAmazon(event, line),
            fromLocationId,
            toLocationId: CUSTOMERS_LOCATION_ID,
            state: done ? StockMoveState.Done : StockMoveState.Ready,
            reason: 'fbm_sale',
            doneAt: done ? shippedAt : null,
          });
        }
        return delivery;
      };
      const done = shipped.length ? make(1, null, true) : null;
      if (done) {
        closed.push({ delivery: done, items: shipped.map((line) => ({ orderItemId: line.orderItemId ?? '', quantity: shippedAtAmazon(event, line) })), fullyShipped: open.length === 0 });
      }
      if (open.length) ready.push(make(done ? 2 : 1, done?.id ?? null, false));
    }
    await bulkInsert(manager, Delivery, deliveries);
    await bulkInsert(manager, StockMove, moves);
    await this.outbox.addMany(
      manager,
      ready.map((d) => OutboxEvent.of(DELIVERY_CREATED, { deliveryId: d.id, orderId: d.orderId, accountId: d.accountId })),
    );
    await this.announceShippedOutside(manager, closed);
    return events.filter((event) => existing.has(event.orderId));
  }

  /**
   * Keeps the ready deliveries of orders that changed in step with what the warehouse needs of
   * them: windows, Prime, gift message, the buyer's request to cancel. A new request holds them
   * (`buyer-cancel-request`) until the seller cancels the order or releases the hold; a request
   * Amazon no longer reports (withdrawn) lifts its hold. The same request synced again after a
   * release holds nothing anew. Events of earlier releases carry none of this and change nothing.
   */
  async keepWarehouseDetails(manager: EntityManager, events: OrderSyncedEvent[]): Promise<void> {
    const current = events.filter((event) => event.isPrime !== undefined);
    if (current.length === 0) return;
    const ready = await manager
      .createQueryBuilder(Delivery, 'd')
      .where('d.orderId = any(:orderIds)', { orderIds: current.map((event) => event.orderId) })
      .andWhere('d.state = :ready', { ready: DeliveryState.Ready })
      .setLock('pessimistic_write')
      .getMany();
    const now = new Date();
    for (const event of current) {
      const details = { ...warehouseDetails(event), giftMessage: event.giftMessage };
      for (const delivery of ready.filter((d) => d.orderId === event.orderId)) {
        const hold: Partial<Delivery> = {};
        if (details.buyerCancelRequested && !delivery.buyerCancelRequested) Object.assign(hold, { holdReason: BUYER_CANCEL_HOLD, heldAt: now, holdReleasedAt: null });
        if (!details.buyerCancelRequested && delivery.holdReason === BUYER_CANCEL_HOLD) Object.assign(hold, { holdReason: null });
        await manager.update(Delivery, { id: delivery.id }, { ...details, ...hold });
        if (hold.holdReason !== undefined) {
          this.logger.log({
            msg: `delivery ${delivery.id} of order ${event.amazonOrderId} ${hold.holdReason ? 'held: the buyer asked to cancel the order' : 'no longer held: Amazon reports no cancellation request any more'}`,
            accountId: event.accountId,
            amazonOrderId: event.amazonOrderId,
          });
        }
      }
    }
  }

  /**
   * What Amazon reports shipped of the orders, beyond what the connector shipped (done moves),
   * closes their ready deliveries for those quantities, as a validation would, but without a
   * confirmation to Amazon: each closed delivery is done and shipped outside the connector, the
   * rest of it goes into a backorder that can still be validated. The deliveries are locked,
   * so a validation running at the same time goes first or sees this one's outcome.
   */
  async closeShippedOutside(manager: EntityManager, events: OrderSyncedEvent[]): Promise<void> {
    const candidates = events.filter((event) => event.lines.some((line) => shippable(line) && shippedAtAmazon(event, line) > 0));
    if (candidates.length === 0) return;
    const orderIds = candidates.map((event) => event.orderId);
    const deliveries = await manager
      .createQueryBuilder(Delivery, 'd')
      .where('d.orderId = any(:orderIds)', { orderIds })
      .orderBy('d.sequence', 'ASC')
      .setLock('pessimistic_write')
      .getMany();
    const moves = await manager
      .createQueryBuilder(StockMove, 'm')
      .where('m.orderId = any(:orderIds)', { orderIds })
      .andWhere(`m.reason = 'fbm_sale'`)
      .andWhere('m.state in (:...states)', { states: [StockMoveState.Ready, StockMoveState.Done] })
      .orderBy('m.createdAt', 'ASC')
      .getMany();
    const closed: ShippedOutside[] = [];
    for (const event of candidates) {
      const ofOrder = deliveries.filter((d) => d.orderId === event.orderId);
      const movesOfOrder = moves.filter((m) => m.orderId === event.orderId);
      // Beyond what the connector shipped (or already closed as shipped outside).
      const toClose = new Map<string, number>();
      for (const line of event.lines.filter(shippable)) {
        if (!line.orderItemId) continue;
        const accounted = movesOfOrder.filter((m) => m.orderItemId === line.orderItemId && m.state === StockMoveState.Done).reduce((sum, m) => sum + m.quantity, 0);
        const beyond = shippedAtAmazon(event, line) - accounted;
        if (beyond > 0) toClose.set(line.orderItemId, (toClose.get(line.orderItemId) ?? 0) + beyond);
      }
      if (toClose.size === 0) continue;
      const shippedAt = shippedAtOf(event);
      let nextSequence = Math.max(0, ...ofOrder.map((d) => d.sequence)) + 1;
      const readyLeft = new Set(ofOrder.filter((d) => d.state === DeliveryState.Ready).map((d) => d.id));
      const thisOrder: ShippedOutside[] = [];
      for (const delivery of ofOrder.filter((d) => d.state === DeliveryState.Ready)) {
        const open = movesOfOrder.filter((m) => m.deliveryId === delivery.id && m.state === StockMoveState.Ready);
        const taking = new Map<string, number>();
        for (const move of open) {
          const left = toClose.get(move.orderItemId ?? '') ?? 0;
          const take = Math.min(left, move.quantity);
          taking.set(move.id, take);
          if (move.orderItemId && take > 0) toClose.set(move.orderItemId, left - take);
        }
        if (![...taking.values()].some((take) => take > 0)) continue;
        const backorderMoves: Partial<StockMove>[] = [];
        const items = new Map<string, number>();
        for (const move of open) {
          const take = taking.get(move.id) ?? 0;
          const rest = move.quantity - take;
          if (take > 0) {
            await manager.update(StockMove, { id: move.id }, { quantity: take, state: StockMoveState.Done, doneAt: shippedAt });
            if (move.orderItemId) items.set(move.orderItemId, (items.get(move.orderItemId) ?? 0) + take);
          } else {
            await manager.delete(StockMove, { id: move.id });
          }
          if (rest > 0) backorderMoves.push({ ...move, id: newRowId(), quantity: rest, state: StockMoveState.Ready, doneAt: null, createdAt: undefined });
        }
        if (backorderMoves.length) {
          const backorder = manager.create(Delivery, { ...delivery, id: newRowId(), sequence: nextSequence++, backorderOfId: delivery.id, state: DeliveryState.Ready, createdAt: undefined });
          await manager.insert(Delivery, backorder);
          await manager.insert(StockMove, backorderMoves.map((m) => ({ ...m, deliveryId: backorder.id })));
        } else {
          readyLeft.delete(delivery.id);
        }
        await manager.update(Delivery, { id: delivery.id }, { state: DeliveryState.Done, shipDate: shippedAt, shippedOutsideAt: shippedAt });
        thisOrder.push({ delivery, items: [...items].map(([orderItemId, quantity]) => ({ orderItemId, quantity })), fullyShipped: false });
      }
      if (thisOrder.length) thisOrder[thisOrder.length - 1].fullyShipped = readyLeft.size === 0;
      closed.push(...thisOrder);
    }
    await this.announceShippedOutside(manager, closed);
  }

  /** `delivery.shipped-outside` for each, numbered among the order's delivery events; never a confirmation. */
  private async announceShippedOutside(manager: EntityManager, closed: ShippedOutside[]): Promise<void> {
    const events: DeliveryShippedOutsideEvent[] = [];
    // One version per event: an order may close two deliveries at once.
    for (const { delivery, items, fullyShipped } of closed) {
      const shippedAt = delivery.shippedOutsideAt ?? new Date();
      events.push({
        deliveryId: delivery.id,
        orderId: delivery.orderId,
        accountId: delivery.accountId,
        amazonOrderId: delivery.amazonOrderId,
        shippedAt: shippedAt.toISOString(),
        items,
        fullyShipped,
        fulfillmentVersion: (await nextFulfillmentVersions(manager, [delivery.orderId])).get(delivery.orderId),
      });
    }
    await this.outbox.addMany(manager, events.map((event) => OutboxEvent.of(DELIVERY_SHIPPED_OUTSIDE, event)));
    for (const event of events) {
      this.logger.log({
        msg: `delivery ${event.deliveryId} of order ${event.amazonOrderId} shipped outside the connector (${event.fullyShipped ? 'fully shipped' : 'a backorder stays'}): no confirmation will be sent`,
        accountId: event.accountId,
        amazonOrderId: event.amazonOrderId,
      });
    }
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

  /**
   * Some units of an order cancelled by the seller: the open (ready) deliveries shrink, newest
   * first (a backorder before what it came from). A move loses the units; the units cancelled of
   * it become a cancelled move of their own (a move wholly cancelled just is cancelled), so stock
   * history shows them. A delivery left with nothing is cancelled (`delivery.canceled`; done as far
   * as the order goes when the rest of it shipped). Validated and done moves are never touched:
   * what the seller asked beyond what is open (a validation that came first) shrinks nothing.
   * Applied once per cancellation (order_cancellations). Returns the units that could not be
   * found open, per order item (logged by the caller).
   */
  async shrinkOpenDeliveries(manager: EntityManager, event: OrderItemsCanceledEvent): Promise<Map<string, number> | null> {
    const inserted: unknown[] = await manager.query(
      `insert into order_cancellations (cancellation_id, order_id) values ($1, $2) on conflict do nothing returning cancellation_id`,
      [event.cancellationId, event.orderId],
    );
    if (inserted.length === 0) return null;
    const deliveries = await manager
      .createQueryBuilder(Delivery, 'd')
      .where('d.orderId = :orderId', { orderId: event.orderId })
      .orderBy('d.sequence', 'DESC')
      .setLock('pessimistic_write')
      .getMany();
    const ready = deliveries.filter((d) => d.state === DeliveryState.Ready);
    const moves = ready.length
      ? await manager.find(StockMove, { where: { deliveryId: In(ready.map((d) => d.id)), state: StockMoveState.Ready }, order: { createdAt: 'DESC' } })
      : [];
    const toCancel = new Map<string, number>();
    for (const item of event.items) toCancel.set(item.orderItemId, (toCancel.get(item.orderItemId) ?? 0) + item.quantity);
    const left = new Map<string, number>();
    for (const delivery of ready) {
      for (const move of moves.filter((m) => m.deliveryId === delivery.id)) {
        const wanted = toCancel.get(move.orderItemId ?? '') ?? 0;
        const take = Math.min(wanted, move.quantity);
        if (take === 0) {
          left.set(move.id, move.quantity);
          continue;
        }
        toCancel.set(move.orderItemId!, wanted - take);
        if (take === move.quantity) {
          await manager.update(StockMove, { id: move.id }, { state: StockMoveState.Canceled });
        } else {
          await manager.update(StockMove, { id: move.id }, { quantity: move.quantity - take });
          await manager.insert(StockMove, { ...move, id: newRowId(), quantity: take, state: StockMoveState.Canceled, doneAt: null, createdAt: undefined });
          left.set(move.id, move.quantity - take);
        }
      }
    }
    const emptied = ready.filter((d) => !moves.some((m) => m.deliveryId === d.id && (left.get(m.id) ?? 0) > 0));
    if (emptied.length) {
      await manager.update(Delivery, { id: In(emptied.map((d) => d.id)) }, { state: DeliveryState.Canceled });
      // Nothing ready left anywhere, and something of the order done: the order is shipped.
      const rest = ready.filter((d) => !emptied.includes(d));
      const shippedBefore = deliveries.some((d) => d.state === DeliveryState.Done);
      const events = [];
      for (const delivery of emptied) {
        events.push(
          OutboxEvent.of(DELIVERY_CANCELED, {
            deliveryId: delivery.id,
            orderId: delivery.orderId,
            accountId: delivery.accountId,
            ...(rest.length === 0 && shippedBefore ? { fullyShipped: true } : {}),
            fulfillmentVersion: (await nextFulfillmentVersions(manager, [delivery.orderId])).get(delivery.orderId),
          }),
        );
      }
      await this.outbox.addMany(manager, events);
    }
    return new Map([...toCancel].filter(([, quantity]) => quantity > 0));
  }

  /** Units of each of the order's items in done deliveries (validated here, or shipped outside the connector), and those deliveries. */
  async shippedQuantities(manager: EntityManager, orderId: string): Promise<ShippedQuantitiesResponse> {
    const rows: { order_item_id: string; quantity: number }[] = await manager.query(
      `select order_item_id, sum(quantity)::int as quantity from stock_moves
        where order_id = $1 and reason = 'fbm_sale' and state = 'done' and order_item_id is not null
        group by order_item_id`,
      [orderId],
    );
    const validated: { id: string }[] = await manager.query(`select id from deliveries where order_id = $1 and state = 'done'`, [orderId]);
    return { shipped: rows.map((row) => ({ orderItemId: row.order_item_id, quantity: Number(row.quantity) })), validatedDeliveries: validated.map((d) => d.id) };
  }
}
