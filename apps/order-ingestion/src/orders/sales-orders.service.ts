import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  CancelOrderRequest,
  CLAIM_LOCK_TIMEOUT_MS,
  CanceledItem,
  ClaimUnitsToShipRequest,
  ClaimUnitsToShipResponse,
  FIND_CONTACTS,
  FIND_CONTACTS_LIMIT,
  FulfillmentChannel,
  GET_SHIPPED_QUANTITIES,
  ORDER_ITEMS_CANCELED,
  OrderItemsCanceledEvent,
  SalesOrderLineKind,
  ListOrdersRequest,
  ListQuarantinedOrdersRequest,
  ORDER_CANCELED,
  OrderCanceledEvent,
  Page,
  SalesOrderStatus,
  SalesOrderView,
  ShippedQuantitiesResponse,
} from '@connector/contracts';
import { Outbox } from '@connector/messaging';
import { listPage, ServiceClient, ServiceError, withinReplyBudget } from '@connector/platform';
import { newRowId } from '@connector/persistence';
import { returnedRows } from '@connector/workers';
import { DataSource, EntityManager, In, Repository, SelectQueryBuilder } from 'typeorm';
import { QuarantinedOrder } from './quarantined-order.entity';
import { rawOrderShown } from './quarantine-store';
import { SalesOrderLine } from './sales-order-line.entity';
import { SalesOrder } from './sales-order.entity';
import { orderEventOf, orderView } from './sales-order.view';

/**
 * A claim not yet confirmed by delivery.validated, older than this, may be one whose validation never
 * committed in inventory (its answer timed out, a database failure, a crash): inventory is asked. Far
 * beyond inventory's wait for the claim's answer and the few writes of a validation after it.
 */
export const UNCONFIRMED_CLAIM_CHECK_AFTER_MS = 5 * 60_000;

/** How long a buyer search waits for partner-resolution: a third of the gateway's 15 s for the list. */
export const FIND_CONTACTS_TIMEOUT_MS = 5_000;

@Injectable()
export class SalesOrdersService {
  private readonly logger = new Logger(SalesOrdersService.name);

  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(SalesOrder) private readonly orders: Repository<SalesOrder>,
    private readonly outbox: Outbox,
    private readonly services: ServiceClient,
  ) {}

  async list(request: ListOrdersRequest): Promise<Page<SalesOrderView>> {
    let contactIds: string[] | undefined;
    if (request.buyer !== undefined) {
      purchasePeriod(request); // a bad period is the caller's 400 before anyone else is asked
      // Buyers' names and e-mails are sealed at partner-resolution: it finds the buyer's contacts by their keyed hashes.
      // Well within the gateway's wait for this list, so a silent partner-resolution is the 503 it gets, named.
      const found = await this.services.request(FIND_CONTACTS, { buyer: request.buyer, accountId: request.accountId }, FIND_CONTACTS_TIMEOUT_MS);
      if (found.more) {
        throw ServiceError.badRequest('Validation failed', [
          { field: 'buyer', errors: [`more than ${FIND_CONTACTS_LIMIT} buyers have this name: search by e-mail, or narrow with accountId`] },
        ]);
      }
      if (found.contactIds.length === 0) return { items: [] };
      contactIds = found.contactIds;
    }
    const query = salesOrdersQuery(this.orders, request, contactIds);
    // Page over orders alone, then load their lines, so a page holds whole orders.
    const page = await listPage(query, request, (order) => order);
    if (page.items.length === 0) return { items: [], nextCursor: page.nextCursor };
    const lines = await this.dataSource.getRepository(SalesOrderLine).findBy({ orderId: In(page.items.map((o) => o.id)) });
    for (const order of page.items) order.lines = lines.filter((line) => line.orderId === order.id);
    return withinReplyBudget(page.items, page.items.map(orderView), page.nextCursor);
  }

  async get(id: string): Promise<SalesOrderView> {
    const order = await this.orders.findOne({ where: { id }, relations: { lines: true } });
    if (!order) throw ServiceError.notFound(`sales order ${id} not found`);
    return orderView(order);
  }

  /**
   * Cancellation by the seller: the order is cancelled here and `order.canceled` (with
   * notifyAmazon) goes out in the same transaction; inventory cancels the open delivery and
   * amazon-notifications tells Amazon.
   */
  async cancel(request: CancelOrderRequest): Promise<SalesOrderView> {
    if (request.items) return this.cancelItems(request, request.items);
    await this.settleUnconfirmedClaims(request.id);
    let refusal: string | undefined;
    await this.dataSource.transaction(async (manager) => {
      const { order, shipped } = await lockOrderToCancel(manager, request.id);
      if (shipped) {
        refusal = shipped;
        return;
      }
      // A validated delivery claimed its units under this lock (claimUnitsToShip) though its delivery.validated may
      // not be projected yet: cancelling the whole order would tell Amazon both a shipment and a cancellation.
      const claimed = [...(await claimedUnits(manager, order.id))].filter(([, quantity]) => quantity > 0);
      if (claimed.length) {
        refusal = `sales order ${order.amazonOrderId} has units in a validated delivery (${claimed.map(([item, quantity]) => `${quantity} of ${item}`).join(', ')}); it cannot be cancelled whole: cancel what is left with items`;
        return;
      }
      order.status = SalesOrderStatus.Canceled;
      order.canceledBy = 'seller';
      order.cancelReason = request.reason;
      order.cancelError = null;
      order.version += 1;
      await manager.update(SalesOrder, { id: order.id }, { status: order.status, canceledBy: 'seller', cancelReason: request.reason, cancelError: null, version: order.version });
      const event: OrderCanceledEvent = { ...orderEventOf(order, order.lines ?? []), canceledBy: 'seller', reason: request.reason, notifyAmazon: true };
      await this.outbox.add(manager, ORDER_CANCELED, event);
    });
    if (refusal) {
      // The order keeps why it could not be cancelled, for whoever looks at it next.
      await this.orders.update({ id: request.id }, { cancelError: refusal });
      throw ServiceError.conflict(refusal);
    }
    return this.get(request.id);
  }

  /**
   * Some units of an FBM order, by the seller. Each item may lose at most what is still open:
   * ordered, less cancelled, less shipped (what Amazon reports, or what inventory has in validated
   * deliveries, whichever is more: a validation not yet confirmed counts). The lines keep the units
   * cancelled and `order.items-canceled` goes out in the same transaction: inventory shrinks the
   * open delivery, amazon-notifications tells Amazon. When nothing is left of the order (nothing
   * shipped, every unit cancelled), it is the whole order's cancellation (`order.canceled`).
   */
  private async cancelItems(request: CancelOrderRequest, items: NonNullable<CancelOrderRequest['items']>): Promise<SalesOrderView> {
    // Asked before the order is locked (no lock held over a NATS call). A validation landing between
    // this answer and the commit claimed its units under the order's lock (claimUnitsToShip), so it is seen there.
    const shippedHere = new Map<string, number>();
    const order0 = await this.orders.findOneBy({ id: request.id });
    if (!order0) throw ServiceError.notFound(`sales order ${request.id} not found`);
    if (order0.channel === FulfillmentChannel.FBM) {
      const answer = await this.services.request(GET_SHIPPED_QUANTITIES, { orderId: request.id });
      for (const item of answer.shipped) shippedHere.set(item.orderItemId, (shippedHere.get(item.orderItemId) ?? 0) + item.quantity);
      await this.settleUnconfirmedClaims(request.id, answer);
    }
    let refusal: string | undefined;
    await this.dataSource.transaction(async (manager) => {
      const { order, shipped } = await lockOrderToCancel(manager, request.id);
      if (shipped) {
        refusal = shipped;
        return;
      }
      if (order.channel !== FulfillmentChannel.FBM) {
        throw ServiceError.badRequest('Validation failed', [{ field: 'items', errors: [`sales order ${order.amazonOrderId} is fulfilled by Amazon: only FBM orders can be cancelled in part`] }]);
      }
      const lines = order.lines ?? [];
      const products = lines.filter((line) => line.kind === SalesOrderLineKind.Product && line.orderItemId);
      // Claims are read under the order's lock: a validation that claimed its units before this lock shows here, one after it sees the cancellation.
      const claimed = await claimedUnits(manager, order.id);
      const shippedOf = (line: SalesOrderLine) => Math.max(line.quantityShipped, shippedHere.get(line.orderItemId!) ?? 0, claimed.get(line.orderItemId!) ?? 0);
      const openOf = (line: SalesOrderLine) => Math.max(line.quantity - line.quantityCancelled - shippedOf(line), 0);
      const errors: { field: string; errors: string[] }[] = [];
      const cancelling = new Map<string, number>();
      items.forEach((item, index) => {
        const line = products.find((l) => l.orderItemId === item.orderItemId);
        if (!line) {
          errors.push({ field: `items.${index}.orderItemId`, errors: [`order item ${item.orderItemId} is not an item of sales order ${order.amazonOrderId}`] });
          return;
        }
        const total = (cancelling.get(item.orderItemId) ?? 0) + item.quantity;
        cancelling.set(item.orderItemId, total);
        if (total > openOf(line)) {
          errors.push({ field: `items.${index}.quantity`, errors: [`order item ${item.orderItemId}: ${total} to cancel, only ${openOf(line)} can be (not shipped, not cancelled, not in a validated delivery)`] });
        }
      });
      if (errors.length) throw ServiceError.badRequest('Validation failed', errors);

      const canceled: CanceledItem[] = [];
      for (const line of products) {
        const quantity = cancelling.get(line.orderItemId!);
        if (!quantity) continue;
        line.quantityCancelled += quantity;
        canceled.push({ lineId: line.id, orderItemId: line.orderItemId!, quantity, quantityLeft: line.quantity - line.quantityCancelled });
        await manager.update(SalesOrderLine, { id: line.id }, { quantityCancelled: line.quantityCancelled });
      }
      const partlyShipped = products.some((line) => shippedOf(line) > 0);
      const nothingLeft = !partlyShipped && products.every((line) => openOf(line) === 0);
      order.version += 1;
      order.cancelError = null;
      if (nothingLeft) {
        // Every unit cancelled, none shipped: the whole order is (Amazon is told so, in one message).
        order.status = SalesOrderStatus.Canceled;
        order.canceledBy = 'seller';
        order.cancelReason = request.reason;
        await manager.update(SalesOrder, { id: order.id }, { status: order.status, canceledBy: 'seller', cancelReason: request.reason, cancelError: null, version: order.version });
        const event: OrderCanceledEvent = { ...orderEventOf(order, lines), canceledBy: 'seller', reason: request.reason, notifyAmazon: true };
        await this.outbox.add(manager, ORDER_CANCELED, event);
        return;
      }
      await manager.update(SalesOrder, { id: order.id }, { cancelError: null, version: order.version });
      const event: OrderItemsCanceledEvent = {
        ...orderEventOf(order, lines),
        cancellationId: newRowId(),
        canceledBy: 'seller',
        reason: request.reason,
        partlyShipped,
        items: canceled,
      };
      await this.outbox.add(manager, ORDER_ITEMS_CANCELED, event);
    });
    if (refusal) {
      await this.orders.update({ id: request.id }, { cancelError: refusal });
      throw ServiceError.conflict(refusal);
    }
    return this.get(request.id);
  }

  /**
   * A delivery being validated claims its units (inventory asks before it commits the validation):
   * under the order's lock, as a cancellation of units takes it, each item's units claimed by the
   * order's deliveries may not exceed what the order has not cancelled. So no unit is both shipped
   * and cancelled (Amazon would get a shipment confirmation and an adjustment for it), whichever
   * comes first. The same delivery claiming again replaces its claim (a retried validation).
   */
  async claimUnitsToShip(request: ClaimUnitsToShipRequest): Promise<ClaimUnitsToShipResponse> {
    // An orphaned claim of another delivery (its validation never committed) would refuse these units.
    await this.settleUnconfirmedClaims(request.orderId, undefined, request.deliveryId);
    await this.dataSource.transaction(async (manager) => {
      // Inventory waits CLAIM_UNITS_TO_SHIP_TIMEOUT_MS for the answer: a claim committed after it gave up would
      // hold units for a validation that rolled back. So the wait for the order's lock (behind a big sync page) ends well before.
      await manager.query(`set local lock_timeout = ${CLAIM_LOCK_TIMEOUT_MS}`);
      const order = await manager.findOne(SalesOrder, { where: { id: request.orderId }, relations: { lines: true }, lock: { mode: 'pessimistic_write', tables: ['sales_orders'] } });
      if (!order) throw ServiceError.notFound(`sales order ${request.orderId} not found`);
      if (order.status === SalesOrderStatus.Canceled) throw ServiceError.conflict(`sales order ${order.amazonOrderId} is cancelled; none of its units can ship`);
      const others = await claimedUnits(manager, order.id, request.deliveryId);
      const asked = new Map<string, number>();
      for (const item of request.items) asked.set(item.orderItemId, (asked.get(item.orderItemId) ?? 0) + item.quantity);
      const refused: string[] = [];
      for (const [orderItemId, quantity] of asked) {
        const line = (order.lines ?? []).find((l) => l.kind === SalesOrderLineKind.Product && l.orderItemId === orderItemId);
        if (!line) {
          refused.push(`order item ${orderItemId} is not an item of it`);
          continue;
        }
        const shippable = line.quantity - line.quantityCancelled - (others.get(orderItemId) ?? 0);
        if (quantity > shippable) {
          refused.push(
            `order item ${orderItemId}: ${quantity} to ship, only ${Math.max(shippable, 0)} can be (${line.quantityCancelled} of ${line.quantity} cancelled, ${others.get(orderItemId) ?? 0} in other validated deliveries)`,
          );
        }
      }
      if (refused.length) {
        throw ServiceError.conflict(
          `sales order ${order.amazonOrderId} no longer has these units to ship: ${refused.join('; ')}; the delivery shrinks once inventory applies the cancellation, then validate what is left`,
        );
      }
      await manager.query(`delete from shipment_claims where delivery_id = $1`, [request.deliveryId]);
      await manager.query(
        `insert into shipment_claims (delivery_id, order_item_id, order_id, quantity)
         select $1, item, $2, quantity from unnest($3::text[], $4::int[]) as c(item, quantity)`,
        [request.deliveryId, order.id, [...asked.keys()], [...asked.values()]],
      );
    });
    return { claimed: true };
  }

  /**
   * Claims are provisional until delivery.validated is projected (confirmed_at). One older than
   * UNCONFIRMED_CLAIM_CHECK_AFTER_MS is checked with inventory: its delivery validated, the claim is
   * confirmed (the event is on its way); not validated, its validation never committed and the claim
   * is dropped, so its units can be cancelled or claimed again. Inventory not answering (or answering as
   * an earlier release, without validatedDeliveries) keeps every claim: units stay uncancellable a while longer.
   * `answer`: inventory's answer asked already; `exceptDelivery`: the delivery claiming now.
   */
  private async settleUnconfirmedClaims(orderId: string, answer?: ShippedQuantitiesResponse, exceptDelivery?: string): Promise<void> {
    const stale: { delivery_id: string }[] = await this.dataSource.query(
      `select distinct delivery_id from shipment_claims
        where order_id = $1 and confirmed_at is null and claimed_at < now() - make_interval(secs => $2) and delivery_id is distinct from $3`,
      [orderId, UNCONFIRMED_CLAIM_CHECK_AFTER_MS / 1000, exceptDelivery ?? null],
    );
    if (stale.length === 0) return;
    if (!answer) {
      try {
        // Short, and asked once (no retry through an outage): a validation may be waiting on this
        // claim's answer, inventory holding its delivery's lock in an open transaction meanwhile.
        answer = await this.services.request(GET_SHIPPED_QUANTITIES, { orderId }, 3_000, 0);
      } catch (err) {
        this.logger.warn(`unconfirmed shipment claims of order ${orderId} are kept: inventory did not say whether their deliveries were validated (${err.message})`);
        return;
      }
    }
    if (!answer.validatedDeliveries) return;
    const validated = new Set(answer.validatedDeliveries);
    const ids = stale.map((row) => row.delivery_id);
    await this.dataSource.query(`update shipment_claims set confirmed_at = now() where delivery_id = any($1::uuid[]) and confirmed_at is null`, [ids.filter((id) => validated.has(id))]);
    const orphans = ids.filter((id) => !validated.has(id));
    if (orphans.length === 0) return;
    // Still old and unconfirmed: a validation retried meanwhile claimed anew (a fresh claimed_at) and keeps its claim.
    const dropped = returnedRows(
      await this.dataSource.query(
        `delete from shipment_claims where delivery_id = any($1::uuid[]) and confirmed_at is null and claimed_at < now() - make_interval(secs => $2) returning delivery_id`,
        [orphans, UNCONFIRMED_CLAIM_CHECK_AFTER_MS / 1000],
      ),
    );
    for (const deliveryId of new Set(dropped.map((row) => String(row.delivery_id)))) {
      this.logger.warn(`the shipment claim of delivery ${deliveryId} on order ${orderId} is dropped: its validation never committed in inventory`);
    }
  }

  async quarantined(request: ListQuarantinedOrdersRequest) {
    const query = this.dataSource.getRepository(QuarantinedOrder).createQueryBuilder('q').where('q.resolvedAt IS NULL');
    if (request.accountId) query.andWhere('q.accountId = :accountId', { accountId: request.accountId });
    return listPage(query, request, (q) => ({
      id: q.id,
      accountId: q.accountId,
      amazonOrderId: q.amazonOrderId,
      marketplaceId: q.marketplaceId,
      reason: q.reason,
      lastRetryError: q.lastRetryError,
      attempts: q.attempts,
      firstSeenAt: q.firstSeenAt.toISOString(),
      lastAttemptAt: q.lastAttemptAt.toISOString(),
      rawOrder: rawOrderShown(q.payload),
    }));
  }
}

/**
 * The orders a list request asks for (before paging); `contactIds`: the buyer's contacts, when it
 * names one. Each filter has its index (migration 1766000000500; bench/orders-search.ts).
 */
export function salesOrdersQuery(orders: Repository<SalesOrder>, request: ListOrdersRequest, contactIds?: string[]): SelectQueryBuilder<SalesOrder> {
  const period = purchasePeriod(request);
  const query = orders.createQueryBuilder('o');
  const filters: [keyof ListOrdersRequest, string][] = [
    ['accountId', 'o.accountId = :accountId'],
    ['marketplaceId', 'o.marketplaceId = :marketplaceId'],
    ['channel', 'o.channel = :channel'],
    ['status', 'o.status = :status'],
    ['amazonOrderId', 'o.amazonOrderId = :amazonOrderId'],
    ['updatedSince', 'o.updatedAt >= :updatedSince'],
    ['sku', 'exists (select 1 from sales_order_lines l where l.order_id = o.id and l.sku = :sku)'],
  ];
  for (const [key, condition] of filters) if (request[key] !== undefined) query.andWhere(condition, { [key]: request[key] });
  if (period.from) query.andWhere('o.purchasedAt >= :purchasedFrom', { purchasedFrom: period.from });
  if (period.before) query.andWhere('o.purchasedAt < :purchasedBefore', { purchasedBefore: period.before });
  if (contactIds) query.andWhere('o.contactId IN (:...contactIds)', { contactIds });
  return query;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
/** A date, or a time without its offset, is UTC (not the server's zone). */
const instantOf = (value: string) => new Date(DATE_ONLY.test(value) ? `${value}T00:00:00Z` : /T[\d:.]+$/.test(value) ? `${value}Z` : value);

/**
 * The purchase period asked for, as [from, before): both ends inclusive for the caller, a date
 * alone (UTC) covering its whole day. A period ending before it starts is the caller's 400.
 */
export function purchasePeriod(request: Pick<ListOrdersRequest, 'purchasedFrom' | 'purchasedTo'>): { from?: Date; before?: Date } {
  const from = request.purchasedFrom ? instantOf(request.purchasedFrom) : undefined;
  let before: Date | undefined;
  if (request.purchasedTo) before = new Date(instantOf(request.purchasedTo).getTime() + (DATE_ONLY.test(request.purchasedTo) ? 86_400_000 : 1));
  const invalid = (
    [
      ['purchasedFrom', from],
      ['purchasedTo', before],
    ] as const
  ).filter(([, at]) => at !== undefined && Number.isNaN(at.getTime()));
  if (invalid.length) throw ServiceError.badRequest('Validation failed', invalid.map(([field]) => ({ field, errors: [`${field} must be a date (2026-12-06) or a date and time`] })));
  if (from && before && before <= from) {
    throw ServiceError.badRequest('Validation failed', [{ field: 'purchasedTo', errors: ['purchasedTo must not be before purchasedFrom'] }]);
  }
  return { from, before };
}

/** Units of each order item the order's validated deliveries claimed (but `exceptDelivery`'s). */
async function claimedUnits(manager: EntityManager, orderId: string, exceptDelivery?: string): Promise<Map<string, number>> {
  const rows: { order_item_id: string; quantity: number }[] = await manager.query(
    `select order_item_id, sum(quantity)::int as quantity from shipment_claims where order_id = $1 and delivery_id is distinct from $2 group by order_item_id`,
    [orderId, exceptDelivery ?? null],
  );
  return new Map(rows.map((row) => [row.order_item_id, row.quantity]));
}

/**
 * The order a seller cancels (whole or in part), locked for the cancellation's transaction: a 404
 * when unknown, a 409 when already cancelled; `shipped` says why a shipped one cannot be (the
 * caller keeps that refusal on the order after its transaction).
 */
async function lockOrderToCancel(manager: EntityManager, id: string): Promise<{ order: SalesOrder; shipped?: string }> {
  const order = await manager.findOne(SalesOrder, { where: { id }, relations: { lines: true }, lock: { mode: 'pessimistic_write', tables: ['sales_orders'] } });
  if (!order) throw ServiceError.notFound(`sales order ${id} not found`);
  if (order.status === SalesOrderStatus.Canceled) throw ServiceError.conflict(`sales order ${order.amazonOrderId} is already cancelled`);
  if (order.status === SalesOrderStatus.Shipped || order.deliveryState === 'done') return { order, shipped: `sales order ${order.amazonOrderId} is shipped; a shipped order cannot be cancelled` };
  return { order };
}
