import { amazonOrder, RunningSystem, waitFor } from '@connector/testing';

/**
 * Order changes within seconds: the account is subscribed to ORDER_CHANGE (a destination for the
 * queue with a grantless token, a subscription with the seller's), the sandbox sends a notification
 * to its SQS queue when the order changes, and order-ingestion fetches the order at once (getOrder)
 * while the account's polling interval is a day. A duplicate notification and an older one change
 * nothing; a notification whose order cannot be fetched stays on the queue until SQS moves it to
 * the dead-letter queue. A notification answered by getOrder with the order as before the change
 * (Amazon's getOrder lags) is read again until the change shows.
 */

const HOUR = 3_600_000;
const QUEUE = 'order-changes';
const DLQ = 'order-changes-dlq';
const seller = { sellerId: 'A2NOTIFYSELLER', clientId: 'notify-client', clientSecret: 'notify-secret', refreshToken: 'Atzr|notify', marketplaceIds: ['A1PA6795UKMFR9'] };
const orderId = '305-7000001-0000001';
const recently = new Date(Date.now() - 180_000).toISOString();

/** Amazon's ORDER_CHANGE envelope, as a test puts it on the queue itself. */
function orderChange(notificationId: string, amazonOrderId: string, eventTime: string, orderStatus = 'Unshipped') {
  return JSON.stringify({
    NotificationVersion: '1.0',
    NotificationType: 'ORDER_CHANGE',
    PayloadVersion: '1.0',
    EventTime: eventTime,
    Payload: {
      OrderChangeNotification: {
        NotificationLevel: 'OrderLevel',
        SellerId: seller.sellerId,
        AmazonOrderId: amazonOrderId,
        OrderChangeType: 'OrderStatusChange',
        OrderChangeTrigger: { TimeOfOrderChange: eventTime, ChangeReason: 'Order Status Changed' },
        Summary: { MarketplaceId: 'A1PA6795UKMFR9', OrderStatus: orderStatus, FulfillmentType: 'MFN', OrderItems: [] },
      },
    },
    NotificationMetadata: { ApplicationId: 'amzn1.sp.solution.test', SubscriptionId: 'sub', PublishTime: eventTime, NotificationId: notificationId },
  });
}

describe('order changes within seconds (ORDER_CHANGE notifications through SQS)', () => {
  const running = new RunningSystem();
  let accountId: string;

  const orderOf = async (amazonOrderId: string) => (await running.api('GET', `/api/v1/orders?amazonOrderId=${amazonOrderId}`)).body.items[0];
  const runs = async () => (await running.api('GET', `/api/v1/accounts/${accountId}/sync-runs?limit=500`)).body.items as any[];
  const queue = async (name: string) => (await running.sandbox('GET', `/_sandbox/sqs/queues/${name}`)).body;
  const getOrderCalls = async () => (await running.sandbox('GET', `/_sandbox/calls?sellerId=${seller.sellerId}`)).body.operations.getOrder2026?.received ?? 0;
  const drained = () => waitFor(async () => {
    const q = await queue(QUEUE);
    return q.visible === 0 && q.inFlight === 0 ? q : undefined;
  }, { timeoutMs: 30_000, what: 'the queue to be empty' });
  const row = async () => (await running.env.query<{ version: number; content_hash: string; amazon_updated_at: Date }>(`select version, content_hash, amazon_updated_at from ingestion.sales_orders where amazon_order_id = $1`, [orderId]))[0];

  beforeAll(async () => {
    await running.start({}, (name) =>
      name === 'order-ingestion'
        ? {
            ORDER_NOTIFICATIONS_QUEUE_URL: `${running.sandboxUrl}/000000000000/${QUEUE}`,
            SQS_ENDPOINT: running.sandboxUrl,
            // Hidden for a second after each receive: a failing message is received again soon (tests only).
            SQS_VISIBILITY_TIMEOUT_SECONDS: '1',
            ORDER_NOTIFICATIONS_SYNC_INTERVAL_SECONDS: '86400',
          }
        : {},
    );
    expect((await running.sandbox('POST', '/_sandbox/sqs/queues', { name: QUEUE, visibilityTimeoutSeconds: 1, deadLetterQueue: DLQ, maxReceiveCount: 3 })).status).toBe(201);
    expect((await running.sandbox('POST', '/_sandbox/sellers', seller)).status).toBe(201);
    const order = amazonOrder({
      orderId,
      createdTime: new Date(Date.parse(recently) - HOUR).toISOString(),
      lastUpdatedTime: recently,
      fulfilledBy: 'MERCHANT',
      status: 'UNSHIPPED',
      address: { name: 'Erika Muster', addressLine1: 'Lindenweg 2', city: 'Hamburg', postalCode: '20095' },
      items: [{ orderItemId: '70000010000001', sku: 'NOTIFY-MUG', quantity: 1, unitPrice: '11.90', tax: '1.90' }],
    });
    expect((await running.sandbox('POST', `/_sandbox/sellers/${seller.sellerId}/orders`, order)).status).toBe(201);
    const account = await running.createAccount(seller, 'EU', { initialSyncFrom: new Date(Date.now() - 2 * 86_400_000).toISOString(), syncIntervalSeconds: 86400 });
    expect(account.status).toBe(201);
    accountId = account.body.id;
    await waitFor(async () => (await orderOf(orderId)) && (await runs()).every((r) => r.status === 'succeeded'), { timeoutMs: 90_000, what: 'the first sync' });
  }, 180_000);

  afterAll(() => running.stop(), 60_000);

  it('subscribes the account: a destination for the queue (grantless) and an ORDER_CHANGE subscription (seller token)', async () => {
    const subscription = await waitFor(async () => (await running.sandbox('GET', '/_sandbox/notifications/subscriptions')).body.subscriptions.find((s: any) => s.sellerId === seller.sellerId), { timeoutMs: 30_000, what: 'the subscription at the sandbox' });
    expect(subscription).toMatchObject({ notificationType: 'ORDER_CHANGE', payloadVersion: '1.0' });
    const [recorded] = await running.env.query<{ status: string; subscription_id: string }>(`select status, subscription_id from ingestion.order_change_subscriptions where account_id = $1`, [accountId]);
    expect(recorded).toEqual({ status: 'subscribed', subscription_id: subscription.subscriptionId });
    expect(await running.env.query(`select destination_id from ingestion.notification_destinations`)).toHaveLength(1);
    const view = await running.api('GET', `/api/v1/accounts/${accountId}`);
    expect(view.body.orderNotifications).toMatchObject({ status: 'subscribed', subscriptionId: subscription.subscriptionId, lastError: null, subscribedAt: expect.any(String) });
  });

  it('an order changed at Amazon is visible through the gateway within seconds, without a sync run', async () => {
    await waitFor(async () => (await running.env.query(`select 1 from ingestion.order_change_subscriptions where account_id = $1 and status = 'subscribed'`, [accountId])).length > 0, { timeoutMs: 30_000, what: 'the subscription' });
    const runsBefore = (await runs()).length;
    const changedAt = Date.now();
    expect((await running.sandbox('POST', `/_sandbox/orders/${orderId}/status`, { status: 'CANCELLED', cancelledBy: 'BUYER', cancelReason: 'Buyer cancelled' })).status).toBe(200);
    const seen = await waitFor(async () => {
      const order = await orderOf(orderId);
      // Amazon's own word, as the account's Orders API (v2026-01-01) says it.
      return order?.amazonStatus === 'CANCELLED' ? order : undefined;
    }, { timeoutMs: 10_000, intervalMs: 100, what: 'the cancellation through the gateway' });
    expect(seen.status).toBe('canceled');
    expect(Date.now() - changedAt).toBeLessThan(10_000);
    // No sync run brought it: the account polls once a day.
    expect((await runs()).length).toBe(runsBefore);
    await drained();
    expect(await running.env.query(`select amazon_order_id from ingestion.order_notifications`)).toEqual([{ amazon_order_id: orderId }]);
  });

  it('a duplicate notification (same NotificationId) changes nothing and makes no call', async () => {
    const before = await row();
    const calls = await getOrderCalls();
    const [{ notification_id }] = await running.env.query<{ notification_id: string }>(`select notification_id from ingestion.order_notifications where amazon_order_id = $1`, [orderId]);
    expect((await running.sandbox('POST', `/_sandbox/sqs/queues/${QUEUE}/messages`, { body: orderChange(notification_id, orderId, new Date().toISOString()) })).status).toBe(201);
    await drained();
    expect(await row()).toEqual(before);
    expect(await getOrderCalls()).toBe(calls);
  });

  it('an older, out-of-order notification changes nothing', async () => {
    const before = await row();
    const older = new Date(Date.parse(recently) - HOUR).toISOString();
    expect((await running.sandbox('POST', `/_sandbox/sqs/queues/${QUEUE}/messages`, { body: orderChange('old-notification-1', orderId, older, 'Unshipped') })).status).toBe(201);
    await drained();
    await waitFor(async () => (await running.env.query(`select 1 from ingestion.order_notifications where notification_id = 'old-notification-1'`)).length > 0, { what: 'the old notification handled' });
    expect(await row()).toEqual(before);
    expect((await orderOf(orderId)).amazonStatus).toBe('CANCELLED');
  });

  it('a notification whose order getOrder still shows as before the change is read again until the change shows', async () => {
    const lagging = '305-7000002-0000002';
    const order = amazonOrder({
      orderId: lagging,
      createdTime: new Date(Date.now() - HOUR).toISOString(),
      lastUpdatedTime: new Date(Date.now() - 60_000).toISOString(),
      fulfilledBy: 'MERCHANT',
      status: 'UNSHIPPED',
      address: { name: 'Erika Muster', addressLine1: 'Lindenweg 2', city: 'Hamburg', postalCode: '20095' },
      items: [{ orderItemId: '70000020000001', sku: 'NOTIFY-MUG', quantity: 1, unitPrice: '11.90', tax: '1.90' }],
    });
    // A new order comes through its own notification.
    expect((await running.sandbox('POST', `/_sandbox/sellers/${seller.sellerId}/orders`, order)).status).toBe(201);
    await waitFor(async () => (await orderOf(lagging))?.amazonStatus === 'UNSHIPPED', { timeoutMs: 15_000, what: 'the new order through its notification' });
    await drained();
    const runsBefore = (await runs()).length;
    const calls = await getOrderCalls();
    // getOrder shows the order as before each change for a second: the first fetch after the notification gets the old copy.
    expect((await running.sandbox('POST', '/_sandbox/notifications/delivery', { getOrderLagSeconds: 1 })).status).toBe(201);
    try {
      expect((await running.sandbox('POST', `/_sandbox/orders/${lagging}/status`, { status: 'CANCELLED', cancelledBy: 'BUYER', cancelReason: 'Buyer cancelled' })).status).toBe(200);
      await waitFor(async () => (await orderOf(lagging))?.amazonStatus === 'CANCELLED', { timeoutMs: 20_000, intervalMs: 100, what: 'the cancellation once getOrder shows it' });
    } finally {
      await running.sandbox('POST', '/_sandbox/notifications/delivery', { getOrderLagSeconds: 0 });
    }
    expect(await getOrderCalls()).toBeGreaterThanOrEqual(calls + 2);
    expect((await runs()).length).toBe(runsBefore);
    await drained();
  });

  it('a notification that keeps failing (Amazon does not know the order) reaches the dead-letter queue', async () => {
    const unknown = '305-7999999-0000009';
    expect((await running.sandbox('POST', `/_sandbox/sqs/queues/${QUEUE}/messages`, { body: orderChange('failing-notification-1', unknown, new Date().toISOString()) })).status).toBe(201);
    const dlq = await waitFor(async () => {
      const q = await queue(DLQ);
      return q.messages.length ? q : undefined;
    }, { timeoutMs: 30_000, what: 'the message in the dead-letter queue' });
    expect(dlq.messages).toHaveLength(1);
    expect(JSON.parse(dlq.messages[0].body).NotificationMetadata.NotificationId).toBe('failing-notification-1');
    expect(dlq.messages[0].receiveCount).toBe(3);
    expect(await orderOf(unknown)).toBeUndefined();
    expect(await running.env.query(`select 1 from ingestion.order_notifications where notification_id = 'failing-notification-1'`)).toHaveLength(0);
  });

  it('sync turned off: the subscription is deleted at Amazon; on again: subscribed again; the account deleted: deleted at Amazon, the destination kept', async () => {
    const atAmazon = async () => ((await running.sandbox('GET', '/_sandbox/notifications/subscriptions')).body.subscriptions as any[]).filter((s) => s.sellerId === seller.sellerId);
    const [before] = await atAmazon();
    expect(before).toBeDefined();
    expect((await running.api('PATCH', `/api/v1/accounts/${accountId}`, { syncEnabled: false })).status).toBe(200);
    await waitFor(async () => ((await atAmazon()).length === 0 ? true : undefined), { timeoutMs: 30_000, what: 'the subscription deleted at Amazon after sync off' });
    await waitFor(async () => ((await running.env.query(`select 1 from ingestion.order_change_subscriptions where account_id = $1`, [accountId])).length === 0 ? true : undefined), { timeoutMs: 10_000, what: 'its row gone' });

    expect((await running.api('PATCH', `/api/v1/accounts/${accountId}`, { syncEnabled: true })).status).toBe(200);
    const again = await waitFor(async () => (await atAmazon())[0], { timeoutMs: 30_000, what: 'subscribed again after sync on' });
    expect(again.subscriptionId).not.toBe(before.subscriptionId);
    await waitFor(async () => ((await running.api('GET', `/api/v1/accounts/${accountId}`)).body.orderNotifications?.status === 'subscribed' ? true : undefined), { timeoutMs: 10_000, what: 'the account to show it subscribed' });

    expect((await running.api('DELETE', `/api/v1/accounts/${accountId}`)).status).toBe(204);
    await waitFor(async () => ((await atAmazon()).length === 0 ? true : undefined), { timeoutMs: 30_000, what: 'the deleted account\'s subscription deleted at Amazon' });
    expect(await running.env.query(`select 1 from ingestion.order_change_subscriptions where account_id = $1`, [accountId])).toHaveLength(0);
    // The destination is the application's: it stays for the other accounts (and the next one).
    expect(await running.env.query(`select destination_id from ingestion.notification_destinations`)).toHaveLength(1);
  });
});
