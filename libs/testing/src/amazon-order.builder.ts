import type { AmazonOrder } from '@connector/sp-api';

export interface ItemSpec {
  orderItemId: string;
  sku: string;
  title?: string;
  quantity: number;
  /** Unit price as Amazon shows it (tax included in EU, excluded in US). */
  unitPrice: string;
  tax?: string;
  shipping?: string;
  shippingTax?: string;
  /** Positive amount the promotion takes off the item. */
  itemDiscount?: string;
  shippingDiscount?: string;
  giftWrap?: string;
  giftWrapTax?: string;
  giftMessage?: string;
  giftWrapLevel?: string;
  promotionId?: string;
  quantityShipped?: number;
  condition?: { conditionType: string; conditionSubtype?: string };
  /** The buyer asked to cancel this item, for this reason (Amazon's cancellation request, requester BUYER). */
  buyerCancelReason?: string;
}

export interface OrderSpec {
  orderId: string;
  marketplaceId?: string;
  currency?: string;
  fulfilledBy?: 'AMAZON' | 'MERCHANT';
  status?: 'UNSHIPPED' | 'PARTIALLY_SHIPPED' | 'SHIPPED' | 'CANCELLED' | 'PENDING';
  /** Tax-included marketplace (EU): the grand total holds no separate tax. */
  taxIncluded?: boolean;
  createdTime?: string;
  lastUpdatedTime?: string;
  buyer?: { buyerName?: string; buyerEmail?: string; buyerCompanyName?: string };
  address?: Record<string, string>;
  items: ItemSpec[];
  /** Overrides the computed grand total (to test a mismatch). */
  grandTotal?: string;
  /** Amazon's programs (`PRIME`, `AMAZON_BUSINESS`, ...). */
  programs?: string[];
  /** The order this one replaces (Amazon's REPLACEMENT_ORIGINAL_ID association). */
  replacedOrderId?: string;
  shipByWindow?: { earliestDateTime?: string; latestDateTime?: string };
  deliverByWindow?: { earliestDateTime?: string; latestDateTime?: string };
}

const cents = (amount?: string) => (amount ? Math.round(Number(amount) * 100) : 0);
const money = (value: number, currencyCode: string) => ({ amount: (value / 100).toFixed(2), currencyCode });

/**
 * Builds an order in the shape of Amazon's Orders v2026-01-01 model (searchOrders with
 * BUYER, RECIPIENT, PROCEEDS, PROMOTION, FULFILLMENT), with totals that add up.
 * Test data only: amounts go through Number here, which is exact for these small values.
 */
export function amazonOrder(spec: OrderSpec): AmazonOrder {
  const currency = spec.currency ?? 'EUR';
  const taxIncluded = spec.taxIncluded ?? true;
  let grand = 0;
  const totals = { ITEM: 0, SHIPPING: 0, GIFT_WRAP: 0, TAX: 0, DISCOUNT: 0 };
  const orderItems = spec.items.map((item) => {
    const itemGross = cents(item.unitPrice) * item.quantity;
    const tax = cents(item.tax) + cents(item.shippingTax) + cents(item.giftWrapTax);
    const discount = cents(item.itemDiscount) + cents(item.shippingDiscount);
    const parts = itemGross + cents(item.shipping) + cents(item.giftWrap) - discount;
    const proceedsTotal = taxIncluded ? parts : parts + tax;
    grand += proceedsTotal;
    totals.ITEM += itemGross;
    totals.SHIPPING += cents(item.shipping);
    totals.GIFT_WRAP += cents(item.giftWrap);
    totals.TAX += tax;
    totals.DISCOUNT -= discount;
    const breakdowns: NonNullable<AmazonOrder['orderItems'][number]['proceeds']>['breakdowns'] = [{ type: 'ITEM', subtotal: money(itemGross, currency) }];
    if (item.shipping) breakdowns.push({ type: 'SHIPPING', subtotal: money(cents(item.shipping), currency) });
    if (item.giftWrap) breakdowns.push({ type: 'GIFT_WRAP', subtotal: money(cents(item.giftWrap), currency) });
    if (tax) {
      breakdowns.push({
        type: 'TAX',
        subtotal: money(tax, currency),
        detailedBreakdowns: [
          { subtype: 'ITEM', value: money(cents(item.tax), currency) },
          ...(item.shippingTax ? [{ subtype: 'SHIPPING', value: money(cents(item.shippingTax), currency) }] : []),
          ...(item.giftWrapTax ? [{ subtype: 'GIFT_WRAP', value: money(cents(item.giftWrapTax), currency) }] : []),
        ],
      });
    }
    if (discount) {
      breakdowns.push({
        type: 'DISCOUNT',
        subtotal: money(-discount, currency),
        detailedBreakdowns: [
          ...(item.itemDiscount ? [{ subtype: 'ITEM', value: money(-cents(item.itemDiscount), currency) }] : []),
          ...(item.shippingDiscount ? [{ subtype: 'SHIPPING', value: money(-cents(item.shippingDiscount), currency) }] : []),
        ],
      });
    }
    const shipped = item.quantityShipped ?? (spec.status === 'SHIPPED' ? item.quantity : 0);
    return {
      orderItemId: item.orderItemId,
      quantityOrdered: item.quantity,
      product: {
        asin: `B0${item.sku.replace(/[^A-Z0-9]/gi, '').slice(0, 8).toUpperCase().padEnd(8, 'X')}`,
        title: item.title ?? `Product ${item.sku}`,
        sellerSku: item.sku,
        condition: item.condition ?? { conditionType: 'NEW', conditionSubtype: 'NEW' },
        price: { unitPrice: money(cents(item.unitPrice), currency) },
      },
      proceeds: { proceedsTotal: money(proceedsTotal, currency), breakdowns },
      ...(item.promotionId ? { promotion: { breakdowns: [{ promotionId: item.promotionId }] } } : {}),
      ...(item.buyerCancelReason ? { cancellation: { cancellationRequest: { requester: 'BUYER', cancelReason: item.buyerCancelReason } } } : {}),
      fulfillment: {
        quantityFulfilled: shipped,
        quantityUnfulfilled: item.quantity - shipped,
        ...(item.giftMessage || item.giftWrapLevel ? { packing: { giftOption: { giftMessage: item.giftMessage, giftWrapLevel: item.giftWrapLevel } } } : {}),
      },
    };
  });
  const orderBreakdowns = (Object.keys(totals) as (keyof typeof totals)[])
    .filter((type) => totals[type] !== 0)
    .map((type) => ({ type, subtotal: money(totals[type], currency) }));
  const now = Date.now();
  return {
    orderId: spec.orderId,
    createdTime: spec.createdTime ?? new Date(now - 3600_000).toISOString(),
    lastUpdatedTime: spec.lastUpdatedTime ?? new Date(now - 600_000).toISOString(),
    ...(spec.programs ? { programs: spec.programs } : {}),
    ...(spec.replacedOrderId ? { associatedOrders: [{ orderId: spec.replacedOrderId, associationType: 'REPLACEMENT_ORIGINAL_ID' }] } : {}),
    salesChannel: { channelName: 'AMAZON', marketplaceId: spec.marketplaceId ?? 'A1PA6795UKMFR9', marketplaceName: 'Amazon.de' },
    buyer: spec.buyer ?? { buyerName: 'Erika Mustermann', buyerEmail: `${spec.orderId.replace(/-/g, '')}@marketplace.amazon.de` },
    recipient: {
      deliveryAddress: {
        name: 'Erika Mustermann',
        addressLine1: 'Heidestraße 17',
        city: 'Köln',
        postalCode: '51147',
        countryCode: 'DE',
        phone: '+49 221 1234567',
        addressType: 'RESIDENTIAL',
        ...(spec.address ?? {}),
      },
    },
    proceeds: { grandTotal: spec.grandTotal ? { amount: spec.grandTotal, currencyCode: currency } : money(grand, currency), breakdowns: orderBreakdowns },
    fulfillment: {
      fulfillmentStatus: spec.status ?? 'UNSHIPPED',
      fulfilledBy: spec.fulfilledBy ?? 'MERCHANT',
      fulfillmentServiceLevel: 'STANDARD',
      ...(spec.shipByWindow ? { shipByWindow: spec.shipByWindow } : {}),
      ...(spec.deliverByWindow ? { deliverByWindow: spec.deliverByWindow } : {}),
    },
    orderItems,
  } as AmazonOrder;
}
