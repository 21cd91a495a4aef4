import { parseOrderChange } from './order-change-notification';

const envelope = (over: Record<string, unknown> = {}, change: Record<string, unknown> = {}) =>
  JSON.stringify({
    NotificationVersion: '1.0',
    NotificationType: 'ORDER_CHANGE',
    PayloadVersion: '1.0',
    EventTime: '2026-12-01T10:00:00.000Z',
    Payload: { OrderChangeNotification: { NotificationLevel: 'OrderLevel', SellerId: 'A3TH9S8BH6GOGM', AmazonOrderId: '903-8868176-2219830', Summary: { MarketplaceId: 'ATVPDKIKX0DER', OrderStatus: 'Unshipped' }, ...change } },
    NotificationMetadata: { ApplicationId: 'app', SubscriptionId: 'sub', PublishTime: '2026-12-01T10:00:01.000Z', NotificationId: 'd0e9e693-c3ad-4373-979f-ed4ec98dd746' },
    ...over,
  });

describe('parseOrderChange (Amazon ORDER_CHANGE envelope)', () => {
  it("reads Amazon's example", () => {
    expect(parseOrderChange(envelope())).toEqual({
      notificationId: 'd0e9e693-c3ad-4373-979f-ed4ec98dd746',
      sellerId: 'A3TH9S8BH6GOGM',
      amazonOrderId: '903-8868176-2219830',
      marketplaceId: 'ATVPDKIKX0DER',
      eventTime: new Date('2026-12-01T10:00:00.000Z'),
      changedAt: new Date('2026-12-01T10:00:00.000Z'),
      orderStatus: 'Unshipped',
    });
  });

  it('reads when the order changed (TimeOfOrderChange before EventTime) and what it became', () => {
    const parsed = parseOrderChange(envelope({}, { OrderChangeTrigger: { TimeOfOrderChange: '2026-12-01T09:59:58.000Z', ChangeReason: 'Order Status Changed' }, Summary: { OrderStatus: 'Shipped', FulfillmentType: 'MFN' } }));
    expect(parsed).toMatchObject({ changedAt: new Date('2026-12-01T09:59:58.000Z'), orderStatus: 'Shipped', fulfillmentType: 'MFN' });
  });

  it('tells another notification type apart (not ours, not a failure)', () => {
    expect(parseOrderChange(envelope({ NotificationType: 'REPORT_PROCESSING_FINISHED' }))).toBe('other-type');
  });

  it.each([
    ['not JSON', 'nope', 'the body is not JSON'],
    ['no type', JSON.stringify({}), 'NotificationType is missing'],
    ['no notification id', envelope({ NotificationMetadata: {} }), 'NotificationMetadata.NotificationId is missing'],
    ['a bad seller id', envelope({}, { SellerId: 'a b' }), 'Payload.OrderChangeNotification.SellerId is missing or not a seller id'],
    ['no order id', envelope({}, { AmazonOrderId: undefined }), 'Payload.OrderChangeNotification.AmazonOrderId is missing or not an order id'],
  ])('says why it cannot read %s', (_label, body, reason) => {
    expect(parseOrderChange(body)).toBe(reason);
  });
});
