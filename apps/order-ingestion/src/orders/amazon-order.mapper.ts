import { AddressInput, BuyerInput, FulfillmentChannel, SalesOrderLineKind, SalesOrderStatus } from '@connector/contracts';
import { divideCents, fromCents, InvalidAmountError, sumCents, toCents } from '@connector/money';
import type { AmazonOrder } from '@connector/sp-api';

/** The Amazon order cannot become a sales order; the reason is shown on the quarantine. */
export class MappingError extends Error {}

export interface MarketplaceTerms {
  marketplaceId: string;
  currency: string;
  countryCode: string;
  taxIncluded: boolean;
}

export interface MappedLine {
  lineKey: string;
  kind: SalesOrderLineKind;
  orderItemId: string | null;
  sku: string | null;
  asin: string | null;
  title: string | null;
  name: string;
  description: string | null;
  quantity: number;
  quantityShipped: number;
  unitPriceTaxIncluded: string;
  unitPriceTaxExcluded: string;
  amountTaxIncluded: string;
  amountTaxExcluded: string;
  discountTaxIncluded: string;
  discountTaxExcluded: string;
  totalTaxIncluded: string;
  totalTaxExcluded: string;
  taxAmount: string;
  promotionIds: string[];
  giftWrapLevel: string | null;
  giftMessage: string | null;
  /**
   * Amazon cancelled the item (its cancellation execution) while the order goes on: an item-level
   * acknowledgement may leave its quantity as it was. Present only when true, so the content hash
   * of every other line stays what it was.
   */
  cancelledAtAmazon?: true;
  buyerCancelRequested: boolean;
  buyerCancelReason: string | null;
}

/** Buyer and recipient as partner-resolution takes them. */
export interface MappedParty {
  buyer: BuyerInput;
  address: AddressInput;
}

export interface MappedOrder {
  amazonOrderId: string;
  marketplaceId: string;
  channel: FulfillmentChannel;
  amazonStatus: string;
  status: SalesOrderStatus;
  currency: string;
  purchasedAt: Date;
  amazonUpdatedAt: Date;
  isBusinessOrder: boolean;
  isPrime: boolean;
  isReplacementOrder: boolean;
  replacedOrderId: string | null;
  earliestShipDate: Date | null;
  latestShipDate: Date | null;
  earliestDeliveryDate: Date | null;
  latestDeliveryDate: Date | null;
  /** Any item the buyer asked to cancel; the reasons of those items, distinct, joined. */
  buyerCancelRequested: boolean;
  buyerCancelReason: string | null;
  giftMessage: string | null;
  amazonTotal: string | null;
  linesTotal: string;
  reconciled: boolean;
  canceledByAmazon: boolean;
  party: MappedParty;
  lines: MappedLine[];
}

/** ISO 4217 codes as the runtime knows them: money in anything else cannot be kept. */
const KNOWN_CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** Which Amazon orders become sales orders (DESIGN: "Orders synced"). */
export function isSyncable(order: AmazonOrder): boolean {
  const status = order.fulfillment?.fulfillmentStatus;
  const fba = order.fulfillment?.fulfilledBy === 'AMAZON';
  if (fba) return status === 'SHIPPED' || status === 'CANCELLED';
  return status === 'UNSHIPPED' || status === 'PARTIALLY_SHIPPED' || status === 'SHIPPED' || status === 'CANCELLED';
}

const STATUS: Record<string, SalesOrderStatus> = {
  UNSHIPPED: SalesOrderStatus.Confirmed,
  PARTIALLY_SHIPPED: SalesOrderStatus.PartiallyShipped,
  SHIPPED: SalesOrderStatus.Shipped,
  CANCELLED: SalesOrderStatus.Canceled,
};

/** What an item's proceeds are charged for. */
const PARTS = ['ITEM', 'SHIPPING', 'GIFT_WRAP', 'COD_FEE', 'OTHER'] as const;
type Part = (typeof PARTS)[number];
interface ItemMoney {
  gross: Record<Part, bigint>;
  tax: Record<Part, bigint>;
  /** Positive: how much the promotion takes off. */
  discount: Record<Part, bigint>;
}

const zero = (): Record<Part, bigint> => ({ ITEM: 0n, SHIPPING: 0n, GIFT_WRAP: 0n, COD_FEE: 0n, OTHER: 0n });
const isPart = (type: string | undefined): type is Part => (PARTS as readonly (string | undefined)[]).includes(type);

/** Charges summed over the order's items into one line each. (Shipping's name holds its service level.) */
const ORDER_CHARGES = [
  { part: 'SHIPPING', lineKey: 'shipping', kind: SalesOrderLineKind.Shipping, name: null },
  { part: 'COD_FEE', lineKey: 'cod_fee', kind: SalesOrderLineKind.Charge, name: 'Cash on delivery fee' },
  { part: 'OTHER', lineKey: 'other_charges', kind: SalesOrderLineKind.Charge, name: 'Other charges' },
] as const;

function cents(amount: string | undefined, currency: string, what: string): bigint {
  try {
    return toCents(amount);
  } catch (err) {
    if (err instanceof InvalidAmountError) throw new MappingError(`${what}: ${err.message}`);
    throw err;
  }
}

type AmazonItem = AmazonOrder['orderItems'][number];

/** Reads an item's proceeds breakdowns: charges (PARTS), TAX and DISCOUNT by subtype. */
function itemMoney(item: AmazonItem, currency: string): ItemMoney {
  const money: ItemMoney = { gross: zero(), tax: zero(), discount: zero() };
  const where = `item ${item.orderItemId}`;
  for (const breakdown of item.proceeds?.breakdowns ?? []) {
    if (breakdown.subtotal?.currencyCode && breakdown.subtotal.currencyCode !== currency) {
      throw new MappingError(`${where}: ${breakdown.type} in ${breakdown.subtotal.currencyCode}, order in ${currency}`);
    }
    const amount = cents(breakdown.subtotal?.amount, currency, `${where} ${breakdown.type}`);
    switch (breakdown.type) {
      case 'ITEM':
      case 'SHIPPING':
      case 'GIFT_WRAP':
      case 'COD_FEE':
      case 'OTHER':
        money.gross[breakdown.type] += amount;
        break;
      case 'TAX':
      case 'DISCOUNT': {
        const target = breakdown.type === 'TAX' ? money.tax : money.discount;
        const sign = breakdown.type === 'DISCOUNT' ? -1n : 1n;
        const details = breakdown.detailedBreakdowns ?? [];
        if (details.length === 0) {
          target.ITEM += sign * amount;
          break;
        }
        for (const detail of details) {
          const part = isPart(detail.subtype) ? detail.subtype : 'ITEM';
          target[part] += sign * cents(detail.value?.amount, currency, `${where} ${breakdown.type}/${detail.subtype}`);
        }
        break;
      }
      default:
        throw new MappingError(`${where}: proceeds breakdown ${breakdown.type} is not supported`);
    }
  }
  return money;
}

/**
 * The amounts of one line from its charge, its tax and its discount, in the marketplace's
 * convention. Tax-included (EU, UK): the charge holds the VAT and TAX is the VAT of the
 * discounted charge. Tax-excluded (US, CA, MX): TAX comes on top of the discounted charge.
 * The discount's other side is derived in proportion so every identity holds exactly.
 */
export function lineAmounts(gross: bigint, tax: bigint, discount: bigint, quantity: number, taxIncluded: boolean) {
  let amountIncl: bigint, amountExcl: bigint, discountIncl: bigint, discountExcl: bigint, totalIncl: bigint, totalExcl: bigint;
  if (taxIncluded) {
    totalIncl = gross - discount;
    totalExcl = totalIncl - tax;
    discountIncl = discount;
    discountExcl = totalIncl === 0n ? discount : (discount * totalExcl + totalIncl / 2n) / totalIncl;
    amountIncl = gross;
    amountExcl = totalExcl + discountExcl;
  } else {
    totalExcl = gross - discount;
    totalIncl = totalExcl + tax;
    discountExcl = discount;
    discountIncl = totalExcl === 0n ? discount : (discount * totalIncl + totalExcl / 2n) / totalExcl;
    amountExcl = gross;
    amountIncl = totalIncl + discountIncl;
  }
  const q = Math.max(quantity, 1);
  return {
    unitPriceTaxIncluded: fromCents(divideCents(amountIncl, q)),
    unitPriceTaxExcluded: fromCents(divideCents(amountExcl, q)),
    amountTaxIncluded: fromCents(amountIncl),
    amountTaxExcluded: fromCents(amountExcl),
    discountTaxIncluded: fromCents(discountIncl),
    discountTaxExcluded: fromCents(discountExcl),
    totalTaxIncluded: fromCents(totalIncl),
    totalTaxExcluded: fromCents(totalExcl),
    taxAmount: fromCents(tax),
  };
}

function conditionText(item: AmazonItem): string | null {
  const condition = item.product?.condition;
  if (!condition?.conditionType || condition.conditionType === 'NEW') return null;
  const parts = [condition.conditionType, condition.conditionSubtype].filter(Boolean).map((p) => p!.replace(/_/g, ' ').toLowerCase());
  return `Condition: ${parts.join(', ')}${condition.conditionNote ? ` (${condition.conditionNote})` : ''}`;
}

function chargeLine(lineKey: string, kind: SalesOrderLineKind, name: string, amounts: ReturnType<typeof lineAmounts>, promotionIds: string[]): MappedLine {
  return { lineKey, kind, orderItemId: null, sku: null, asin: null, title: null, name, description: null, quantity: 1, quantityShipped: 0, ...amounts, promotionIds, giftWrapLevel: null, giftMessage: null, buyerCancelRequested: false, buyerCancelReason: null };
}

/** The buyer's request to cancel an item (v2026: cancellation.cancellationRequest by the BUYER; v0's BuyerRequestedCancel converts to it). */
function buyerCancelRequest(item: AmazonItem): { requested: boolean; reason: string | null } {
  const request = item.cancellation?.cancellationRequest;
  if (!request || (request.requester && request.requester !== 'BUYER')) return { requested: false, reason: null };
  return { requested: true, reason: request.cancelReason?.trim() || null };
}

/** A time of Amazon's window, or null when absent; one that is not a date is the order's error. */
function windowTime(value: string | undefined, what: string): Date | null {
  if (!value) return null;
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) throw new MappingError(`order has an invalid ${what}`);
  return time;
}

/** The order this one replaces: Amazon's REPLACEMENT_ORIGINAL_ID association (v0: IsReplacementOrder, ReplacedOrderId). */
function replacementOf(order: AmazonOrder): { isReplacementOrder: boolean; replacedOrderId: string | null } {
  const original = (order.associatedOrders ?? []).find((a) => a.associationType === 'REPLACEMENT_ORIGINAL_ID');
  return { isReplacementOrder: !!original, replacedOrderId: original?.orderId || null };
}

/**
 * Whether the order's TAX is inside its charges or added on top of them. The marketplace
 * gives the rule (DESIGN: EU and UK prices include VAT; US, CA and MX add tax). One exception
 * is known: Amazon's own example of a UK business-price order adds TAX on top of net prices,
 * so where a tax-included marketplace's total is exactly the charges plus TAX, it is read that
 * way. Nothing known turns the other way; a total that fits neither is flagged, not guessed.
 */
function taxIsIncluded(moneys: ItemMoney[], untaxed: bigint, amazonTotal: bigint | null, rule: boolean): boolean {
  let net = untaxed;
  let tax = 0n;
  for (const money of moneys) {
    for (const part of PARTS) {
      net += money.gross[part] - money.discount[part];
      tax += money.tax[part];
    }
  }
  if (rule && amazonTotal !== null && tax !== 0n && amazonTotal === net + tax) return false;
  return rule;
}

/** Maps a v2026-01-01 order (with PROCEEDS, BUYER, RECIPIENT, FULFILLMENT, PROMOTION) into our sales order. */
export function mapAmazonOrder(order: AmazonOrder, terms: MarketplaceTerms): MappedOrder {
  if (!order.orderId) throw new MappingError('order has no orderId');
  const amazonStatus = order.fulfillment?.fulfillmentStatus;
  if (!amazonStatus) throw new MappingError('order has no fulfillment status');
  const status = STATUS[amazonStatus];
  if (!status) throw new MappingError(`fulfillment status ${amazonStatus} is not synced`);
  const channel = order.fulfillment?.fulfilledBy === 'AMAZON' ? FulfillmentChannel.FBA : FulfillmentChannel.FBM;
  const currency = order.proceeds?.grandTotal?.currencyCode ?? order.orderItems?.[0]?.product?.price?.unitPrice?.currencyCode ?? terms.currency;
  if (!KNOWN_CURRENCIES.has(currency)) throw new MappingError(`currency ${JSON.stringify(currency)} is not an ISO 4217 currency`);
  if (!Array.isArray(order.orderItems) || order.orderItems.length === 0) throw new MappingError('order has no items');
  const purchasedAt = new Date(order.createdTime);
  const amazonUpdatedAt = new Date(order.lastUpdatedTime);
  if (Number.isNaN(purchasedAt.getTime()) || Number.isNaN(amazonUpdatedAt.getTime())) throw new MappingError('order has an invalid createdTime or lastUpdatedTime');

  const moneys = order.orderItems.map((item) => {
    if (!item.orderItemId) throw new MappingError('an item has no orderItemId');
    if (!item.product?.sellerSku) throw new MappingError(`item ${item.orderItemId} has no seller SKU`);
    if (!Number.isInteger(item.quantityOrdered) || item.quantityOrdered < 0) {
      throw new MappingError(`item ${item.orderItemId} has an invalid quantity`);
    }
    if (status !== SalesOrderStatus.Canceled && !item.proceeds) throw new MappingError(`item ${item.orderItemId} has no proceeds`);
    return itemMoney(item, currency);
  });
  let tip = 0n;
  for (const breakdown of order.proceeds?.breakdowns ?? []) {
    if (breakdown.type === 'DELIVERY_TIP') tip += cents(breakdown.subtotal?.amount, currency, 'order DELIVERY_TIP');
  }
  const amazonTotal = order.proceeds?.grandTotal?.amount !== undefined ? cents(order.proceeds.grandTotal.amount, currency, 'order total') : null;
  const taxIncluded = taxIsIncluded(moneys, tip, amazonTotal, terms.taxIncluded);

  const lines: MappedLine[] = [];
  const charges = new Map(ORDER_CHARGES.map((charge) => [charge.part, { gross: 0n, tax: 0n, discount: 0n, promotionIds: new Set<string>() }]));
  let giftMessage: string | null = null;
  order.orderItems.forEach((item, index) => {
    const money = moneys[index];
    const sku = item.product.sellerSku!;
    const promotionIds = (item.promotion?.breakdowns ?? []).map((p) => p.promotionId).filter((id): id is string => !!id);
    const title = item.product?.title ?? null;
    const cancelRequest = buyerCancelRequest(item);
    lines.push({
      lineKey: `item:${item.orderItemId}`,
      kind: SalesOrderLineKind.Product,
      orderItemId: item.orderItemId,
      sku,
      asin: item.product?.asin ?? null,
      title,
      name: title ?? sku,
      description: conditionText(item),
      quantity: item.quantityOrdered,
      quantityShipped: item.fulfillment?.quantityFulfilled ?? 0,
      ...lineAmounts(money.gross.ITEM, money.tax.ITEM, money.discount.ITEM, item.quantityOrdered, taxIncluded),
      promotionIds: money.discount.ITEM !== 0n ? promotionIds : [],
      giftWrapLevel: null,
      giftMessage: null,
      ...(status !== SalesOrderStatus.Canceled && item.cancellation?.cancellationExecution ? { cancelledAtAmazon: true as const } : {}),
      buyerCancelRequested: cancelRequest.requested,
      buyerCancelReason: cancelRequest.reason,
    });
    for (const [part, charge] of charges) {
      charge.gross += money.gross[part];
      charge.tax += money.tax[part];
      charge.discount += money.discount[part];
      if (money.discount[part] !== 0n) promotionIds.forEach((id) => charge.promotionIds.add(id));
    }
    const gift = item.fulfillment?.packing?.giftOption;
    if (gift?.giftMessage) giftMessage = giftMessage ? `${giftMessage}\n${gift.giftMessage}` : gift.giftMessage;
    if (money.gross.GIFT_WRAP !== 0n || gift?.giftWrapLevel) {
      lines.push({
        lineKey: `gift_wrap:${item.orderItemId}`,
        kind: SalesOrderLineKind.GiftWrap,
        orderItemId: item.orderItemId,
        sku: null,
        asin: null,
        title: null,
        name: `Gift wrap${gift?.giftWrapLevel ? ` (${gift.giftWrapLevel})` : ''}`,
        description: null,
        quantity: 1,
        quantityShipped: 0,
        ...lineAmounts(money.gross.GIFT_WRAP, money.tax.GIFT_WRAP, money.discount.GIFT_WRAP, 1, taxIncluded),
        promotionIds: [],
        giftWrapLevel: gift?.giftWrapLevel ?? null,
        giftMessage: gift?.giftMessage ?? null,
        buyerCancelRequested: false,
        buyerCancelReason: null,
      });
    }
  });
  const serviceLevel = order.fulfillment?.fulfillmentServiceLevel;
  for (const { part, lineKey, kind, name: fixedName } of ORDER_CHARGES) {
    const charge = charges.get(part)!;
    if (charge.gross === 0n && charge.tax === 0n && charge.discount === 0n) continue;
    const name = fixedName ?? `Shipping${serviceLevel ? ` (${serviceLevel.toLowerCase()})` : ''}`;
    lines.push(chargeLine(lineKey, kind, name, lineAmounts(charge.gross, charge.tax, charge.discount, 1, taxIncluded), [...charge.promotionIds]));
  }
  // Charged to the buyer apart from any item (Amazon: "not attributed to a specific item"), untaxed.
  if (tip !== 0n) lines.push(chargeLine('delivery_tip', SalesOrderLineKind.Charge, 'Delivery tip', lineAmounts(tip, 0n, 0n, 1, taxIncluded), []));

  const linesTotal = sumCents(lines.map((line) => toCents(line.totalTaxIncluded)));
  const buyer = order.buyer ?? {};
  const address = order.recipient?.deliveryAddress ?? {};
  const programs = order.programs ?? [];
  const shipBy = order.fulfillment?.shipByWindow;
  const deliverBy = order.fulfillment?.deliverByWindow;
  const cancelRequests = lines.filter((line) => line.buyerCancelRequested);
  const cancelReasons = [...new Set(cancelRequests.map((line) => line.buyerCancelReason).filter((r): r is string => !!r))];
  return {
    amazonOrderId: order.orderId,
    marketplaceId: order.salesChannel?.marketplaceId ?? terms.marketplaceId,
    channel,
    amazonStatus,
    status,
    currency,
    purchasedAt,
    amazonUpdatedAt,
    isBusinessOrder: programs.includes('AMAZON_BUSINESS') || !!buyer.buyerCompanyName,
    isPrime: programs.includes('PRIME'),
    ...replacementOf(order),
    earliestShipDate: windowTime(shipBy?.earliestDateTime, 'shipByWindow.earliestDateTime'),
    latestShipDate: windowTime(shipBy?.latestDateTime, 'shipByWindow.latestDateTime'),
    earliestDeliveryDate: windowTime(deliverBy?.earliestDateTime, 'deliverByWindow.earliestDateTime'),
    latestDeliveryDate: windowTime(deliverBy?.latestDateTime, 'deliverByWindow.latestDateTime'),
    buyerCancelRequested: cancelRequests.length > 0,
    buyerCancelReason: cancelReasons.length ? cancelReasons.join('; ') : null,
    giftMessage,
    amazonTotal: amazonTotal === null ? null : fromCents(amazonTotal),
    linesTotal: fromCents(linesTotal),
    reconciled: amazonTotal === null ? status === SalesOrderStatus.Canceled : amazonTotal === linesTotal,
    canceledByAmazon: status === SalesOrderStatus.Canceled,
    party: {
      buyer: { name: buyer.buyerName || undefined, email: buyer.buyerEmail || undefined, companyName: buyer.buyerCompanyName || undefined },
      address: {
        name: address.name || undefined,
        companyName: address.companyName || undefined,
        addressLine1: address.addressLine1 || undefined,
        addressLine2: address.addressLine2 || undefined,
        addressLine3: address.addressLine3 || undefined,
        city: address.city || undefined,
        districtOrCounty: address.districtOrCounty || undefined,
        stateOrRegion: address.stateOrRegion || undefined,
        postalCode: address.postalCode || undefined,
        countryCode: (address.countryCode || terms.countryCode).toUpperCase(),
        phone: address.phone || undefined,
        addressType: address.addressType || undefined,
      },
    },
    lines,
  };
}
