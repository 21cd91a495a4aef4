import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AmazonApiError } from '../sp-api/amazon-error';
import { FaultService } from '../sp-api/fault.service';
import { dateParam, enumListParam, listParam, singleParam } from '../sp-api/params';
import { OrderStore } from '../store/order.store';
import { Order, StoredOrder } from '../store/order.types';
import { SandboxClock } from '../store/sandbox-clock';
import type { RestrictedResource } from '../tokens/restricted-resources';
import { breakOrder } from './order-view';
import { PiiAccess, V0_STATUS, V0_STATUSES, v0Address, v0BuyerInfo, v0Order, v0OrderItem, v0OrderItemBuyerInfo } from './v0-mapping';

const TWO_MINUTES = 2 * 60_000;
const MAX_SNAPSHOTS = 1000;

interface V0Snapshot {
  sellerId: string;
  orderIds: string[];
  pageSize: number;
  boundName: 'LastUpdatedBefore' | 'CreatedBefore';
  bound: string;
}

function piiFor(resource: RestrictedResource | undefined): PiiAccess {
  const elements = resource?.dataElements ?? [];
  return { buyerInfo: elements.includes('buyerInfo'), shippingAddress: elements.includes('shippingAddress') };
}

/**
 * Orders v0 (deprecated by Amazon, still supported): getOrders with v0 parameter names and
 * shapes, and the per-order calls. Personal data (buyer, full address, gift messages) only
 * with a restricted data token; Pending orders without prices. Pages over a snapshot like v2026.
 */
@Injectable()
export class OrdersV0Service {
  private readonly snapshots = new Map<string, V0Snapshot>();

  constructor(
    private readonly store: OrderStore,
    private readonly clock: SandboxClock,
    private readonly faults: FaultService,
  ) {}

  reset(): void {
    this.snapshots.clear();
  }

  private find(sellerId: string, orderId: string): Order {
    const stored = this.store.readAsGetOrderShows(sellerId, orderId);
    if (!stored) throw AmazonApiError.notFound(`Order ${orderId} not found.`, orderId);
    return this.maybeBroken(stored);
  }

  private maybeBroken(stored: StoredOrder): Order {
    return this.faults.malformedOrderIds.has(stored.order.orderId) ? breakOrder(structuredClone(stored.order)) : stored.order;
  }

  /** v0 records are built from the v2026 record; a broken one is served with its gaps. */
  private safe<T>(order: Order, build: () => T): T {
    try {
      return build();
    } catch {
      return { AmazonOrderId: order.orderId, OrderTotal: { CurrencyCode: 'EUR', Amount: 'not-a-number' } } as T;
    }
  }

  getOrders(sellerId: string, query: Record<string, unknown>, rdt: RestrictedResource | undefined) {
    const pii = piiFor(rdt);
    const maxRaw = singleParam(query.MaxResultsPerPage);
    let pageSize: number | undefined;
    if (maxRaw !== undefined) {
      pageSize = Number(maxRaw);
      if (!/^\d+$/.test(maxRaw) || pageSize < 1 || pageSize > 100) throw AmazonApiError.invalidInput('MaxResultsPerPage must be between 1 and 100.', 'MaxResultsPerPage');
    }
    const nextToken = singleParam(query.NextToken);
    if (nextToken !== undefined) {
      const [id, offsetRaw] = Buffer.from(nextToken, 'base64url').toString('utf8').split(':');
      const snapshot = this.snapshots.get(id ?? '');
      const offset = Number(offsetRaw);
      if (!snapshot || snapshot.sellerId !== sellerId || !Number.isInteger(offset) || offset < 0) throw AmazonApiError.invalidInput('Invalid NextToken.', 'NextToken');
      this.snapshots.delete(id);
      this.snapshots.set(id, snapshot);
      return this.page(snapshot, id, offset, pageSize ?? snapshot.pageSize, pii);
    }

    const marketplaceIds = listParam(query.MarketplaceIds);
    if (!marketplaceIds) throw AmazonApiError.invalidInput('MarketplaceIds is required.', 'MarketplaceIds');
    if (marketplaceIds.length > 50) throw AmazonApiError.invalidInput('MarketplaceIds accepts at most 50 values.', 'MarketplaceIds');
    const amazonOrderIds = listParam(query.AmazonOrderIds);
    if (amazonOrderIds && amazonOrderIds.length > 50) throw AmazonApiError.invalidInput('AmazonOrderIds accepts at most 50 values.', 'AmazonOrderIds');
    const createdAfter = dateParam('CreatedAfter', singleParam(query.CreatedAfter));
    const createdBefore = dateParam('CreatedBefore', singleParam(query.CreatedBefore));
    const lastUpdatedAfter = dateParam('LastUpdatedAfter', singleParam(query.LastUpdatedAfter));
    const lastUpdatedBefore = dateParam('LastUpdatedBefore', singleParam(query.LastUpdatedBefore));
    if (!amazonOrderIds && (createdAfter === undefined) === (lastUpdatedAfter === undefined)) {
      throw AmazonApiError.invalidInput('Exactly one of CreatedAfter and LastUpdatedAfter must be specified.', 'CreatedAfter, LastUpdatedAfter');
    }
    const byCreated = lastUpdatedAfter === undefined;
    if (byCreated && lastUpdatedBefore !== undefined) throw AmazonApiError.invalidInput('LastUpdatedBefore cannot be combined with CreatedAfter.', 'LastUpdatedBefore');
    if (!byCreated && createdBefore !== undefined) throw AmazonApiError.invalidInput('CreatedBefore cannot be combined with LastUpdatedAfter.', 'CreatedBefore');
    const latest = this.clock.nowMs() - TWO_MINUTES;
    const beforeName = byCreated ? 'CreatedBefore' : 'LastUpdatedBefore';
    const givenBefore = byCreated ? createdBefore : lastUpdatedBefore;
    if (givenBefore !== undefined && givenBefore > latest) throw AmazonApiError.invalidInput(`${beforeName} must be at least two minutes before the time of the request.`, beforeName);
    const before = givenBefore ?? latest;
    const after = (byCreated ? createdAfter : lastUpdatedAfter) ?? Number.NEGATIVE_INFINITY;
    if (after > before) throw AmazonApiError.invalidInput(`${byCreated ? 'CreatedAfter' : 'LastUpdatedAfter'} must be before ${beforeName}.`, beforeName);
    const statuses = enumListParam('OrderStatuses', query.OrderStatuses, V0_STATUSES);
    const channels = enumListParam('FulfillmentChannels', query.FulfillmentChannels, ['AFN', 'MFN'] as const);
    const buyerEmail = singleParam(query.BuyerEmail);

    // On the orders' search fields; the orders themselves are generated only to compare a BuyerEmail.
    const matching = this.store
      .listForSeller(sellerId)
      .filter((o) => {
        if (amazonOrderIds) return amazonOrderIds.includes(o.orderId) && marketplaceIds.includes(o.marketplaceId);
        const t = byCreated ? o.createdMs : o.lastUpdatedMs;
        if (t < after || t > before) return false;
        if (!marketplaceIds.includes(o.marketplaceId)) return false;
        if (statuses && !statuses.includes(V0_STATUS[o.fulfillmentStatus] as (typeof V0_STATUSES)[number])) return false;
        if (channels && !channels.includes(o.fulfilledBy === 'AMAZON' ? 'AFN' : 'MFN')) return false;
        if (buyerEmail && this.store.read(o.orderId)!.order.buyer?.buyerEmail !== buyerEmail) return false;
        return true;
      })
      .map((o) => ({ id: o.orderId, t: o.lastUpdatedMs }))
      .sort((a, b) => a.t - b.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const snapshot: V0Snapshot = { sellerId, orderIds: matching.map((m) => m.id), pageSize: pageSize ?? 100, boundName: beforeName, bound: new Date(before).toISOString() };
    return this.page(snapshot, randomBytes(12).toString('base64url'), 0, snapshot.pageSize, pii);
  }

  private page(snapshot: V0Snapshot, id: string, offset: number, size: number, pii: PiiAccess) {
    const orders: Record<string, unknown>[] = [];
    for (const orderId of snapshot.orderIds.slice(offset, offset + size)) {
      const stored = this.store.readForSeller(snapshot.sellerId, orderId);
      if (stored) {
        const order = this.maybeBroken(stored);
        orders.push(this.safe(order, () => v0Order(order, pii)));
      }
    }
    const payload: Record<string, unknown> = { Orders: orders };
    if (offset + size < snapshot.orderIds.length) {
      if (!this.snapshots.has(id)) {
        this.snapshots.set(id, snapshot);
        if (this.snapshots.size > MAX_SNAPSHOTS) this.snapshots.delete(this.snapshots.keys().next().value!);
      }
      payload.NextToken = Buffer.from(`${id}:${offset + size}`).toString('base64url');
    }
    payload[snapshot.boundName] = snapshot.bound;
    return { payload };
  }

  getOrder(sellerId: string, orderId: string, rdt: RestrictedResource | undefined) {
    const order = this.find(sellerId, orderId);
    return { payload: this.safe(order, () => v0Order(order, piiFor(rdt))) };
  }

  getOrderItems(sellerId: string, orderId: string, query: Record<string, unknown>, rdt: RestrictedResource | undefined) {
    // Orders have at most a handful of items, so everything fits one page; no token is ever issued.
    if (singleParam(query.NextToken) !== undefined) throw AmazonApiError.invalidInput('Invalid NextToken.', 'NextToken');
    const order = this.find(sellerId, orderId);
    return { payload: { AmazonOrderId: orderId, OrderItems: this.safe(order, () => order.orderItems.map((i) => v0OrderItem(order, i, !!rdt))) } };
  }

  getOrderAddress(sellerId: string, orderId: string, rdt: RestrictedResource | undefined) {
    const order = this.find(sellerId, orderId);
    return {
      payload: {
        AmazonOrderId: orderId,
        ...(rdt && order.buyer?.buyerCompanyName ? { BuyerCompanyName: order.buyer.buyerCompanyName } : {}),
        ...(order.recipient?.deliveryAddress ? { ShippingAddress: v0Address(order, !!rdt) } : {}),
      },
    };
  }

  getOrderBuyerInfo(sellerId: string, orderId: string, rdt: RestrictedResource | undefined) {
    const order = this.find(sellerId, orderId);
    return { payload: { AmazonOrderId: orderId, ...(rdt ? v0BuyerInfo(order) : {}) } };
  }

  getOrderItemsBuyerInfo(sellerId: string, orderId: string, query: Record<string, unknown>, rdt: RestrictedResource | undefined) {
    if (singleParam(query.NextToken) !== undefined) throw AmazonApiError.invalidInput('Invalid NextToken.', 'NextToken');
    const order = this.find(sellerId, orderId);
    return { payload: { AmazonOrderId: orderId, OrderItems: this.safe(order, () => order.orderItems.map((i) => v0OrderItemBuyerInfo(order, i, !!rdt))) } };
  }
}
