import { Injectable } from '@nestjs/common';
import { GeneratedBatch, OrderSummary } from '../generator/order-generator';
import { FulfilledBy, FulfillmentStatus, Order, StoredOrder } from './order.types';

/**
 * An order as kept: a whole record (given to the control API, or changed since it was
 * generated), or its place in a generated batch, which generates it again when asked.
 */
type Entry = { sellerId: string; order: Order } | { sellerId: string; batch: GeneratedBatch; index: number };

/** Parsed timestamps of whole records, memoised: searches would otherwise spend their time in Date.parse. */
const parsedTimes = new Map<string, number>();
function timeMs(iso: string): number {
  let t = parsedTimes.get(iso);
  if (t === undefined) {
    if (parsedTimes.size > 1_000_000) parsedTimes.clear();
    parsedTimes.set(iso, (t = Date.parse(iso)));
  }
  return t;
}

function summaryOf(o: Order): OrderSummary {
  return {
    orderId: o.orderId,
    createdMs: timeMs(o.createdTime),
    lastUpdatedMs: timeMs(o.lastUpdatedTime),
    // As given (a record posted to the control API may write them differently from toISOString).
    createdTime: o.createdTime,
    lastUpdatedTime: o.lastUpdatedTime,
    marketplaceId: o.salesChannel.marketplaceId ?? '',
    fulfillmentStatus: o.fulfillment?.fulfillmentStatus as FulfillmentStatus,
    fulfilledBy: o.fulfillment?.fulfilledBy as FulfilledBy,
  };
}

/**
 * All orders of all sellers, keyed by Amazon order id (unique across sellers, as on Amazon).
 *
 * Generated orders are not kept as objects (100,000 of them took the sandbox past 700 MB):
 * `read` generates a fresh copy each time, which callers must not change; `edit` turns the
 * order into a kept record first, so changes to what it returns stay.
 */
@Injectable()
export class OrderStore {
  private readonly orders = new Map<string, Entry>();
  /** Each seller's order ids: a search reads its seller's orders, not every seller's (10,000 sellers in bench/many-sellers.ts). */
  private readonly idsBySeller = new Map<string, Set<string>>();
  private readonly listeners: ((sellerId: string, orderId: string) => void)[] = [];
  /** Orders written or taken for a change since the last announcement, by id: their seller. */
  private changed = new Map<string, string>();
  /** getOrder shows an order as it was before a change for this long after it (Amazon's getOrder is eventually consistent); 0: at once. */
  private getOrderLagMs = 0;
  /** Copies from before a change, shown by getOrder until `untilMs`. */
  private readonly beforeChange = new Map<string, { order: Order; untilMs: number }>();

  reset(): void {
    this.orders.clear();
    this.idsBySeller.clear();
    this.changed.clear();
    this.getOrderLagMs = 0;
    this.beforeChange.clear();
  }

  setGetOrderLag(seconds: number): void {
    this.getOrderLagMs = seconds * 1000;
    if (!seconds) this.beforeChange.clear();
  }

  get getOrderLagSeconds(): number {
    return this.getOrderLagMs / 1000;
  }

  /** The order as getOrder (and its items, address) shows it: within the lag after a change, the copy from before it. */
  readAsGetOrderShows(sellerId: string, orderId: string): StoredOrder | undefined {
    const stored = this.readForSeller(sellerId, orderId);
    if (!stored) return undefined;
    const before = this.beforeChange.get(orderId);
    if (!before) return stored;
    if (Date.now() < before.untilMs) return { sellerId, order: before.order };
    this.beforeChange.delete(orderId);
    return stored;
  }

  /**
   * Called for every order created (upsert) or taken for a change (edit), once the change is made:
   * after the current turn of the event loop, as callers change what `edit` returned in place.
   */
  onChange(listener: (sellerId: string, orderId: string) => void): void {
    this.listeners.push(listener);
  }

  upsert(sellerId: string, order: Order): StoredOrder {
    this.put(order.orderId, { sellerId, order });
    this.announce(sellerId, order.orderId);
    return { sellerId, order };
  }

  private announce(sellerId: string, orderId: string): void {
    if (!this.listeners.length) return;
    if (!this.changed.size) {
      setImmediate(() => {
        const changed = this.changed;
        this.changed = new Map();
        for (const [id, seller] of changed) for (const listener of this.listeners) listener(seller, id);
      });
    }
    this.changed.set(orderId, sellerId);
  }

  /** Every order of a generated batch (replacing orders with the same ids, as upsert does). */
  addGenerated(sellerId: string, batch: GeneratedBatch): void {
    for (let index = 0; index < batch.size; index++) this.put(batch.orderIds[index], { sellerId, batch, index });
  }

  /** Stores an order under its seller (an id another seller had moves to this one, as the map's entry does). */
  private put(orderId: string, entry: Entry): void {
    const previous = this.orders.get(orderId);
    if (previous && previous.sellerId !== entry.sellerId) this.idsBySeller.get(previous.sellerId)?.delete(orderId);
    this.orders.set(orderId, entry);
    let ids = this.idsBySeller.get(entry.sellerId);
    if (!ids) this.idsBySeller.set(entry.sellerId, (ids = new Set()));
    ids.add(orderId);
  }

  hasForSeller(sellerId: string, orderId: string): boolean {
    return this.orders.get(orderId)?.sellerId === sellerId;
  }

  /** The order to look at (possibly generated just now: changes to it are lost). */
  read(orderId: string): StoredOrder | undefined {
    const entry = this.orders.get(orderId);
    return entry && { sellerId: entry.sellerId, order: 'order' in entry ? entry.order : entry.batch.order(entry.index) };
  }

  /** As `read`, if it belongs to this seller (another seller's order is "not found", as on Amazon). */
  readForSeller(sellerId: string, orderId: string): StoredOrder | undefined {
    return this.hasForSeller(sellerId, orderId) ? this.read(orderId) : undefined;
  }

  /** The order to change: kept as a whole record from now on, so changes to it stay. */
  edit(orderId: string): StoredOrder | undefined {
    const entry = this.orders.get(orderId);
    if (!entry) return undefined;
    this.announce(entry.sellerId, orderId);
    if (this.getOrderLagMs > 0) {
      // The copy before the first change of a lag window stays what getOrder shows until the window ends.
      const held = this.beforeChange.get(orderId);
      if (!held || Date.now() >= held.untilMs) this.beforeChange.set(orderId, { order: structuredClone(this.read(orderId)!.order), untilMs: Date.now() + this.getOrderLagMs });
    }
    if ('order' in entry) return entry;
    const kept = { sellerId: entry.sellerId, order: entry.batch.order(entry.index) };
    this.put(orderId, kept);
    return kept;
  }

  /** As `edit`, if it belongs to this seller. */
  editForSeller(sellerId: string, orderId: string): StoredOrder | undefined {
    return this.hasForSeller(sellerId, orderId) ? this.edit(orderId) : undefined;
  }

  /** The search fields of every order of a seller, without generating the orders. */
  listForSeller(sellerId: string): OrderSummary[] {
    const out: OrderSummary[] = [];
    for (const id of this.idsBySeller.get(sellerId) ?? []) {
      const entry = this.orders.get(id)!;
      out.push('batch' in entry ? entry.batch.summary(entry.index) : summaryOf(entry.order));
    }
    return out;
  }

  deleteForSeller(sellerId: string): void {
    for (const id of this.idsBySeller.get(sellerId) ?? []) this.orders.delete(id);
    this.idsBySeller.delete(sellerId);
  }
}
