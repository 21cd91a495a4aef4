import { Marketplace } from '../store/marketplaces';
import { Money, OrderItem, ProceedsBreakdown } from '../store/order.types';
import { addedTax, formatCents, includedTax, parseCents } from './money';

/** Charges of one order item in integer cents; discounts are positive magnitudes here. */
export interface ItemCharges {
  unitPriceCents: number;
  quantity: number;
  shippingCents: number;
  giftWrapCents: number;
  itemDiscountCents: number;
  shippingDiscountCents: number;
}

/**
 * The sandbox's proceeds rules (the connector's reconciliation relies on them):
 *
 *   ITEM      = unitPrice × quantity
 *   SHIPPING  = shipping charge, GIFT_WRAP = gift-wrap charge (only present when > 0)
 *   DISCOUNT  = −(item promotion + shipping promotion), negative, detailed by subtype ITEM / SHIPPING
 *               (only present when a promotion applies; a promotion never exceeds what it discounts)
 *   TAX       = tax(ITEM − item promotion) + tax(SHIPPING − shipping promotion) + tax(GIFT_WRAP),
 *               each part rounded half-up to the cent on its own and detailed by subtype: the
 *               discount lowers the taxable base first, then the remainder is taxed.
 *     tax-included marketplaces (EU, UK): tax(x) = round(x × r / (1 + r)), the VAT already inside x;
 *       proceedsTotal = ITEM + SHIPPING + GIFT_WRAP + DISCOUNT        (TAX is informational)
 *     tax-excluded marketplaces (US, CA, MX): tax(x) = round(x × r), added on top;
 *       proceedsTotal = ITEM + SHIPPING + GIFT_WRAP + DISCOUNT + TAX
 *
 * Order level: grandTotal = Σ item proceedsTotal and each order breakdown = Σ of that type over items.
 */
export function itemProceeds(ch: ItemCharges, mp: Marketplace): NonNullable<OrderItem['proceeds']> {
  const money = (cents: number): Money => ({ amount: formatCents(cents), currencyCode: mp.currencyCode });
  const tax = (base: number) => (mp.taxMode === 'INCLUDED' ? includedTax(base, mp.taxRateBp) : addedTax(base, mp.taxRateBp));
  const item = ch.unitPriceCents * ch.quantity;
  const itemDiscount = Math.min(ch.itemDiscountCents, item);
  const shippingDiscount = Math.min(ch.shippingDiscountCents, ch.shippingCents);
  const taxItem = tax(item - itemDiscount);
  const taxShipping = tax(ch.shippingCents - shippingDiscount);
  const taxGiftWrap = tax(ch.giftWrapCents);
  const taxTotal = taxItem + taxShipping + taxGiftWrap;
  const discount = -(itemDiscount + shippingDiscount);

  const breakdowns: ProceedsBreakdown[] = [
    { type: 'ITEM', subtotal: money(item) },
    { type: 'SHIPPING', subtotal: money(ch.shippingCents) },
  ];
  if (ch.giftWrapCents > 0) breakdowns.push({ type: 'GIFT_WRAP', subtotal: money(ch.giftWrapCents) });
  breakdowns.push({
    type: 'TAX',
    subtotal: money(taxTotal),
    detailedBreakdowns: [
      { subtype: 'ITEM', value: money(taxItem) },
      { subtype: 'SHIPPING', value: money(taxShipping) },
      ...(ch.giftWrapCents > 0 ? [{ subtype: 'GIFT_WRAP', value: money(taxGiftWrap) }] : []),
    ],
  });
  if (discount !== 0) {
    breakdowns.push({
      type: 'DISCOUNT',
      subtotal: money(discount),
      detailedBreakdowns: [
        ...(itemDiscount > 0 ? [{ subtype: 'ITEM', value: money(-itemDiscount) }] : []),
        ...(shippingDiscount > 0 ? [{ subtype: 'SHIPPING', value: money(-shippingDiscount) }] : []),
      ],
    });
  }
  const total = item + ch.shippingCents + ch.giftWrapCents + discount + (mp.taxMode === 'EXCLUDED' ? taxTotal : 0);
  return { proceedsTotal: money(total), breakdowns };
}

const ORDER_BREAKDOWN_TYPES = ['ITEM', 'SHIPPING', 'GIFT_WRAP', 'TAX', 'DISCOUNT'];

/** Order proceeds as the exact sums of the items' proceeds (types present on any item). */
export function orderProceeds(items: OrderItem[], currencyCode: string): { grandTotal: Money; breakdowns: ProceedsBreakdown[] } {
  let grand = 0;
  const sums = new Map<string, number>();
  for (const item of items) {
    if (!item.proceeds?.proceedsTotal) continue;
    grand += parseCents(item.proceeds.proceedsTotal.amount);
    for (const b of item.proceeds.breakdowns ?? []) sums.set(b.type, (sums.get(b.type) ?? 0) + parseCents(b.subtotal.amount));
  }
  const types = [...ORDER_BREAKDOWN_TYPES.filter((t) => sums.has(t)), ...[...sums.keys()].filter((t) => !ORDER_BREAKDOWN_TYPES.includes(t))];
  return {
    grandTotal: { amount: formatCents(grand), currencyCode },
    breakdowns: types.map((type) => ({ type, subtotal: { amount: formatCents(sums.get(type)!), currencyCode } })),
  };
}
