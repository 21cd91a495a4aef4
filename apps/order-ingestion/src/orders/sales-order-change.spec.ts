import { lineProductId, unitsOf } from './sales-order-change';
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

describe('the units of an order line', () => {
  it('is what Amazon reports for a new line', () => {
    expect(unitsOf({ quantity: 3, quantityShipped: 0 }, undefined)).toEqual({ quantity: 3, quantityCancelled: 0 });
  });

  it('keeps the seller\'s cancellation while Amazon has not applied it yet', () => {
    expect(unitsOf({ quantity: 3, quantityShipped: 0 }, { quantity: 3, quantityCancelled: 1 })).toEqual({ quantity: 3, quantityCancelled: 1 });
  });

  it('does not count a unit cancellation twice once Amazon lowered the item\'s quantity', () => {
    expect(unitsOf({ quantity: 2, quantityShipped: 0 }, { quantity: 3, quantityCancelled: 1 })).toEqual({ quantity: 3, quantityCancelled: 1 });
    // Read again: the same.
    expect(unitsOf({ quantity: 2, quantityShipped: 0 }, { quantity: 3, quantityCancelled: 1 })).toEqual({ quantity: 3, quantityCancelled: 1 });
  });

  it('counts units Amazon cancelled itself (Seller Central, the buyer)', () => {
    expect(unitsOf({ quantity: 1, quantityShipped: 0 }, { quantity: 3, quantityCancelled: 0 })).toEqual({ quantity: 3, quantityCancelled: 2 });
  });

  it('takes an item Amazon marks cancelled (item-level acknowledgement, its quantity left as it was) as cancelled whole, except what shipped', () => {
    expect(unitsOf({ quantity: 1, quantityShipped: 0, cancelledAtAmazon: true }, { quantity: 1, quantityCancelled: 1 })).toEqual({ quantity: 1, quantityCancelled: 1 });
    expect(unitsOf({ quantity: 3, quantityShipped: 1, cancelledAtAmazon: true }, { quantity: 3, quantityCancelled: 0 })).toEqual({ quantity: 3, quantityCancelled: 2 });
  });
});
