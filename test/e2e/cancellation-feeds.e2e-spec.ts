import { waitFor } from '@connector/testing';
import { amazonOrder, RunningSystem } from '@connector/testing';

/** Visible to the SP-API (older than two minutes) and inside the sync's overlap window. */
const recently = () => new Date(Date.now() - 180_000).toISOString();

const SELLER = { sellerId: 'A2E2ECANCEL001', clientId: 'e2e-cancel-client', clientSecret: 'e2e-cancel-secret', refreshToken: 'Atzr|e2e-cancel', marketplaceIds: ['A1PA6795UKMFR9'] };

/** FBM orders, unshipped: n = 1..7; order 1 has two items. */
const orderId = (n: number) => `305-0000000-00000${String(n).padStart(2, '0')}`;
const fbmOrders = Array.from({ length: 7 }, (_, i) =>
  amazonOrder({
    orderId: orderId(i + 1),
    lastUpdatedTime: recently(),
    fulfilledBy: 'MERCHANT',
    status: 'UNSHIPPED',
    items: [
      { orderItemId: `5000000000${String(i + 1).padStart(2, '0')}01`, sku: 'E2E-CANCEL-MUG', quantity: 1, unitPrice: '11.90', tax: '1.90' },
      ...(i === 0 ? [{ orderItemId: '50000000000102', sku: 'E2E-CANCEL-SPOON', quantity: 2, unitPrice: '5.00', tax: '1.60' }] : []),
    ],
  }),
);

interface SandboxFeed {
  feedId: string;
  feedType: string;
  processingStatus: string;
  messages: { messageId: string; amazonOrderId: string; statusCode: string; items: { amazonOrderItemCode: string; cancelReason: string }[] }[];
}

describe('seller cancellations reach Amazon in POST_ORDER_ACKNOWLEDGEMENT_DATA feeds', () => {
  const running = new RunningSystem();
  const orders = new Map<string, any>();

  beforeAll(async () => {
    // Sandbox feeds and client rate limits 60x faster; cancellations wait 1.5 s for company, feeds are polled every 200 ms.
    await running.start({ SANDBOX_TIME_SCALE: '60', SPAPI_RATE_SCALE: '60', CANCEL_BATCH_WINDOW_MS: '1500', FEED_POLL_MS: '200' });
    expect((await running.sandbox('POST', '/_sandbox/sellers', SELLER)).status).toBe(201);
    for (const order of fbmOrders) expect((await running.sandbox('POST', `/_sandbox/sellers/${SELLER.sellerId}/orders`, order)).status).toBe(201);
    const created = await running.createAccount(SELLER);
    expect(created.status).toBe(201);
    const synced = await waitFor(async () => {
      const page = await running.api('GET', `/api/v1/orders?accountId=${created.body.id}&limit=50`);
      return page.body.items?.length === fbmOrders.length ? page.body.items : undefined;
    }, { timeoutMs: 60_000, what: 'the FBM orders to sync' });
    for (const order of synced) orders.set(order.amazonOrderId, order);
    // Each has its delivery, so the cancellation has something to cancel locally too.
    for (const order of synced) await waitFor(async () => (await running.api('GET', `/api/v1/deliveries?orderId=${order.id}`)).body.items?.[0], { what: `the delivery of ${order.amazonOrderId}` });
  }, 180_000);

  afterAll(() => running.stop(), 60_000);

  async function ackFeeds(): Promise<SandboxFeed[]> {
    const answer = await running.sandbox('GET', `/_sandbox/feeds?sellerId=${SELLER.sellerId}`);
    expect(answer.status).toBe(200);
    return answer.body.feeds.filter((f: SandboxFeed) => f.feedType === 'POST_ORDER_ACKNOWLEDGEMENT_DATA');
  }

  const cancel = (amazonOrderId: string, reason: string) => running.api('POST', `/api/v1/orders/${orders.get(amazonOrderId).id}/cancel`, { reason });

  async function notificationOf(amazonOrderId: string, state?: string) {
    const items = (await running.api('GET', `/api/v1/notifications?orderId=${orders.get(amazonOrderId).id}&kind=cancellation`)).body.items;
    return items?.length === 1 && (!state || items[0].state === state) ? items[0] : undefined;
  }

  it('cancels several FBM orders by hand: one feed carries them all, Amazon cancels each, each notification is sent', async () => {
    const cancelled = [orderId(1), orderId(2), orderId(3), orderId(4)];
    const reasons: Record<string, string> = { [orderId(1)]: 'NoInventory', [orderId(2)]: 'BuyerCanceled', [orderId(3)]: 'ShippingAddressUndeliverable', [orderId(4)]: 'NoInventory' };
    const answers = await Promise.all(cancelled.map((id) => cancel(id, reasons[id])));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(answers.every((a) => a.body.status === 'canceled')).toBe(true);

    const notifications = await waitFor(async () => {
      const all = await Promise.all(cancelled.map((id) => notificationOf(id, 'sent')));
      return all.every(Boolean) ? all : undefined;
    }, { timeoutMs: 60_000, what: 'four sent cancellation notifications' });

    const feeds = await ackFeeds();
    expect(feeds).toHaveLength(1);
    const [feed] = feeds;
    expect(feed.processingStatus).toBe('DONE');
    expect(feed.messages.map((m) => m.amazonOrderId).sort()).toEqual(cancelled);
    expect(new Set(feed.messages.map((m) => m.messageId)).size).toBe(4);
    for (const message of feed.messages) {
      expect(message.statusCode).toBe('Failure');
      const order = fbmOrders.find((o) => o.orderId === message.amazonOrderId)!;
      expect(message.items.map((i) => i.amazonOrderItemCode).sort()).toEqual(order.orderItems.map((i) => i.orderItemId).sort());
      expect(message.items.every((i) => i.cancelReason === reasons[message.amazonOrderId])).toBe(true);
    }

    for (const [i, id] of cancelled.entries()) {
      const notification = notifications[i];
      expect(notification).toMatchObject({ kind: 'cancellation', state: 'sent', feedId: feed.feedId, lastError: null, amazonOrderId: id });
      expect(notification.amazonResponse).toMatchObject({ feedId: feed.feedId, processingStatus: 'DONE' });
      expect(feed.messages.find((m) => m.messageId === String(notification.amazonResponse.messageId))!.amazonOrderId).toBe(id);
      const atAmazon = (await running.sandbox('GET', `/_sandbox/orders/${id}`)).body.order;
      expect(atAmazon.fulfillment.fulfillmentStatus).toBe('CANCELLED');
      expect(atAmazon.orderItems[0].cancellation.cancellationExecution).toEqual({ cancelledBy: 'MERCHANT', cancelReason: reasons[id] });
    }
    for (const id of cancelled) {
      const order = await waitFor(async () => {
        const answer = await running.api('GET', `/api/v1/orders/${orders.get(id).id}`);
        return answer.body.amazonNotificationState === 'cancellation:sent' ? answer.body : undefined;
      }, { what: `order ${id} to show its cancellation sent` });
      expect(order).toMatchObject({ status: 'canceled', amazonNotificationError: null });
    }
    // Untouched orders stay open at Amazon.
    expect((await running.sandbox('GET', `/_sandbox/orders/${orderId(5)}`)).body.order.fulfillment.fulfillmentStatus).toBe('UNSHIPPED');
  });

  it('an order Amazon can no longer cancel fails with Amazon\'s message, the others of the same feed are sent', async () => {
    const shippedMeanwhile = orderId(5);
    const open = orderId(6);
    // Shipped at Amazon, still open here: the local cancellation is allowed, Amazon refuses it.
    expect((await running.sandbox('POST', `/_sandbox/orders/${shippedMeanwhile}/status`, { status: 'SHIPPED' })).status).toBe(200);
    const feedsBefore = (await ackFeeds()).length;
    const answers = await Promise.all([cancel(shippedMeanwhile, 'NoInventory'), cancel(open, 'NoInventory')]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);

    const failed = await waitFor(() => notificationOf(shippedMeanwhile, 'failed'), { timeoutMs: 60_000, what: 'the failed cancellation' });
    const sent = await waitFor(() => notificationOf(open, 'sent'), { timeoutMs: 60_000, what: 'the sent cancellation' });
    const feeds = (await ackFeeds()).slice(feedsBefore);
    expect(feeds).toHaveLength(1);
    expect(feeds[0].messages.map((m) => m.amazonOrderId).sort()).toEqual([shippedMeanwhile, open]);
    expect(failed).toMatchObject({ feedId: feeds[0].feedId });
    expect(sent).toMatchObject({ feedId: feeds[0].feedId, lastError: null });
    expect(failed.lastError).toBe(`18256: Order ${shippedMeanwhile} is Shipped and can no longer be cancelled.`);
    expect(failed.amazonResponse.results).toEqual([expect.objectContaining({ resultCode: 'Error', resultMessageCode: '18256', amazonOrderId: shippedMeanwhile })]);

    expect((await running.sandbox('GET', `/_sandbox/orders/${shippedMeanwhile}`)).body.order.fulfillment.fulfillmentStatus).toBe('SHIPPED');
    expect((await running.sandbox('GET', `/_sandbox/orders/${open}`)).body.order.fulfillment.fulfillmentStatus).toBe('CANCELLED');
    const order = await waitFor(async () => {
      const answer = await running.api('GET', `/api/v1/orders/${orders.get(shippedMeanwhile).id}`);
      return answer.body.amazonNotificationState === 'cancellation:failed' ? answer.body : undefined;
    }, { what: 'the order to show its cancellation failed' });
    expect(order.amazonNotificationError).toBe(failed.lastError);
  });

  it('a restart while Amazon processes the feed: the new process polls the recorded feed and submits nothing again', async () => {
    const id = orderId(7);
    // Feeds take 3 real seconds now, long enough to stop the service in between.
    expect((await running.sandbox('POST', '/_sandbox/clock', { timeScale: 1 })).status).toBe(200);
    const feedsBefore = (await ackFeeds()).length;
    expect((await cancel(id, 'NoInventory')).status).toBe(200);
    const submitted = await waitFor(async () => {
      const n = await notificationOf(id);
      return n?.feedId ? n : undefined;
    }, { intervalMs: 50, timeoutMs: 30_000, what: 'the cancellation to be in a feed' });
    expect(submitted.state).toBe('pending');
    await running.system.process('amazon-notifications').stop('SIGKILL');

    await waitFor(async () => (await ackFeeds()).find((f) => f.feedId === submitted.feedId)?.processingStatus === 'DONE', { timeoutMs: 30_000, what: 'the feed to finish while the service is down' });
    expect((await running.sandbox('POST', '/_sandbox/clock', { timeScale: 60 })).status).toBe(200);
    await running.system.process('amazon-notifications').start();

    const sent = await waitFor(() => notificationOf(id, 'sent'), { timeoutMs: 60_000, what: 'the cancellation to be sent after the restart' });
    expect(sent.feedId).toBe(submitted.feedId);
    expect(sent.attempts).toBe(1);
    const feeds = (await ackFeeds()).slice(feedsBefore);
    expect(feeds.map((f) => f.feedId)).toEqual([submitted.feedId]);
    expect((await running.sandbox('GET', `/_sandbox/orders/${id}`)).body.order.fulfillment.fulfillmentStatus).toBe('CANCELLED');
  });
});
