import { NotificationKind } from '@connector/contracts';
import { cancellationFeed, isFeedKind } from './cancellation-feeds';

/** Inner text of every <tag> in a document (test helper; flat tags only). */
const all = (xml: string, tag: string) => [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1]);

describe('cancellationFeed', () => {
  it('sends whole orders and whole items as an order acknowledgement: StatusCode Failure, an Item with its CancelReason per item cancelled', () => {
    const feed = cancellationFeed(NotificationKind.Cancellation, 'A2SELLER01', [
      { messageId: 1, amazonOrderId: '302-1111111-1111111', payload: { reason: 'NoInventory', items: [{ orderItemId: 'B1', quantity: 1 }] } },
      { messageId: 2, amazonOrderId: '302-2222222-2222222', payload: { reason: 'BuyerCanceled', items: [{ orderItemId: 'C1', quantity: 2 }, { orderItemId: 'C2', quantity: 1 }] } },
    ]);
    expect(feed.feedType).toBe('POST_ORDER_ACKNOWLEDGEMENT_DATA');
    expect(all(feed.content, 'MessageType')).toEqual(['OrderAcknowledgement']);
    const [first, second] = all(feed.content, 'Message');
    expect(all(first, 'StatusCode')).toEqual(['Failure']);
    expect(all(first, 'AmazonOrderItemCode')).toEqual(['B1']);
    expect(all(first, 'CancelReason')).toEqual(['NoInventory']);
    expect(all(second, 'AmazonOrderItemCode')).toEqual(['C1', 'C2']);
    expect(all(second, 'CancelReason')).toEqual(['BuyerCanceled', 'BuyerCanceled']);
    // Whole items: no quantities (Amazon cancels the item whole).
    expect(feed.content).not.toContain('Quantity');
  });

  it('sends some units of items as an order adjustment: QuantityCancelled per item, the reason Amazon takes for it', () => {
    const feed = cancellationFeed(NotificationKind.UnitCancellation, 'A2SELLER01', [
      { messageId: 7, amazonOrderId: '302-1111111-1111111', payload: { reason: 'CustomerExchange', items: [{ orderItemId: 'A1', quantity: 1 }, { orderItemId: 'A2', quantity: 2 }] } },
    ]);
    expect(feed.feedType).toBe('POST_PAYMENT_ADJUSTMENT_DATA');
    expect(all(feed.content, 'MessageType')).toEqual(['OrderAdjustment']);
    expect(all(feed.content, 'MessageID')).toEqual(['7']);
    const items = all(feed.content, 'AdjustedItem');
    expect(items.map((i) => [all(i, 'AmazonOrderItemCode')[0], all(i, 'AdjustmentReason')[0], all(i, 'QuantityCancelled')[0]])).toEqual([
      ['A1', 'NoInventory', '1'],
      ['A2', 'NoInventory', '2'],
    ]);
  });

  it('refuses a unit cancellation naming no item (Amazon would fail it whole)', () => {
    expect(() => cancellationFeed(NotificationKind.UnitCancellation, 'A2SELLER01', [{ messageId: 1, amazonOrderId: '302-1', payload: { reason: null, items: [] } }])).toThrow(/at least one item/);
  });

  it('knows which kinds go in feeds: not shipment confirmations', () => {
    expect(isFeedKind(NotificationKind.Cancellation)).toBe(true);
    expect(isFeedKind(NotificationKind.UnitCancellation)).toBe(true);
    expect(isFeedKind(NotificationKind.ShipmentConfirmation)).toBe(false);
  });
});
