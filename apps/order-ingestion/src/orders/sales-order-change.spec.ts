import { lineProductId } from './sales-order-change';
import type { SalesOrder } from './sales-order.entity';

describe('the product of an order line', () => {
  const remapped = new Map([['MUG', 'product-after-remap']]);

  it('is its SKU\'s product for a new order or a new line', () => {
    expect(lineProductId({ lineKey: 'item:1', sku: 'MUG' }, undefined, remapped)).toBe('product-after-remap');
    const stored = { lines: [{ lineKey: 'item:1', productId: 'product-before' }] } as SalesOrder;
    expect(lineProductId({ lineKey: 'item:2', sku: 'MUG' }, stored, remapped)).toBe('product-after-remap');
    expect(lineProductId({ lineKey: 'shipping', sku: null }, undefined, remapped)).toBeNull();
  });

  it('stays the one a stored line has when the order is read again after its SKU was remapped', () => {
    const stored = { lines: [{ lineKey: 'item:1', productId: 'product-before' }] } as SalesOrder;
    expect(lineProductId({ lineKey: 'item:1', sku: 'MUG' }, stored, remapped)).toBe('product-before');
  });
});
