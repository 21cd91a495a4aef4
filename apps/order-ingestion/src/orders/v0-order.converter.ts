import { fromCents, InvalidAmountError, toCents } from '@connector/money';
import type { AmazonOrder, V0Order, V0OrderItem } from '@connector/sp-api';
import { MappingError } from './amazon-order.mapper';

/**
 * Orders v0 → the Orders v2026-01-01 shape that `mapAmazonOrder` takes, so both APIs make
 * the same sales order. Pure: no I/O, no clock.
 *
 * Money follows the v2026 proceeds rules the mapper relies on (per item, by type):
 *   ITEM      = ItemPrice (v0: unit price × quantity)
 *   SHIPPING  = ShippingPrice, GIFT_WRAP = BuyerInfo.GiftWrapPrice, COD_FEE = CODFee − CODFeeDiscount
 *   TAX       = the tax of the discounted charges, detailed ITEM / SHIPPING / GIFT_WRAP:
 *               ItemTax − PromotionDiscountTax, ShippingTax − ShippingDiscountTax, GiftWrapTax
 *               (in tax-included marketplaces, EU/UK, that is the VAT inside the charges)
 *   DISCOUNT  = −(PromotionDiscount + ShippingDiscount), negative, detailed ITEM / SHIPPING
 *   proceedsTotal = ITEM + SHIPPING + GIFT_WRAP + COD_FEE + DISCOUNT, plus TAX where prices
 *               exclude tax (US, CA, MX); grandTotal = OrderTotal.
 */

export interface V0ConversionTerms {
  /** The marketplace's prices include tax (EU, UK) or the tax is added (US, CA, MX). */
  taxIncluded: boolean;
}

type FulfillmentStatus = NonNullable<AmazonOrder['fulfillment']>['fulfillmentStatus'];
type AmazonItem = AmazonOrder['orderItems'][number];
type Breakdown = NonNullable<NonNullable<AmazonItem['proceeds']>['breakdowns']>[number];
type Money = { amount: string; currencyCode: string };
type V0Money = { CurrencyCode?: string; Amount?: string } | undefined;

/** v0 OrderStatus → v2026 fulfillmentStatus. InvoiceUnconfirmed: every item has shipped. */
const STATUS: Record<string, FulfillmentStatus> = {
  PendingAvailability: 'PENDING_AVAILABILITY',
  Pending: 'PENDING',
  Unshipped: 'UNSHIPPED',
  PartiallyShipped: 'PARTIALLY_SHIPPED',
  Shipped: 'SHIPPED',
  InvoiceUnconfirmed: 'SHIPPED',
  Canceled: 'CANCELLED',
  Unfulfillable: 'UNFULFILLABLE',
};

const FULFILLED_BY: Record<string, string> = { AFN: 'AMAZON', MFN: 'MERCHANT' };

export function v0FulfillmentStatus(orderStatus: string | undefined): FulfillmentStatus | undefined {
  return orderStatus ? STATUS[orderStatus] : undefined;
}

/** "NextDay" / "Very Good" / "New" → "NEXT_DAY" / "VERY_GOOD" / "NEW" (the v2026 spelling). */
export function upperSnake(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return value
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[\s-]+/g, '_')
    .toUpperCase();
}

interface Amount {
  cents: bigint;
  currency?: string;
}

function amount(money: V0Money, what: string): Amount | undefined {
  if (!money || money.Amount === undefined || money.Amount === null) return undefined;
  try {
    return { cents: toCents(money.Amount), currency: money.CurrencyCode || undefined };
  } catch (err) {
    if (err instanceof InvalidAmountError) throw new MappingError(`${what}: ${err.message}`);
    throw err;
  }
}

const abs = (value: bigint) => (value < 0n ? -value : value);

/** a − b (b taken as a magnitude), in a's currency; undefined when neither is given. */
function minus(a: Amount | undefined, b: Amount | undefined, what: string): Amount | undefined {
  if (!a && !b) return undefined;
  if (a?.currency && b?.currency && a.currency !== b.currency) throw new MappingError(`${what}: ${a.currency} and ${b.currency} in one amount`);
  return { cents: (a?.cents ?? 0n) - abs(b?.cents ?? 0n), currency: a?.currency ?? b?.currency };
}

function money(value: bigint, currency: string): Money {
  return { amount: fromCents(value), currencyCode: currency };
}

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null && v !== '')) as T;
}

function convertItem(item: V0OrderItem, orderCurrency: string | undefined, terms: V0ConversionTerms): AmazonItem {
  const where = `item ${item.OrderItemId}`;
  const gift = item.BuyerInfo;
  const parts = {
    ITEM: amount(item.ItemPrice, `${where} ItemPrice`),
    SHIPPING: amount(item.ShippingPrice, `${where} ShippingPrice`),
    GIFT_WRAP: amount(gift?.GiftWrapPrice, `${where} GiftWrapPrice`),
    COD_FEE: minus(amount(item.CODFee, `${where} CODFee`), amount(item.CODFeeDiscount, `${where} CODFeeDiscount`), `${where} CODFee`),
  };
  const tax = {
    ITEM: minus(amount(item.ItemTax, `${where} ItemTax`), amount(item.PromotionDiscountTax, `${where} PromotionDiscountTax`), `${where} ItemTax`),
    SHIPPING: minus(amount(item.ShippingTax, `${where} ShippingTax`), amount(item.ShippingDiscountTax, `${where} ShippingDiscountTax`), `${where} ShippingTax`),
    GIFT_WRAP: amount(gift?.GiftWrapTax, `${where} GiftWrapTax`),
  };
  const promotion = amount(item.PromotionDiscount, `${where} PromotionDiscount`);
  const shippingDiscount = amount(item.ShippingDiscount, `${where} ShippingDiscount`);
  const discount = {
    ITEM: promotion ? { cents: -abs(promotion.cents), currency: promotion.currency } : undefined,
    SHIPPING: shippingDiscount ? { cents: -abs(shippingDiscount.cents), currency: shippingDiscount.currency } : undefined,
  };

  // Pending orders come without any amount (Amazon shows prices once payment is confirmed).
  const anyAmount = [...Object.values(parts), ...Object.values(tax), discount.ITEM, discount.SHIPPING].some((a) => a !== undefined);
  const currency = parts.ITEM?.currency ?? orderCurrency ?? [...Object.values(parts), ...Object.values(tax)].find((a) => a?.currency)?.currency;
  let proceeds: AmazonItem['proceeds'];
  if (anyAmount && currency) {
    const cur = (a: Amount) => a.currency ?? currency;
    const breakdowns: Breakdown[] = [];
    let total = 0n;
    if (parts.ITEM) breakdowns.push({ type: 'ITEM', subtotal: money(parts.ITEM.cents, cur(parts.ITEM)) });
    if (parts.SHIPPING) breakdowns.push({ type: 'SHIPPING', subtotal: money(parts.SHIPPING.cents, cur(parts.SHIPPING)) });
    if (parts.GIFT_WRAP && parts.GIFT_WRAP.cents !== 0n) breakdowns.push({ type: 'GIFT_WRAP', subtotal: money(parts.GIFT_WRAP.cents, cur(parts.GIFT_WRAP)) });
    if (parts.COD_FEE && parts.COD_FEE.cents !== 0n) breakdowns.push({ type: 'COD_FEE', subtotal: money(parts.COD_FEE.cents, cur(parts.COD_FEE)) });
    for (const part of Object.values(parts)) total += part?.cents ?? 0n;

    const taxParts = (['ITEM', 'SHIPPING', 'GIFT_WRAP'] as const).filter((p) => tax[p] !== undefined);
    if (taxParts.length) {
      const sum = taxParts.reduce((s, p) => s + tax[p]!.cents, 0n);
      breakdowns.push({
        type: 'TAX',
        subtotal: money(sum, currency),
        detailedBreakdowns: taxParts.map((p) => ({ subtype: p, value: money(tax[p]!.cents, cur(tax[p]!)) })),
      });
      if (!terms.taxIncluded) total += sum;
    }
    const discountParts = (['ITEM', 'SHIPPING'] as const).filter((p) => discount[p] && discount[p].cents !== 0n);
    if (discountParts.length) {
      const sum = discountParts.reduce((s, p) => s + discount[p]!.cents, 0n);
      breakdowns.push({
        type: 'DISCOUNT',
        subtotal: money(sum, currency),
        detailedBreakdowns: discountParts.map((p) => ({ subtype: p, value: money(discount[p]!.cents, cur(discount[p]!)) })),
      });
      total += sum;
    }
    proceeds = { proceedsTotal: money(total, currency), breakdowns };
  }

  const quantity = item.QuantityOrdered;
  const shipped = item.QuantityShipped ?? 0;
  const unitPrice =
    parts.ITEM && Number.isInteger(quantity) && quantity > 0 && parts.ITEM.cents % BigInt(quantity) === 0n
      ? money(parts.ITEM.cents / BigInt(quantity), parts.ITEM.currency ?? currency ?? '')
      : undefined;
  const giftOption = gift && (gift.GiftMessageText || gift.GiftWrapLevel) ? defined({ giftMessage: gift.GiftMessageText, giftWrapLevel: gift.GiftWrapLevel }) : undefined;
  const promotionIds = (item.PromotionIds ?? []).filter((id) => !!id);
  const cancel = item.BuyerRequestedCancel;

  return defined({
    orderItemId: item.OrderItemId,
    quantityOrdered: quantity,
    product: defined({
      asin: item.ASIN,
      title: item.Title,
      sellerSku: item.SellerSKU,
      condition:
        item.ConditionId || item.ConditionSubtypeId || item.ConditionNote
          ? defined({ conditionType: upperSnake(item.ConditionId), conditionSubtype: upperSnake(item.ConditionSubtypeId), conditionNote: item.ConditionNote })
          : undefined,
      price: unitPrice || item.PriceDesignation ? defined({ unitPrice, priceDesignation: item.PriceDesignation }) : undefined,
      serialNumbers: item.SerialNumbers?.length ? item.SerialNumbers : undefined,
    }),
    proceeds,
    promotion: promotionIds.length ? { breakdowns: promotionIds.map((promotionId) => ({ promotionId })) } : undefined,
    cancellation:
      cancel && String(cancel.IsBuyerRequestedCancel) === 'true'
        ? { cancellationRequest: defined({ requester: 'BUYER', cancelReason: cancel.BuyerCancelReason }) }
        : undefined,
    fulfillment: defined({
      quantityFulfilled: shipped,
      quantityUnfulfilled: Number.isInteger(quantity) ? Math.max(quantity - shipped, 0) : undefined,
      packing: giftOption ? { giftOption } : undefined,
    }),
  }) as AmazonItem;
}

/**
 * One v0 order and its items as a v2026-01-01 order. `items` may be empty for an order
 * whose items were not fetched (it is not synced); the header alone then decides that.
 */
export function convertV0Order(order: V0Order, items: V0OrderItem[], terms: V0ConversionTerms): AmazonOrder {
  const orderTotal = amount(order.OrderTotal, `order ${order.AmazonOrderId} OrderTotal`);
  const orderCurrency = orderTotal?.currency;
  const orderItems = items.map((item) => convertItem(item, orderCurrency, terms));

  const currency = orderCurrency ?? orderItems.find((i) => i.proceeds?.proceedsTotal)?.proceeds?.proceedsTotal?.currencyCode;
  const sums = new Map<string, bigint>();
  for (const item of orderItems) {
    for (const b of item.proceeds?.breakdowns ?? []) sums.set(b.type, (sums.get(b.type) ?? 0n) + toCents(b.subtotal.amount));
  }
  const proceeds =
    orderTotal || sums.size
      ? defined({
          grandTotal: orderTotal ? money(orderTotal.cents, orderTotal.currency ?? currency ?? '') : undefined,
          breakdowns: currency ? [...sums].map(([type, cents]) => ({ type, subtotal: money(cents, currency) })) : undefined,
        })
      : undefined;

  const buyerInfo = order.BuyerInfo;
  const buyer = buyerInfo
    ? defined({
        buyerName: buyerInfo.BuyerName,
        buyerEmail: buyerInfo.BuyerEmail,
        buyerCompanyName: buyerInfo.BuyerTaxInfo?.CompanyLegalName,
        buyerPurchaseOrderNumber: buyerInfo.PurchaseOrderNumber,
      })
    : undefined;
  const a = order.ShippingAddress;
  const deliveryAddress = a
    ? defined({
        name: a.Name,
        companyName: a.CompanyName,
        addressLine1: a.AddressLine1,
        addressLine2: a.AddressLine2,
        addressLine3: a.AddressLine3,
        city: a.City,
        districtOrCounty: a.County || a.District,
        stateOrRegion: a.StateOrRegion,
        municipality: a.Municipality,
        postalCode: a.PostalCode,
        countryCode: a.CountryCode,
        phone: a.Phone,
        addressType: upperSnake(a.AddressType),
      })
    : undefined;

  const programs = [
    ...(order.IsBusinessOrder ? ['AMAZON_BUSINESS'] : []),
    ...(order.IsPrime ? ['PRIME'] : []),
    ...(order.IsPremiumOrder ? ['PREMIUM'] : []),
  ];
  const window = (from?: string, to?: string) => (from || to ? defined({ earliestDateTime: from, latestDateTime: to }) : undefined);

  // v2026 names the replaced order as an association; v0 as a flag and an id (the id only "if
  // IsReplacementOrder"). The flag is read as text too: Amazon has sent it as "true"/"false".
  const associatedOrders = String(order.IsReplacementOrder) === 'true' ? [defined({ orderId: order.ReplacedOrderId, associationType: 'REPLACEMENT_ORIGINAL_ID' })] : undefined;

  return defined({
    orderId: order.AmazonOrderId,
    createdTime: order.PurchaseDate,
    lastUpdatedTime: order.LastUpdateDate,
    programs: programs.length ? programs : undefined,
    associatedOrders,
    salesChannel: defined({
      channelName: order.SalesChannel === 'Non-Amazon' ? 'NON_AMAZON' : 'AMAZON',
      marketplaceId: order.MarketplaceId,
      marketplaceName: order.SalesChannel,
    }),
    buyer: buyer && Object.keys(buyer).length ? buyer : undefined,
    recipient: deliveryAddress && Object.keys(deliveryAddress).length ? { deliveryAddress } : undefined,
    proceeds,
    fulfillment: order.OrderStatus
      ? defined({
          fulfillmentStatus: v0FulfillmentStatus(order.OrderStatus),
          fulfilledBy: order.FulfillmentChannel ? FULFILLED_BY[order.FulfillmentChannel] : undefined,
          fulfillmentServiceLevel: upperSnake(order.ShipmentServiceLevelCategory),
          shipByWindow: window(order.EarliestShipDate, order.LatestShipDate),
          deliverByWindow: window(order.EarliestDeliveryDate, order.LatestDeliveryDate),
        })
      : undefined,
    orderItems,
  }) as AmazonOrder;
}
