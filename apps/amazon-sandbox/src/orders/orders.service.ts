import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AmazonApiError } from '../sp-api/amazon-error';
import { FaultService } from '../sp-api/fault.service';
import { dateParam, enumListParam, listParam, singleParam } from '../sp-api/params';
import { SandboxClock } from '../store/sandbox-clock';
import { OrderStore } from '../store/order.store';
import { FULFILLMENT_STATUSES, Order, StoredOrder } from '../store/order.types';
import { INCLUDED_DATA, IncludedData, orderView } from './order-view';

const TWO_MINUTES = 2 * 60_000;
/** Open paginations kept (least recently used dropped first); each holds only order ids. */
const MAX_SNAPSHOTS = 1000;

/** The frozen result set of one search, paged over by pagination tokens. */
interface SearchSnapshot {
  sellerId: string;
  orderIds: string[];
  pageSize: number;
  includedData: Set<IncludedData>;
  boundName: 'lastUpdatedBefore' | 'createdBefore';
  bound: string;
}

export interface SearchOrdersResponse {
  orders: Order[];
  pagination?: { nextToken: string };
  lastUpdatedBefore?: string;
  createdBefore?: string;
}

/**
 * searchOrders / getOrder (v2026-01-01). Paging works on a snapshot of the matching order ids
 * taken at the first page, so every order that matched is returned exactly once even if
 * orders change between pages (each page shows the orders' current data).
 */
@Injectable()
export class OrdersService {
  private readonly snapshots = new Map<string, SearchSnapshot>();

  constructor(
    private readonly store: OrderStore,
    private readonly clock: SandboxClock,
    private readonly faults: FaultService,
  ) {}

  reset(): void {
    this.snapshots.clear();
  }

  view(stored: StoredOrder, includedData: Set<IncludedData> | 'ALL'): Order {
    return orderView(stored.order, includedData, this.faults.malformedOrderIds.has(stored.order.orderId));
  }

  getOrder(sellerId: string, orderId: string, query: Record<string, unknown>): { order: Order } {
    const includedData = new Set(enumListParam('includedData', query.includedData, INCLUDED_DATA) ?? []);
    const stored = this.store.readAsGetOrderShows(sellerId, orderId);
    if (!stored) throw AmazonApiError.notFound(`Order ${orderId} not found.`, orderId);
    return { order: this.view(stored, includedData) };
  }

  searchOrders(sellerId: string, query: Record<string, unknown>): SearchOrdersResponse {
    const maxResultsRaw = singleParam(query.maxResultsPerPage);
    let pageSize: number | undefined;
    if (maxResultsRaw !== undefined) {
      pageSize = Number(maxResultsRaw);
      if (!/^\d+$/.test(maxResultsRaw) || pageSize < 1 || pageSize > 100) {
        throw AmazonApiError.invalidInput('Invalid maxResultsPerPage: must be an integer between 1 and 100.', `maxResultsPerPage=${maxResultsRaw}`);
      }
    }
    const includedRaw = enumListParam('includedData', query.includedData, INCLUDED_DATA);

    const token = singleParam(query.paginationToken);
    if (token !== undefined) return this.nextPage(sellerId, token, pageSize, includedRaw);

    const nowMs = this.clock.nowMs();
    const createdAfter = dateParam('createdAfter', singleParam(query.createdAfter));
    const createdBefore = dateParam('createdBefore', singleParam(query.createdBefore));
    const lastUpdatedAfter = dateParam('lastUpdatedAfter', singleParam(query.lastUpdatedAfter));
    const lastUpdatedBefore = dateParam('lastUpdatedBefore', singleParam(query.lastUpdatedBefore));
    if ((createdAfter === undefined) === (lastUpdatedAfter === undefined)) {
      throw AmazonApiError.invalidInput('Exactly one of createdAfter and lastUpdatedAfter must be provided.', 'createdAfter, lastUpdatedAfter');
    }
    const byCreated = createdAfter !== undefined;
    if (byCreated && lastUpdatedBefore !== undefined) throw AmazonApiError.invalidInput('lastUpdatedBefore cannot be combined with createdAfter.', 'lastUpdatedBefore');
    if (!byCreated && createdBefore !== undefined) throw AmazonApiError.invalidInput('createdBefore cannot be combined with lastUpdatedAfter.', 'createdBefore');
    const after = (byCreated ? createdAfter : lastUpdatedAfter)!;
    const beforeName = byCreated ? 'createdBefore' : 'lastUpdatedBefore';
    const afterName = byCreated ? 'createdAfter' : 'lastUpdatedAfter';
    const latest = nowMs - TWO_MINUTES;
    const givenBefore = byCreated ? createdBefore : lastUpdatedBefore;
    if (givenBefore !== undefined && givenBefore > latest) {
      throw AmazonApiError.invalidInput(`${beforeName} must be at least two minutes before the time of the request.`, beforeName);
    }
    const before = givenBefore ?? latest;
    if (after > before) {
      throw AmazonApiError.invalidInput(`${afterName} must be before ${beforeName} (which defaults to two minutes before the time of the request).`, afterName);
    }

    const marketplaceIds = listParam(query.marketplaceIds);
    if (marketplaceIds && marketplaceIds.length > 50) throw AmazonApiError.invalidInput('marketplaceIds accepts at most 50 values.', 'marketplaceIds');
    const statuses = enumListParam('fulfillmentStatuses', query.fulfillmentStatuses, FULFILLMENT_STATUSES);
    const fulfilledBy = enumListParam('fulfilledBy', query.fulfilledBy, ['MERCHANT', 'AMAZON'] as const);

    // On the orders' search fields (parsed timestamps): the orders themselves are generated
    // only for the pages that show them.
    const matching: { id: string; t: number }[] = [];
    for (const o of this.store.listForSeller(sellerId)) {
      const t = byCreated ? o.createdMs : o.lastUpdatedMs;
      if (t < after || t > before) continue;
      if (marketplaceIds && !marketplaceIds.includes(o.marketplaceId)) continue;
      if (statuses && !statuses.includes(o.fulfillmentStatus)) continue;
      if (fulfilledBy && !fulfilledBy.includes(o.fulfilledBy)) continue;
      matching.push({ id: o.orderId, t: o.lastUpdatedMs });
    }
    matching.sort((a, b) => a.t - b.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

    const snapshot: SearchSnapshot = {
      sellerId,
      orderIds: matching.map((m) => m.id),
      pageSize: pageSize ?? 100,
      includedData: new Set(includedRaw ?? []),
      boundName: beforeName,
      bound: new Date(before).toISOString(),
    };
    return this.page(snapshot, randomBytes(12).toString('base64url'), 0, snapshot.pageSize, snapshot.includedData);
  }

  private nextPage(sellerId: string, token: string, pageSize: number | undefined, included: IncludedData[] | undefined): SearchOrdersResponse {
    const [snapshotId, offsetRaw] = Buffer.from(token, 'base64url').toString('utf8').split(':');
    const snapshot = this.snapshots.get(snapshotId ?? '');
    const offset = Number(offsetRaw);
    if (!snapshot || snapshot.sellerId !== sellerId || !Number.isInteger(offset) || offset < 0) {
      throw AmazonApiError.invalidInput('Invalid paginationToken.', 'paginationToken');
    }
    // Most recently used last, so eviction drops abandoned paginations first.
    this.snapshots.delete(snapshotId);
    this.snapshots.set(snapshotId, snapshot);
    return this.page(snapshot, snapshotId, offset, pageSize ?? snapshot.pageSize, included ? new Set(included) : snapshot.includedData);
  }

  /** Tokens name (snapshot, offset), so asking for the same token twice returns the same page. */
  private page(snapshot: SearchSnapshot, snapshotId: string, offset: number, size: number, included: Set<IncludedData>): SearchOrdersResponse {
    const ids = snapshot.orderIds.slice(offset, offset + size);
    const orders: Order[] = [];
    for (const id of ids) {
      const stored = this.store.readForSeller(snapshot.sellerId, id);
      if (stored) orders.push(this.view(stored, included));
    }
    const response: SearchOrdersResponse = { orders };
    if (offset + size < snapshot.orderIds.length) {
      if (!this.snapshots.has(snapshotId)) {
        this.snapshots.set(snapshotId, snapshot);
        if (this.snapshots.size > MAX_SNAPSHOTS) this.snapshots.delete(this.snapshots.keys().next().value!);
      }
      response.pagination = { nextToken: Buffer.from(`${snapshotId}:${offset + size}`).toString('base64url') };
    }
    response[snapshot.boundName] = snapshot.bound;
    return response;
  }
}
