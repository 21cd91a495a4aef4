import { SalesOrderStatus } from '@connector/contracts';
import type { AmazonOrder } from '@connector/sp-api';
import { MappedOrder } from './amazon-order.mapper';
import { SalesOrder } from './sales-order.entity';

/** Shipped or cancelled: the buyer's personal data may be forgotten after the retention period. */
export const CLOSED = new Set<string>([SalesOrderStatus.Shipped, SalesOrderStatus.Canceled]);

/** The status to keep: Amazon's, except that a cancellation is final (Amazon may still say Unshipped while ours travels). */
export function statusOf(mapped: MappedOrder, known: SalesOrder | undefined): SalesOrderStatus {
  return known?.status === SalesOrderStatus.Canceled ? SalesOrderStatus.Canceled : mapped.status;
}

/**
 * A snapshot of Amazon's older than the one the order was last written from (fetched before
 * it, written after it, e.g. by a slower page or replica): it changes nothing.
 */
export function olderThanKnown(mapped: MappedOrder, known: SalesOrder): boolean {
  return mapped.amazonUpdatedAt.getTime() < new Date(known.amazonUpdatedAt).getTime();
}

/** An order Amazon cancelled before it was ever confirmed (and that we never had) never becomes a sales order. */
export function neverConfirmed(order: AmazonOrder, known: boolean): boolean {
  return !known && order.fulfillment?.fulfillmentStatus === 'CANCELLED' && !order.proceeds?.grandTotal;
}
