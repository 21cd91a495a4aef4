import { adjustmentReasonOf, buildOrderAdjustmentFeed } from './order-adjustment-feed';

/** Inner text of every <tag> in a document (test helper; flat tags only). */
const all = (xml: string, tag: string) => [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1]);

describe('buildOrderAdjustmentFeed', () => {
  it('writes an OrderAdjustment envelope with an AdjustedItem per item: its code, the reason and the units cancelled', () => {
    const xml = buildOrderAdjustmentFeed('A2SELLER01', [
      { messageId: 1, amazonOrderId: '302-1111111-1111111', reason: 'NoInventory', items: [{ orderItemId: '101', quantity: 1 }, { orderItemId: '102', quantity: 2 }] },
      { messageId: 2, amazonOrderId: '302-2222222-2222222', reason: 'BuyerCanceled', items: [{ orderItemId: '201', quantity: 3 }] },
    ]);
    expect(all(xml, 'MessageType')).toEqual(['OrderAdjustment']);
    expect(all(xml, 'MerchantIdentifier')).toEqual(['A2SELLER01']);
    const [first, second] = all(xml, 'Message');
    expect(all(first, 'MessageID')).toEqual(['1']);
    expect(all(first, 'AmazonOrderID')).toEqual(['302-1111111-1111111']);
    const items = all(first, 'AdjustedItem');
    expect(items.map((i) => [all(i, 'AmazonOrderItemCode')[0], all(i, 'AdjustmentReason')[0], all(i, 'QuantityCancelled')[0]])).toEqual([
      ['101', 'NoInventory', '1'],
      ['102', 'NoInventory', '2'],
    ]);
    expect(all(second, 'AdjustmentReason')).toEqual(['BuyerCanceled']);
    expect(all(second, 'QuantityCancelled')).toEqual(['3']);
  });

  it('adds up an item named twice, and escapes text', () => {
    const xml = buildOrderAdjustmentFeed('A&B', [{ messageId: 1, amazonOrderId: '30<2>', reason: null, items: [{ orderItemId: 'x&y', quantity: 1 }, { orderItemId: 'x&y', quantity: 2 }] }]);
    expect(all(xml, 'AdjustedItem')).toHaveLength(1);
    expect(all(xml, 'QuantityCancelled')).toEqual(['3']);
    expect(all(xml, 'AmazonOrderItemCode')).toEqual(['x&amp;y']);
    expect(all(xml, 'MerchantIdentifier')).toEqual(['A&amp;B']);
    expect(all(xml, 'AmazonOrderID')).toEqual(['30&lt;2&gt;']);
  });

  it('takes only the reasons Amazon allows for units: BuyerCanceled, else NoInventory', () => {
    expect(adjustmentReasonOf('BuyerCanceled')).toBe('BuyerCanceled');
    expect(adjustmentReasonOf('NoInventory')).toBe('NoInventory');
    expect(adjustmentReasonOf('ShippingAddressUndeliverable')).toBe('NoInventory');
    expect(adjustmentReasonOf(undefined)).toBe('NoInventory');
  });

  it('refuses no messages, duplicate or non-positive MessageIDs, no items and quantities below one', () => {
    const message = { amazonOrderId: '1', reason: null, items: [{ orderItemId: '9', quantity: 1 }] };
    expect(() => buildOrderAdjustmentFeed('S', [])).toThrow(/at least one message/);
    expect(() => buildOrderAdjustmentFeed('S', [{ ...message, messageId: 0 }])).toThrow(/positive integer/);
    expect(() => buildOrderAdjustmentFeed('S', [{ ...message, messageId: 1 }, { ...message, messageId: 1 }])).toThrow(/used twice/);
    expect(() => buildOrderAdjustmentFeed('S', [{ ...message, messageId: 1, items: [] }])).toThrow(/at least one item/);
    expect(() => buildOrderAdjustmentFeed('S', [{ ...message, messageId: 1, items: [{ orderItemId: '9', quantity: 0 }] }])).toThrow(/QuantityCancelled/);
    expect(() => buildOrderAdjustmentFeed('S', [{ ...message, messageId: 1, items: [{ orderItemId: '9', quantity: 1.5 }] }])).toThrow(/QuantityCancelled/);
  });
});
