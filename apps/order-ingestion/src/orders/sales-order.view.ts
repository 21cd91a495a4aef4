import { OrderEvent, OrderEventLine, SalesOrderLineKind, SalesOrderLineView, SalesOrderView } from '@connector/contracts';
import { divideCents, fromCents, toCents } from '@connector/money';
import { SalesOrderLine } from './sales-order-line.entity';
import { SalesOrder } from './sales-order.entity';

export function lineView(line: SalesOrderLine, currency: string): SalesOrderLineView {
  return {
    id: line.id,
    kind: line.kind,
    orderItemId: line.orderItemId,
    sku: line.sku,
    asin: line.asin,
    productId: line.productId,
    name: line.name,
    description: line.description,
    quantity: line.quantity,
    quantityShipped: line.quantityShipped,
    quantityCancelled: line.quantityCancelled ?? 0,
    currency,
    unitPriceTaxIncluded: line.unitPriceTaxIncluded,
    unitPriceTaxExcluded: line.unitPriceTaxExcluded,
    amountTaxIncluded: line.amountTaxIncluded,
    amountTaxExcluded: line.amountTaxExcluded,
    taxAmount: line.taxAmount,
    unitTaxAmount: fromCents(divideCents(toCents(line.taxAmount), Math.max(line.pricedQuantity ?? line.quantity, 1))),
    discountTaxIncluded: line.discountTaxIncluded,
    discountTaxExcluded: line.discountTaxExcluded,
    totalTaxIncluded: line.totalTaxIncluded,
    totalTaxExcluded: line.totalTaxExcluded,
    promotionIds: line.promotionIds,
    giftWrapLevel: line.giftWrapLevel,
    giftMessage: line.giftMessage,
    buyerCancelRequested: line.buyerCancelRequested,
    buyerCancelReason: line.buyerCancelReason,
  };
}

export function orderView(order: SalesOrder): SalesOrderView {
  return {
    id: order.id,
    accountId: order.accountId,
    marketplaceId: order.marketplaceId,
    amazonOrderId: order.amazonOrderId,
    channel: order.channel,
    status: order.status,
    amazonStatus: order.amazonStatus,
    currency: order.currency,
    purchasedAt: order.purchasedAt.toISOString(),
    amazonUpdatedAt: order.amazonUpdatedAt.toISOString(),
    contactId: order.contactId,
    deliveryAddressId: order.deliveryAddressId,
    isBusinessOrder: order.isBusinessOrder,
    isPrime: order.isPrime,
    isReplacementOrder: order.isReplacementOrder,
    replacedOrderId: order.replacedOrderId,
    earliestShipDate: order.earliestShipDate?.toISOString() ?? null,
    latestShipDate: order.latestShipDate?.toISOString() ?? null,
    earliestDeliveryDate: order.earliestDeliveryDate?.toISOString() ?? null,
    latestDeliveryDate: order.latestDeliveryDate?.toISOString() ?? null,
    buyerCancelRequested: order.buyerCancelRequested,
    buyerCancelReason: order.buyerCancelReason,
    giftMessage: order.giftMessage,
    amazonTotal: order.amazonTotal,
    linesTotal: order.linesTotal,
    reconciled: order.reconciled,
    cancelReason: order.cancelReason,
    canceledBy: order.canceledBy,
    cancelError: order.cancelError,
    deliveryState: order.deliveryState,
    amazonNotificationState: order.amazonNotificationState,
    amazonNotificationError: order.amazonNotificationError,
    lines: [...(order.lines ?? [])].sort((a, b) => a.sequence - b.sequence).map((line) => lineView(line, order.currency)),
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
  };
}

/** What every order event says of its order: which one, which version, and its lines. */
export function orderEventOf(
  order: Pick<SalesOrder, 'id' | 'version' | 'accountId' | 'marketplaceId' | 'amazonOrderId' | 'channel'>,
  lines: SalesOrderLine[],
): OrderEvent {
  return {
    orderId: order.id,
    version: order.version,
    accountId: order.accountId,
    marketplaceId: order.marketplaceId,
    amazonOrderId: order.amazonOrderId,
    channel: order.channel,
    lines: eventLines(lines),
  };
}

/**
 * The lines as order events carry them. Charge lines stay out: no consumer acts on them, and
 * consumers of versions before that kind would park the whole event during a rolling upgrade.
 */
function eventLines(lines: SalesOrderLine[]): OrderEventLine[] {
  return lines.filter((line) => line.kind !== SalesOrderLineKind.Charge).map((line) => ({
    lineId: line.id,
    kind: line.kind,
    orderItemId: line.orderItemId,
    productId: line.productId,
    sku: line.sku,
    // What is still ordered: consumers of earlier releases read `quantity` alone.
    quantity: Math.max(line.quantity - (line.quantityCancelled ?? 0), 0),
    quantityShipped: line.quantityShipped,
    quantityCancelled: line.quantityCancelled ?? 0,
  }));
}
