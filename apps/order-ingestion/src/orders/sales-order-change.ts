import { ORDER_CANCELED, ORDER_SYNCED, OrderCanceledEvent, OrderSyncedEvent, SalesOrderStatus } from '@connector/contracts';
import { OutboxEvent } from '@connector/messaging';
import { newRowId } from '@connector/persistence';
import { SellerAccount } from '../accounts/seller-account.entity';
import { MappedLine } from './amazon-order.mapper';
import { PreparedOrder } from './sales-order-page';
import { statusOf } from './sales-order-status';
import { SalesOrderLine } from './sales-order-line.entity';
import { SalesOrder } from './sales-order.entity';
import { orderEventOf } from './sales-order.view';

/** The rows and events of one new or changed sales order. */
export interface SalesOrderChange {
  known: SalesOrder | undefined;
  order: SalesOrder;
  lines: SalesOrderLine[];
  goneLineIds: string[];
  events: OutboxEvent[];
}

/**
 * The product of an order line: the one it was stored with, else its SKU's. Remapping a SKU
 * (inventory's offers) changes later orders only; an order read again keeps its lines' products,
 * as do its delivery and stock moves.
 */
export function lineProductId(line: { lineKey: string; sku: string | null }, known: SalesOrder | undefined, productIds: Map<string, string>): string | null {
  const stored = known?.lines?.find((l) => l.lineKey === line.lineKey)?.productId;
  return stored ?? (line.sku ? (productIds.get(line.sku) ?? null) : null);
}

/**
 * A line's units ordered and cancelled, from Amazon's item and what the line knew. Amazon lowers
 * an item's quantity once it applied a unit cancellation (and may leave it as it was for an item it
 * cancelled whole, marking the item cancelled): `quantity` stays what was ordered, and what is
 * cancelled is the larger of what the line knew (the seller's cancellation, sent or not yet
 * applied) and what Amazon shows, so a cancellation read back from Amazon never counts twice.
 */
export function unitsOf(line: Pick<MappedLine, 'quantity' | 'quantityShipped' | 'cancelledAtAmazon'>, known: Pick<SalesOrderLine, 'quantity' | 'quantityCancelled'> | undefined): { quantity: number; quantityCancelled: number } {
  const quantity = Math.max(known?.quantity ?? line.quantity, line.quantity);
  const atAmazon = quantity - line.quantity + (line.cancelledAtAmazon ? Math.max(line.quantity - line.quantityShipped, 0) : 0);
  const quantityCancelled = Math.min(Math.max(known?.quantityCancelled ?? 0, atAmazon), Math.max(quantity - line.quantityShipped, 0));
  return { quantity, quantityCancelled };
}

const isoOrNull = (time: Date | null) => (time ? new Date(time).toISOString() : null);

/** What inventory's deliveries carry of the order for the warehouse (order.synced). */
export function warehouseDetailsOf(order: SalesOrder): Pick<
  OrderSyncedEvent,
  'earliestShipDate' | 'latestShipDate' | 'earliestDeliveryDate' | 'latestDeliveryDate' | 'isPrime' | 'isBusinessOrder' | 'isReplacementOrder' | 'replacedOrderId' | 'buyerCancelRequested' | 'buyerCancelReason'
> {
  return {
    earliestShipDate: isoOrNull(order.earliestShipDate),
    latestShipDate: isoOrNull(order.latestShipDate),
    earliestDeliveryDate: isoOrNull(order.earliestDeliveryDate),
    latestDeliveryDate: isoOrNull(order.latestDeliveryDate),
    isPrime: order.isPrime,
    isBusinessOrder: order.isBusinessOrder,
    isReplacementOrder: order.isReplacementOrder,
    replacedOrderId: order.replacedOrderId,
    buyerCancelRequested: order.buyerCancelRequested,
    buyerCancelReason: order.buyerCancelReason,
  };
}

/** The rows and events of one new or changed order; no I/O. */
export function salesOrderChange(account: SellerAccount, item: PreparedOrder, known: SalesOrder | undefined, productIds: Map<string, string>): SalesOrderChange {
  const { mapped } = item;
  const status = statusOf(mapped, known);
  const newlyCanceledByAmazon = status === SalesOrderStatus.Canceled && known?.status !== SalesOrderStatus.Canceled;
  // Plain rows: they go to bulkInsert, no entity machinery needed.
  const order = {
    id: known?.id ?? item.orderId,
    accountId: account.id,
    marketplaceId: mapped.marketplaceId,
    amazonOrderId: mapped.amazonOrderId,
    channel: mapped.channel,
    status,
    amazonStatus: mapped.amazonStatus,
    currency: mapped.currency,
    purchasedAt: mapped.purchasedAt,
    amazonUpdatedAt: mapped.amazonUpdatedAt,
    contactId: item.contactId,
    deliveryAddressId: item.deliveryAddressId,
    isBusinessOrder: mapped.isBusinessOrder,
    isPrime: mapped.isPrime,
    isReplacementOrder: mapped.isReplacementOrder,
    replacedOrderId: mapped.replacedOrderId,
    earliestShipDate: mapped.earliestShipDate,
    latestShipDate: mapped.latestShipDate,
    earliestDeliveryDate: mapped.earliestDeliveryDate,
    latestDeliveryDate: mapped.latestDeliveryDate,
    buyerCancelRequested: mapped.buyerCancelRequested,
    buyerCancelReason: mapped.buyerCancelReason,
    giftMessage: mapped.giftMessage,
    amazonTotal: mapped.amazonTotal,
    linesTotal: mapped.linesTotal,
    reconciled: mapped.reconciled,
    cancelReason: known?.cancelReason ?? null,
    canceledBy: newlyCanceledByAmazon ? 'amazon' : (known?.canceledBy ?? null),
    cancelError: known?.cancelError ?? null,
    deliveryState: known?.deliveryState ?? null,
    amazonNotificationState: known?.amazonNotificationState ?? null,
    amazonNotificationError: known?.amazonNotificationError ?? null,
    contentHash: item.hash,
    version: (known?.version ?? 0) + 1,
  } as SalesOrder;

  const knownLines = new Map((known?.lines ?? []).map((line) => [line.lineKey, line]));
  const lines = mapped.lines.map((line, index) => {
    const units = unitsOf(line, knownLines.get(line.lineKey));
    return {
      id: knownLines.get(line.lineKey)?.id ?? newRowId(),
      orderId: order.id,
      lineKey: line.lineKey,
      kind: line.kind,
      sequence: index + 1,
      orderItemId: line.orderItemId,
      sku: line.sku,
      asin: line.asin,
      productId: lineProductId(line, known, productIds),
      name: line.name,
      description: line.description,
      quantity: units.quantity,
      quantityShipped: line.quantityShipped,
      quantityCancelled: units.quantityCancelled,
      pricedQuantity: line.quantity,
      unitPriceTaxIncluded: line.unitPriceTaxIncluded,
      unitPriceTaxExcluded: line.unitPriceTaxExcluded,
      amountTaxIncluded: line.amountTaxIncluded,
      amountTaxExcluded: line.amountTaxExcluded,
      discountTaxIncluded: line.discountTaxIncluded,
      discountTaxExcluded: line.discountTaxExcluded,
      totalTaxIncluded: line.totalTaxIncluded,
      totalTaxExcluded: line.totalTaxExcluded,
      taxAmount: line.taxAmount,
      promotionIds: line.promotionIds,
      giftWrapLevel: line.giftWrapLevel,
      giftMessage: line.giftMessage,
      buyerCancelRequested: line.buyerCancelRequested,
      buyerCancelReason: line.buyerCancelReason,
    } as SalesOrderLine;
  });
  const goneLineIds = [...knownLines.values()].filter((line) => !mapped.lines.some((l) => l.lineKey === line.lineKey)).map((line) => line.id);

  const base = orderEventOf(order, lines);
  const synced: OrderSyncedEvent = {
    ...base,
    status: order.status,
    contactId: order.contactId,
    deliveryAddressId: order.deliveryAddressId,
    giftMessage: order.giftMessage,
    amazonUpdatedAt: new Date(order.amazonUpdatedAt).toISOString(),
    ...warehouseDetailsOf(order),
  };
  const events: SalesOrderChange['events'] = [OutboxEvent.of(ORDER_SYNCED, synced)];
  if (newlyCanceledByAmazon && known) {
    const canceled: OrderCanceledEvent = { ...base, canceledBy: 'amazon', reason: null, notifyAmazon: false };
    events.push(OutboxEvent.of(ORDER_CANCELED, canceled));
  }
  return { known, order, lines, goneLineIds, events };
}
