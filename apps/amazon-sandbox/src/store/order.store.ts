import { Injectable } from '@nestjs/common';
import { Order, StoredOrder } from './order.types';

/** All orders of all sellers, keyed by Amazon order id (unique across sellers, as on Amazon). */
@Injectable()
export class OrderStore {
  private readonly orders = new Map<string, StoredOrder>();

  reset(): void {
    this.orders.clear();
  }

  upsert(sellerId: string, order: Order): StoredOrder {
    const stored: StoredOrder = { sellerId, order };
    this.orders.set(order.orderId, stored);
    return stored;
  }

  get(orderId: string): StoredOrder | undefined {
    return this.orders.get(orderId);
  }

  /** The order if it belongs to this seller (another seller's order is "not found", as on Amazon). */
  getForSeller(sellerId: string, orderId: string): StoredOrder | undefined {
    const stored = this.orders.get(orderId);
    return stored && stored.sellerId === sellerId ? stored : undefined;
  }

  forSeller(sellerId: string): StoredOrder[] {
    const out: StoredOrder[] = [];
    for (const stored of this.orders.values()) if (stored.sellerId === sellerId) out.push(stored);
    return out;
  }

  deleteForSeller(sellerId: string): void {
    for (const [id, stored] of this.orders) if (stored.sellerId === sellerId) this.orders.delete(id);
  }
}
