import { Order, OrderItem } from '../store/order.types';

export const INCLUDED_DATA = ['BUYER', 'RECIPIENT', 'PROCEEDS', 'EXPENSE', 'PROMOTION', 'CANCELLATION', 'FULFILLMENT', 'PACKAGES', 'TAX', 'PAYMENT', 'FULFILLMENT_ORDERS'] as const;
export type IncludedData = (typeof INCLUDED_DATA)[number];

/**
 * What a client sees of an order: only the sections its includedData asked for (the
 * order's core and its items' product data always), and no prices while it is PENDING
 * (Amazon shows prices only once payment is confirmed). The stored order is never changed:
 * the view copies the objects it removes keys from and shares the rest (it is serialised
 * straight away), except for a malformed order, which is broken on a deep copy.
 */
export function orderView(order: Order, includedData: ReadonlySet<IncludedData> | 'ALL', malformed = false): Order {
  const has = (d: IncludedData) => includedData === 'ALL' || includedData.has(d);
  const pending = order.fulfillment?.fulfillmentStatus === 'PENDING';
  const out: Order = malformed ? structuredClone(order) : { ...order };
  if (!has('BUYER')) delete out.buyer;
  if (!has('RECIPIENT')) delete out.recipient;
  if (!has('PROCEEDS') || pending) delete out.proceeds;
  if (!has('PAYMENT')) delete out.payment;
  if (!has('TAX')) delete out.tax;
  if (!has('FULFILLMENT')) delete out.fulfillment;
  if (!has('PACKAGES')) delete out.packages;
  if (!has('FULFILLMENT_ORDERS')) delete out.fulfillmentOrders;
  out.orderItems = out.orderItems.map((stored: OrderItem) => {
    const item: OrderItem = { ...stored };
    if (!has('PROCEEDS') || pending) delete item.proceeds;
    if (pending && item.product.price) {
      item.product = { ...item.product };
      delete item.product.price;
    }
    if (!has('EXPENSE')) delete item.expense;
    if (!has('PROMOTION')) delete item.promotion;
    if (!has('CANCELLATION')) delete item.cancellation;
    if (!has('FULFILLMENT')) delete item.fulfillment;
    if (!has('TAX')) delete item.tax;
    return item;
  });
  return malformed ? breakOrder(out) : out;
}

/**
 * A deliberately broken record (fault injection): required fields missing and a
 * non-numeric amount, the kind of data a client must quarantine rather than crash on.
 */
export function breakOrder(order: Order): Order {
  const broken = order as unknown as Record<string, unknown>;
  delete broken.salesChannel;
  delete broken.createdTime;
  for (const item of order.orderItems ?? []) {
    if (item.product?.price?.unitPrice) item.product.price.unitPrice.amount = 'twelve.99';
    if (item.proceeds?.proceedsTotal) item.proceeds.proceedsTotal.amount = 'NaN';
  }
  if (order.proceeds?.grandTotal) order.proceeds.grandTotal.amount = 'not-a-number';
  if (order.orderItems?.length) delete (order.orderItems[0] as Partial<OrderItem>).orderItemId;
  return order;
}
