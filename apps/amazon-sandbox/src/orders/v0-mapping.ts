import { parseCents, formatCents } from '../generator/money';
import { findMarketplace } from '../store/marketplaces';
import { FulfillmentStatus, Money, Order, OrderItem } from '../store/order.types';

/** Amazon's v0 spellings of the v2026 fulfillment statuses. */
export const V0_STATUS: Record<FulfillmentStatus, string> = {
  PENDING: 'Pending',
  PENDING_AVAILABILITY: 'PendingAvailability',
  UNSHIPPED: 'Unshipped',
  PARTIALLY_SHIPPED: 'PartiallyShipped',
  SHIPPED: 'Shipped',
  CANCELLED: 'Canceled',
  UNFULFILLABLE: 'Unfulfillable',
};
export const V0_STATUSES = ['Pending', 'Unshipped', 'PartiallyShipped', 'Shipped', 'Canceled', 'Unfulfillable', 'InvoiceUnconfirmed', 'PendingAvailability'] as const;

const SERVICE_LEVEL_CATEGORY: Record<string, string> = {
  STANDARD: 'Standard',
  EXPEDITED: 'Expedited',
  NEXT_DAY: 'NextDay',
  SECOND_DAY: 'SecondDay',
  PRIORITY: 'Priority',
  SCHEDULED: 'Scheduled',
  FREE_ECONOMY: 'FreeEconomy',
  SAME_DAY: 'SameDay',
};

const CONDITION: Record<string, string> = {
  NEW: 'New',
  USED: 'Used',
  COLLECTIBLE: 'Collectible',
  REFURBISHED: 'Refurbished',
  VERY_GOOD: 'VeryGood',
  GOOD: 'Good',
  ACCEPTABLE: 'Acceptable',
  MINT: 'Mint',
};

const v0Money = (m: Money | undefined): { CurrencyCode: string; Amount: string } | undefined => (m ? { CurrencyCode: m.currencyCode, Amount: m.amount } : undefined);

function pascal(s: string | undefined): string | undefined {
  if (!s) return undefined;
  return CONDITION[s] ?? s.charAt(0) + s.slice(1).toLowerCase();
}

export interface PiiAccess {
  buyerInfo: boolean;
  shippingAddress: boolean;
}

/** v0 Address; without PII access only what Amazon shows without a restricted data token. */
export function v0Address(order: Order, pii: boolean): Record<string, unknown> | undefined {
  const a = order.recipient?.deliveryAddress;
  if (!a) return undefined;
  const base = { City: a.city, StateOrRegion: a.stateOrRegion, PostalCode: a.postalCode, CountryCode: a.countryCode };
  if (!pii) return base;
  return {
    Name: a.name,
    ...(a.companyName ? { CompanyName: a.companyName } : {}),
    AddressLine1: a.addressLine1,
    ...(a.addressLine2 ? { AddressLine2: a.addressLine2 } : {}),
    ...(a.addressLine3 ? { AddressLine3: a.addressLine3 } : {}),
    ...base,
    ...(a.phone ? { Phone: a.phone } : {}),
    AddressType: a.addressType === 'COMMERCIAL' ? 'Commercial' : 'Residential',
  };
}

export function v0BuyerInfo(order: Order): Record<string, unknown> {
  const b = order.buyer ?? {};
  return {
    BuyerEmail: b.buyerEmail,
    BuyerName: b.buyerName,
    ...(b.buyerPurchaseOrderNumber ? { PurchaseOrderNumber: b.buyerPurchaseOrderNumber } : {}),
    ...(b.buyerCompanyName ? { BuyerTaxInfo: { CompanyLegalName: b.buyerCompanyName } } : {}),
  };
}

/** The v0 Order of a stored order (prices omitted while Pending, PII only with access). */
export function v0Order(order: Order, pii: PiiAccess): Record<string, unknown> {
  const f = order.fulfillment!;
  const pending = f.fulfillmentStatus === 'PENDING';
  const shipped = order.orderItems.reduce((s, i) => s + (i.fulfillment?.quantityFulfilled ?? 0), 0);
  const units = order.orderItems.reduce((s, i) => s + i.quantityOrdered, 0);
  const mp = findMarketplace(order.salesChannel.marketplaceId ?? '');
  const programs = order.programs ?? [];
  const replaced = order.associatedOrders?.find((a) => a.associationType === 'REPLACEMENT_ORIGINAL_ID');
  const out: Record<string, unknown> = {
    AmazonOrderId: order.orderId,
    PurchaseDate: order.createdTime,
    LastUpdateDate: order.lastUpdatedTime,
    OrderStatus: V0_STATUS[f.fulfillmentStatus],
    FulfillmentChannel: f.fulfilledBy === 'AMAZON' ? 'AFN' : 'MFN',
    SalesChannel: order.salesChannel.marketplaceName ?? mp?.name,
    ShipServiceLevel: `${SERVICE_LEVEL_CATEGORY[f.fulfillmentServiceLevel ?? 'STANDARD'] ?? 'Standard'}`,
    ShipmentServiceLevelCategory: SERVICE_LEVEL_CATEGORY[f.fulfillmentServiceLevel ?? 'STANDARD'] ?? 'Standard',
    NumberOfItemsShipped: shipped,
    NumberOfItemsUnshipped: f.fulfillmentStatus === 'CANCELLED' ? 0 : units - shipped,
    PaymentMethod: 'Other',
    PaymentMethodDetails: ['Standard'],
    MarketplaceId: order.salesChannel.marketplaceId,
    OrderType: 'StandardOrder',
    IsBusinessOrder: programs.includes('AMAZON_BUSINESS'),
    IsPrime: programs.includes('PRIME'),
    IsPremiumOrder: programs.includes('PREMIUM'),
    IsGlobalExpressEnabled: false,
    IsReplacementOrder: !!replaced,
    IsSoldByAB: false,
    IsISPU: false,
    IsAccessPointOrder: false,
    HasRegulatedItems: false,
  };
  if (!pending && order.proceeds?.grandTotal) out.OrderTotal = v0Money(order.proceeds.grandTotal);
  if (f.shipByWindow) Object.assign(out, { EarliestShipDate: f.shipByWindow.earliestDateTime, LatestShipDate: f.shipByWindow.latestDateTime });
  if (f.deliverByWindow) Object.assign(out, { EarliestDeliveryDate: f.deliverByWindow.earliestDateTime, LatestDeliveryDate: f.deliverByWindow.latestDateTime });
  if (replaced?.orderId) out.ReplacedOrderId = replaced.orderId;
  if (programs.includes('AMAZON_BUSINESS')) out.BuyerInvoicePreference = 'BUSINESS';
  const address = v0Address(order, pii.shippingAddress);
  if (address) out.ShippingAddress = address;
  out.BuyerInfo = pii.buyerInfo ? v0BuyerInfo(order) : {};
  return out;
}

function breakdownAmount(item: OrderItem, type: string, subtype?: string): Money | undefined {
  const b = item.proceeds?.breakdowns?.find((x) => x.type === type);
  if (!b) return undefined;
  if (!subtype) return b.subtotal;
  return b.detailedBreakdowns?.find((d) => d.subtype === subtype)?.value;
}

function abs(m: Money | undefined, currencyCode: string): Money {
  return { amount: m ? formatCents(Math.abs(parseCents(m.amount))) : '0.00', currencyCode };
}

/**
 * The v0 OrderItem. Amounts come from the v2026 proceeds: ItemPrice = ITEM (unit price ×
 * quantity), ShippingPrice = SHIPPING, ItemTax / ShippingTax = the TAX details (already on the
 * discounted base, so PromotionDiscountTax and ShippingDiscountTax are 0.00), PromotionDiscount /
 * ShippingDiscount = the DISCOUNT details as positive amounts, gift wrap under BuyerInfo.
 * The gift message is personal data: only with a restricted data token.
 */
export function v0OrderItem(order: Order, item: OrderItem, pii: boolean): Record<string, unknown> {
  const pending = order.fulfillment?.fulfillmentStatus === 'PENDING';
  const out: Record<string, unknown> = {
    ASIN: item.product.asin,
    SellerSKU: item.product.sellerSku,
    OrderItemId: item.orderItemId,
    Title: item.product.title,
    QuantityOrdered: item.quantityOrdered,
    QuantityShipped: item.fulfillment?.quantityFulfilled ?? 0,
    ProductInfo: { NumberOfItems: '1' },
    ConditionId: pascal(item.product.condition?.conditionType) ?? 'New',
    ConditionSubtypeId: pascal(item.product.condition?.conditionSubtype) ?? 'New',
    IsGift: item.fulfillment?.packing?.giftOption ? 'true' : 'false',
    IsTransparency: false,
    SerialNumberRequired: false,
  };
  const promotionIds = item.promotion?.breakdowns?.map((b) => b.promotionId).filter(Boolean);
  if (promotionIds?.length) out.PromotionIds = promotionIds;
  if (item.cancellation?.cancellationRequest?.requester === 'BUYER') out.BuyerRequestedCancel = { IsBuyerRequestedCancel: 'true', BuyerCancelReason: item.cancellation.cancellationRequest.cancelReason };
  if (!pending && item.proceeds?.breakdowns) {
    const currency = item.proceeds.proceedsTotal?.currencyCode ?? item.product.price?.unitPrice?.currencyCode ?? 'USD';
    const zero = { CurrencyCode: currency, Amount: '0.00' };
    Object.assign(out, {
      ItemPrice: v0Money(breakdownAmount(item, 'ITEM')),
      ShippingPrice: v0Money(breakdownAmount(item, 'SHIPPING') ?? { amount: '0.00', currencyCode: currency }),
      ItemTax: v0Money(breakdownAmount(item, 'TAX', 'ITEM') ?? { amount: '0.00', currencyCode: currency }),
      ShippingTax: v0Money(breakdownAmount(item, 'TAX', 'SHIPPING') ?? { amount: '0.00', currencyCode: currency }),
      PromotionDiscount: v0Money(abs(breakdownAmount(item, 'DISCOUNT', 'ITEM'), currency)),
      PromotionDiscountTax: zero,
      ShippingDiscount: v0Money(abs(breakdownAmount(item, 'DISCOUNT', 'SHIPPING'), currency)),
      ShippingDiscountTax: zero,
    });
    const giftWrap = breakdownAmount(item, 'GIFT_WRAP');
    const gift = item.fulfillment?.packing?.giftOption;
    if (giftWrap || gift) {
      out.BuyerInfo = {
        ...(giftWrap ? { GiftWrapPrice: v0Money(giftWrap), GiftWrapTax: v0Money(breakdownAmount(item, 'TAX', 'GIFT_WRAP') ?? { amount: '0.00', currencyCode: currency }) } : {}),
        ...(gift?.giftWrapLevel ? { GiftWrapLevel: gift.giftWrapLevel } : {}),
        ...(pii && gift?.giftMessage ? { GiftMessageText: gift.giftMessage } : {}),
      };
    }
  }
  return out;
}

/** getOrderItemsBuyerInfo entry. */
export function v0OrderItemBuyerInfo(order: Order, item: OrderItem, pii: boolean): Record<string, unknown> {
  const full = v0OrderItem(order, item, pii);
  return { OrderItemId: item.orderItemId, ...((full.BuyerInfo as Record<string, unknown>) ?? {}) };
}
