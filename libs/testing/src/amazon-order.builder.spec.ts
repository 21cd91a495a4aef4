import { amazonOrder } from './amazon-order.builder';

const sum = (amounts: string[]) => amounts.reduce((total, a) => total + Math.round(Number(a) * 100), 0);

describe('the Amazon order builder used by tests', () => {
  it('makes item proceeds that add up to the grand total, tax included or not', () => {
    for (const taxIncluded of [true, false]) {
      const order = amazonOrder({
        orderId: '1',
        taxIncluded,
        items: [
          { orderItemId: '1', sku: 'A', quantity: 2, unitPrice: '9.99', tax: '3.19', shipping: '4.00', shippingTax: '0.64', itemDiscount: '1.00' },
          { orderItemId: '2', sku: 'B', quantity: 1, unitPrice: '5.00', giftWrap: '2.00' },
        ],
      });
      expect(sum(order.orderItems.map((i) => i.proceeds!.proceedsTotal!.amount))).toBe(sum([order.proceeds!.grandTotal!.amount]));
      const itemBreakdown = order.proceeds!.breakdowns!.find((b) => b.type === 'ITEM')!;
      expect(itemBreakdown.subtotal!.amount).toBe('24.98');
    }
  });
});
