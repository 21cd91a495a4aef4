import { compareWithAmazon } from './unit-cancellation-check';

describe('compareWithAmazon (is a unit cancellation applied at Amazon?)', () => {
  const payload = { reason: 'NoInventory', items: [{ orderItemId: 'A', quantity: 1, quantityLeft: 2 }, { orderItemId: 'B', quantity: 2, quantityLeft: 0 }] };

  it('applied when every item shows no more units than the cancellation leaves', () => {
    expect(compareWithAmazon(payload, new Map([['A', 2], ['B', 0], ['C', 5]]))).toEqual({ applied: true, items: [{ orderItemId: 'A', quantityOrdered: 2 }, { orderItemId: 'B', quantityOrdered: 0 }] });
    // A later cancellation applied too: still no more than left.
    expect(compareWithAmazon(payload, new Map([['A', 1], ['B', 0]])).applied).toBe(true);
  });

  it('names the items still to send: more units than left, or an item Amazon does not show', () => {
    expect(compareWithAmazon(payload, new Map([['A', 3], ['B', 2]]))).toEqual({ applied: false, items: payload.items });
    expect(compareWithAmazon(payload, new Map([['A', 2]]))).toEqual({ applied: false, items: [payload.items[1]] });
  });

  it('cannot tell without the units left (recorded before they were kept)', () => {
    expect(compareWithAmazon({ reason: null, items: [{ orderItemId: 'A', quantity: 1 }] }, new Map([['A', 1]]))).toEqual({ applied: 'unknown' });
    expect(compareWithAmazon({ reason: null, items: [] }, new Map())).toEqual({ applied: 'unknown' });
  });
});
