import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  CLAIM_UNITS_TO_SHIP,
  CLAIM_UNITS_TO_SHIP_TIMEOUT_MS,
  DELIVERY_VALIDATED,
  DeliveryState,
  DeliveryValidatedEvent,
  DeliveryView,
  ListDeliveriesRequest,
  Page,
  ShipFromRecord,
  StockMoveState,
  ValidateDeliveryRequest,
} from '@connector/contracts';
import { Outbox } from '@connector/messaging';
import { listPage, ServiceClient, ServiceError, withinReplyBudget } from '@connector/platform';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import { newRowId, PageOrder } from '@connector/persistence';
import { CarrierMappingsService } from '../carriers/carrier-mappings.service';
import { ResolvedCarrier } from '../carriers/carrier-resolution';
import { carriersResolved } from '../carriers/carriers.metrics';
import { Location } from '../locations/location.entity';
import { StockMove } from '../stock/stock-move.entity';
import { moveView } from '../stock/stock.views';
import { Delivery } from './delivery.entity';
import { nextFulfillmentVersions } from './fulfillment-versions';

@Injectable()
export class DeliveriesService {
  private readonly logger = new Logger(DeliveriesService.name);

  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(Delivery) private readonly deliveries: Repository<Delivery>,
    private readonly outbox: Outbox,
    private readonly carriers: CarrierMappingsService,
    private readonly services: ServiceClient,
  ) {}

  async list(request: ListDeliveriesRequest): Promise<Page<DeliveryView>> {
    const query = this.deliveries.createQueryBuilder('d');
    if (request.orderId) query.andWhere('d.orderId = :orderId', { orderId: request.orderId });
    if (request.accountId) query.andWhere('d.accountId = :accountId', { accountId: request.accountId });
    if (request.state) query.andWhere('d.state = :state', { state: request.state });
    if (request.onHold !== undefined) query.andWhere(`${request.onHold ? '' : 'not '}(d.state = :ready and d.holdReason is not null)`, { ready: DeliveryState.Ready });
    if (request.shipByBefore) query.andWhere('d.latestShipDate <= :shipByBefore', { shipByBefore: request.shipByBefore });
    const order: PageOrder<Delivery> | undefined = request.sort === 'shipBy' ? { at: 'latestShipDate' } : undefined;
    const page = await listPage(query, request, (d) => d, order);
    const moves = page.items.length ? await this.dataSource.getRepository(StockMove).find({ where: { deliveryId: In(page.items.map((d) => d.id)) }, order: { createdAt: 'ASC', orderItemId: 'ASC', id: 'ASC' } }) : [];
    const locations = await this.locationsOf(moves);
    return withinReplyBudget(page.items, page.items.map((d) => deliveryView(d, moves.filter((m) => m.deliveryId === d.id), locations)), page.nextCursor, order);
  }

  async get(id: string): Promise<DeliveryView> {
    const delivery = await this.deliveries.findOneBy({ id });
    if (!delivery) throw ServiceError.notFound(`delivery ${id} not found`);
    const moves = await this.dataSource.getRepository(StockMove).find({ where: { deliveryId: id }, order: { createdAt: 'ASC', orderItemId: 'ASC', id: 'ASC' } });
    return deliveryView(delivery, moves, await this.locationsOf(moves));
  }

  /** The locations the moves go from: a ready delivery shows the warehouse it will ship from. */
  private async locationsOf(moves: StockMove[]): Promise<Map<string, Location>> {
    const ids = [...new Set(moves.map((m) => m.fromLocationId))];
    const rows = ids.length ? await this.dataSource.getRepository(Location).findBy({ id: In(ids) }) : [];
    return new Map(rows.map((l) => [l.id, l]));
  }

  /**
   * The seller shipped the delivery (or part of it). Its moves are done; what is left goes
   * into a backorder delivery; `delivery.validated` goes out in the same transaction, for
   * amazon-notifications to confirm the shipment.
   */
  async validate(request: ValidateDeliveryRequest): Promise<DeliveryView> {
    // A parcel is not shipped tomorrow (Amazon refuses it too), and the ship date is when its
    // gift message's retention starts: a date far ahead would keep it for as long.
    if (request.shipDate && Date.parse(request.shipDate) > Date.now() + 86400_000) {
      throw ServiceError.badRequest('Validation failed', [{ field: 'shipDate', errors: ['shipDate must not be more than a day ahead'] }]);
    }
    let validated: DeliveryValidatedEvent | undefined;
    let carrierSource: ResolvedCarrier['source'] | undefined;
    await this.dataSource.transaction(async (manager) => {
      const delivery = await manager.findOne(Delivery, { where: { id: request.id }, lock: { mode: 'pessimistic_write' } });
      if (!delivery) throw ServiceError.notFound(`delivery ${request.id} not found`);
      if (delivery.shippedOutsideAt) {
        // Amazon already has it as shipped: a confirmation now would ship it twice there.
        throw ServiceError.conflict(
          `delivery ${delivery.id} was shipped outside the connector on ${delivery.shippedOutsideAt.toISOString()} (Seller Central or Buy Shipping); it cannot be validated`,
        );
      }
      if (delivery.state !== DeliveryState.Ready) {
        throw ServiceError.conflict(`delivery ${delivery.id} is ${delivery.state}; only a ready delivery can be validated`);
      }
      if (delivery.holdReason) {
        // The buyer may no longer want it: shipping now would send what Amazon may refund. The
        // reason stays out of the message (the buyer's words; it is on the delivery).
        throw ServiceError.conflict(
          `delivery ${delivery.id} is on hold: the buyer asked Amazon to cancel order ${delivery.amazonOrderId}; cancel the order (POST /api/v1/orders/${delivery.orderId}/cancel) or release the hold (POST /api/v1/deliveries/${delivery.id}/release) first`,
        );
      }
      const carrier = await this.carrierOf(manager, request, delivery.accountId);
      carrierSource = carrier.source;
      // Moves made together (a backorder's) share createdAt: the order item breaks the tie, so a package lists its items in one order.
      const moves = await manager.find(StockMove, { where: { deliveryId: delivery.id, state: StockMoveState.Ready }, order: { createdAt: 'ASC', orderItemId: 'ASC', id: 'ASC' } });
      const shipping = this.quantitiesToShip(moves, request.lines);
      if ([...shipping.values()].every((quantity) => quantity === 0)) throw ServiceError.badRequest('nothing to ship: every line quantity is 0');
      // The order may have cancelled some of these units and this delivery not shrunk yet (order.items-canceled
      // not applied here yet): order-ingestion, the order's authority, refuses units it cancelled and keeps
      // those it grants from being cancelled. Asked with the delivery locked, before anything is written.
      const claiming = new Map<string, number>();
      for (const move of moves) {
        const quantity = shipping.get(move.id) ?? 0;
        if (quantity > 0 && move.orderItemId) claiming.set(move.orderItemId, (claiming.get(move.orderItemId) ?? 0) + quantity);
      }
      if (claiming.size) {
        await this.services.request(
          CLAIM_UNITS_TO_SHIP,
          {
            orderId: delivery.orderId,
            deliveryId: delivery.id,
            items: [...claiming].map(([orderItemId, quantity]) => ({ orderItemId, quantity })),
          },
          CLAIM_UNITS_TO_SHIP_TIMEOUT_MS,
        );
      }

      const now = new Date();
      const backorderMoves: Partial<StockMove>[] = [];
      for (const move of moves) {
        const quantity = shipping.get(move.id) ?? 0;
        const rest = move.quantity - quantity;
        if (quantity > 0) await manager.update(StockMove, { id: move.id }, { quantity, state: StockMoveState.Done, doneAt: now });
        else await manager.delete(StockMove, { id: move.id });
        if (rest > 0) backorderMoves.push({ ...move, id: newRowId(), quantity: rest, state: StockMoveState.Ready, doneAt: null, createdAt: undefined });
      }
      if (backorderMoves.length) {
        const sequence: { next: number }[] = await manager.query(`select coalesce(max(sequence), 0) + 1 as next from deliveries where order_id = $1`, [delivery.orderId]);
        const backorder = manager.create(Delivery, {
          ...delivery,
          id: newRowId(),
          sequence: sequence[0].next,
          backorderOfId: delivery.id,
          state: DeliveryState.Ready,
          createdAt: undefined,
        });
        await manager.insert(Delivery, backorder);
        await manager.insert(StockMove, backorderMoves.map((m) => ({ ...m, deliveryId: backorder.id })));
      }
      const shipDate = request.shipDate ? new Date(request.shipDate) : now;
      const shipFrom = await this.shipFromOf(manager, moves);
      await manager.update(
        Delivery,
        { id: delivery.id },
        {
          state: DeliveryState.Done,
          carrierCode: carrier.carrierCode,
          carrierName: carrier.carrierName,
          trackingNumber: request.trackingNumber,
          shippingMethod: request.shippingMethod ?? null,
          shipDate,
          shipFrom,
        },
      );
      const items = new Map<string, number>();
      for (const move of moves) {
        const quantity = shipping.get(move.id) ?? 0;
        if (quantity > 0 && move.orderItemId) items.set(move.orderItemId, (items.get(move.orderItemId) ?? 0) + quantity);
      }
      const event: DeliveryValidatedEvent = {
        deliveryId: delivery.id,
        orderId: delivery.orderId,
        accountId: delivery.accountId,
        marketplaceId: delivery.marketplaceId,
        amazonOrderId: delivery.amazonOrderId,
        packageReferenceId: String(delivery.sequence),
        carrierCode: carrier.carrierCode,
        carrierName: carrier.carrierName,
        trackingNumber: request.trackingNumber,
        shippingMethod: request.shippingMethod ?? null,
        shipDate: shipDate.toISOString(),
        items: [...items].map(([orderItemId, quantity]) => ({ orderItemId, quantity })),
        fullyShipped: backorderMoves.length === 0,
        shipFromSupplySourceId: shipFrom?.supplySourceId ?? null,
        shipFrom,
        fulfillmentVersion: (await nextFulfillmentVersions(manager, [delivery.orderId])).get(delivery.orderId),
      };
      await this.outbox.add(manager, DELIVERY_VALIDATED, event);
      validated = event;
    });
    if (validated) {
      if (carrierSource) carriersResolved.inc({ resolved_by: carrierSource });
      this.logger.log({
        msg: `delivery ${validated.deliveryId} of order ${validated.amazonOrderId} validated (${validated.fullyShipped ? 'fully shipped' : 'a backorder stays'})`,
        accountId: validated.accountId,
        amazonOrderId: validated.amazonOrderId,
      });
    }
    return this.get(request.id);
  }

  /**
   * The seller ships a held delivery after all (the buyer's request was withdrawn, or the seller
   * declines it): the hold is lifted and the delivery can be validated. The buyer's request stays
   * flagged on it; the same request synced again does not hold it anew, a new one would.
   */
  async release(id: string): Promise<DeliveryView> {
    await this.dataSource.transaction(async (manager) => {
      const delivery = await manager.findOne(Delivery, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!delivery) throw ServiceError.notFound(`delivery ${id} not found`);
      if (delivery.state !== DeliveryState.Ready) throw ServiceError.conflict(`delivery ${id} is ${delivery.state}; only a ready delivery is held or released`);
      if (!delivery.holdReason) throw ServiceError.conflict(`delivery ${id} is not on hold`);
      await manager.update(Delivery, { id }, { holdReason: null, holdReleasedAt: new Date() });
      this.logger.log({ msg: `delivery ${id} of order ${delivery.amazonOrderId} released from its hold (${delivery.holdReason}) by the seller`, accountId: delivery.accountId, amazonOrderId: delivery.amazonOrderId });
    });
    return this.get(id);
  }

  /**
   * Amazon's carrier code (and name, for Other) of the package: as given, or resolved from
   * the seller's carrier name through its mapping (in this transaction: a mapping changed at
   * the same moment is either wholly before or wholly after).
   */
  private async carrierOf(manager: EntityManager, request: ValidateDeliveryRequest, accountId: string): Promise<ResolvedCarrier> {
    if (request.carrier === undefined) {
      if (!request.carrierCode) throw ServiceError.badRequest('Validation failed', [{ field: 'carrierCode', errors: ['carrierCode or carrier is required'] }]);
      return { carrierCode: request.carrierCode, carrierName: request.carrierName ?? null, source: 'code' };
    }
    const resolved = await this.carriers.resolve(manager, request.carrier, accountId);
    if (resolved.source === 'other') this.logger.log({ msg: `carrier "${resolved.carrierName}" is neither mapped nor one of Amazon's codes: confirmed as Other with its name` });
    return resolved;
  }

  /**
   * The warehouse this package goes from (its stock moves' location) as it is now: each
   * package (a backorder too) reads it when validated, so it carries that location's current
   * supply source id and address.
   */
  private async shipFromOf(manager: EntityManager, moves: StockMove[]): Promise<ShipFromRecord | null> {
    if (moves.length === 0) return null;
    const location = await manager.findOneBy(Location, { id: moves[0].fromLocationId });
    return location ? shipFromRecord(location) : null;
  }

  /** Per move, how much ships now: everything, or what the request's lines say per order item. */

  private quantitiesToShip(moves: StockMove[], lines: ValidateDeliveryRequest['lines']): Map<string, number> {
    const result = new Map<string, number>();
    if (!lines) {
      for (const move of moves) result.set(move.id, move.quantity);
      return result;
    }
    const errors: { field: string; errors: string[] }[] = [];
    const wanted = new Map<string, number>();
    lines.forEach((line, index) => {
      if (!moves.some((m) => m.orderItemId === line.orderItemId)) errors.push({ field: `lines.${index}.orderItemId`, errors: [`order item ${line.orderItemId} is not in this delivery`] });
      wanted.set(line.orderItemId, (wanted.get(line.orderItemId) ?? 0) + line.quantity);
    });
    for (const [orderItemId, quantity] of wanted) {
      const open = moves.filter((m) => m.orderItemId === orderItemId).reduce((sum, m) => sum + m.quantity, 0);
      if (quantity > open && open > 0) errors.push({ field: 'lines', errors: [`order item ${orderItemId}: ${quantity} to ship, only ${open} open`] });
    }
    if (errors.length) throw ServiceError.badRequest('Validation failed', errors);
    for (const move of moves) {
      const left = wanted.get(move.orderItemId ?? '') ?? 0;
      const take = Math.min(left, move.quantity);
      result.set(move.id, take);
      if (move.orderItemId) wanted.set(move.orderItemId, left - take);
    }
    return result;
  }
}

const shipFromRecord = (l: Location): ShipFromRecord => ({ locationId: l.id, name: l.name, address: l.address, supplySourceId: l.supplySourceId });

export function deliveryView(d: Delivery, moves: StockMove[], locations: Map<string, Location> = new Map()): DeliveryView {
  // Validated: as it was then; ready: the location its moves go from, as it is now.
  const current = moves.length ? locations.get(moves[0].fromLocationId) : undefined;
  return {
    id: d.id,
    orderId: d.orderId,
    accountId: d.accountId,
    marketplaceId: d.marketplaceId,
    amazonOrderId: d.amazonOrderId,
    contactId: d.contactId,
    deliveryAddressId: d.deliveryAddressId,
    state: d.state,
    packageReferenceId: String(d.sequence),
    backorderOfId: d.backorderOfId,
    giftMessage: d.giftMessage,
    earliestShipDate: d.earliestShipDate?.toISOString() ?? null,
    latestShipDate: d.latestShipDate?.toISOString() ?? null,
    earliestDeliveryDate: d.earliestDeliveryDate?.toISOString() ?? null,
    latestDeliveryDate: d.latestDeliveryDate?.toISOString() ?? null,
    isPrime: d.isPrime,
    buyerCancelRequested: d.buyerCancelRequested,
    buyerCancelReason: d.buyerCancelReason,
    onHold: d.state === DeliveryState.Ready && d.holdReason !== null,
    holdReason: d.holdReason,
    heldAt: d.heldAt?.toISOString() ?? null,
    holdReleasedAt: d.holdReleasedAt?.toISOString() ?? null,
    carrierCode: d.carrierCode,
    carrierName: d.carrierName,
    trackingNumber: d.trackingNumber,
    shippingMethod: d.shippingMethod,
    shipDate: d.shipDate?.toISOString() ?? null,
    shippedOutsideAt: d.shippedOutsideAt?.toISOString() ?? null,
    shipFrom: d.shipFrom ?? (current ? shipFromRecord(current) : null),
    moves: moves.map(moveView),
    createdAt: d.createdAt.toISOString(),
  };
}
