import { Logger } from '@nestjs/common';
import { waitFor } from '@connector/testing';
import { workContext, WorkContext } from '@connector/workers';
import { createFeedDocument, createFeed, uploadFeedDocument } from '@connector/sp-api';
import { NOTIFICATION_FAILED, NOTIFICATION_SENT } from '@connector/contracts';
import { NotificationsHarness } from '../../test/notifications-harness';
import { buildOrderAcknowledgementFeed, ORDER_ACKNOWLEDGEMENT_FEED_TYPE } from './order-acknowledgement-feed';

/** The cancellation sender against real PostgreSQL and the sandbox as its own process (feeds 20x faster). */
describe('CancellationSender', () => {
  const harness = new NotificationsHarness({ timeScale: 20, settings: { NOTIFY_MAX_ATTEMPTS: 3 } });

  beforeAll(() => harness.start(), 60_000);
  afterAll(() => harness.stop(), 60_000);

  const finished = (ids: string[]) =>
    waitFor(
      async () => {
        const rows = await harness.notifications(ids);
        return rows.every((n) => n.state !== 'pending') ? rows : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50, what: 'every notification to be sent or failed' },
    );

  /** A feed submitted directly, as the sender would have before a crash. */
  async function submitDirectly(content: string): Promise<string> {
    const client = await harness.amazon.client(harness.accountId);
    const document = await createFeedDocument(client);
    await uploadFeedDocument(document.url, content);
    return (await createFeed(client, { feedType: ORDER_ACKNOWLEDGEMENT_FEED_TYPE, marketplaceIds: [harness.marketplaceId], inputFeedDocumentId: document.feedDocumentId })).feedId;
  }

  it('sends every due cancellation of an account and marketplace in one feed and gives each order its own outcome', async () => {
    const open = await harness.generateOrders(5, 'int-open');
    const [shipped] = await harness.generateOrders(1, 'int-shipped', 'SHIPPED');
    const ids = await harness.addCancellations([...open, { ...shipped, reason: 'BuyerCanceled' }]);
    const feedsBefore = (await harness.feeds()).length;
    const sender = harness.newSender();
    sender.onApplicationBootstrap();

    const rows = await finished(ids);
    const feeds = (await harness.feeds()).slice(feedsBefore);
    expect(feeds).toHaveLength(1);
    expect(feeds[0].feedType).toBe('POST_ORDER_ACKNOWLEDGEMENT_DATA');
    expect(feeds[0].messages.map((m) => m.amazonOrderId).sort()).toEqual([...open, shipped].map((o) => o.amazonOrderId).sort());
    expect(feeds[0].messages.every((m) => m.statusCode === 'Failure')).toBe(true);

    const byOrder = new Map(rows.map((n) => [n.amazonOrderId, n]));
    for (const order of open) {
      const n = byOrder.get(order.amazonOrderId)!;
      expect(n).toMatchObject({ state: 'sent', feedId: feeds[0].feedId, lastError: null, attempts: 1 });
      const message = feeds[0].messages.find((m) => m.messageId === String(n.feedMessageId))!;
      expect(message.amazonOrderId).toBe(order.amazonOrderId);
      expect(message.items!.map((i) => i.amazonOrderItemCode)).toEqual(order.orderItemIds);
      expect(message.items!.every((i) => i.cancelReason === 'NoInventory')).toBe(true);
      expect((await harness.sandboxRequest('GET', `/_sandbox/orders/${order.amazonOrderId}`)).body.order.fulfillment.fulfillmentStatus).toBe('CANCELLED');
    }
    const failed = byOrder.get(shipped.amazonOrderId)!;
    expect(failed).toMatchObject({ state: 'failed', feedId: feeds[0].feedId });
    expect(failed.lastError).toMatch(/18256: Order .* is Shipped and can no longer be cancelled/);
    expect(failed.amazonResponse).toMatchObject({ feedId: feeds[0].feedId, messageId: failed.feedMessageId, results: [expect.objectContaining({ resultCode: 'Error' })] });
    expect(new Set(rows.map((n) => n.feedMessageId)).size).toBe(6);

    const events = await harness.dataSource.query(`select subject, payload from outbox where payload->>'notificationId' = any($1)`, [ids]);
    expect(events.filter((e: any) => e.subject === NOTIFICATION_SENT.subject)).toHaveLength(5);
    expect(events.filter((e: any) => e.subject === NOTIFICATION_FAILED.subject)).toEqual([expect.objectContaining({ payload: expect.objectContaining({ kind: 'cancellation', state: 'failed', error: failed.lastError }) })]);
    await sender.onApplicationShutdown();
  });

  it('after a restart, polls a feed it had submitted and never submits those cancellations again', async () => {
    const orders = await harness.generateOrders(2, 'int-restart');
    const feedId = await submitDirectly(buildOrderAcknowledgementFeed(harness.seller.sellerId, orders.map((o, i) => ({ messageId: i + 1, amazonOrderId: o.amazonOrderId, reason: 'NoInventory', orderItemIds: o.orderItemIds }))));
    // The state a crash leaves: feed recorded, outcome unknown, claim lease run out.
    const ids = await harness.addCancellations(orders, { attempts: 1, feedId, feedStatus: 'IN_QUEUE', feedDocumentId: 'recorded' });
    await harness.dataSource.query(`update notifications set feed_message_id = case id when $1::uuid then 1 else 2 end where id = any($2::uuid[])`, [ids[0], ids]);
    const feedsBefore = (await harness.feeds()).length;

    const restarted = harness.newSender();
    restarted.onApplicationBootstrap();
    const rows = await finished(ids);
    expect(rows.map((n) => [n.state, n.feedId, n.attempts])).toEqual([
      ['sent', feedId, 1],
      ['sent', feedId, 1],
    ]);
    expect((await harness.feeds()).length).toBe(feedsBefore);
    await restarted.onApplicationShutdown();
  });

  it('puts the orders of a FATAL feed back for a new feed, which then sends them', async () => {
    const orders = await harness.generateOrders(2, 'int-fatal');
    const fatalFeedId = await submitDirectly('this is not XML');
    const ids = await harness.addCancellations(orders, { attempts: 1, feedId: fatalFeedId, feedStatus: 'IN_QUEUE' });
    await harness.dataSource.query(`update notifications set feed_message_id = case id when $1::uuid then 1 else 2 end where id = any($2::uuid[])`, [ids[0], ids]);
    const feedsBefore = (await harness.feeds()).length;

    const sender = harness.newSender();
    sender.onApplicationBootstrap();
    const rows = await finished(ids);
    const feeds = (await harness.feeds()).slice(feedsBefore);
    expect(feeds).toHaveLength(1);
    expect(feeds[0].messages.map((m) => m.amazonOrderId).sort()).toEqual(orders.map((o) => o.amazonOrderId).sort());
    expect(rows.every((n) => n.state === 'sent' && n.feedId === feeds[0].feedId && n.attempts === 2 && n.lastError === null)).toBe(true);
    for (const order of orders) expect((await harness.sandboxRequest('GET', `/_sandbox/orders/${order.amazonOrderId}`)).body.order.fulfillment.fulfillmentStatus).toBe('CANCELLED');
    await sender.onApplicationShutdown();
  });

  it('gives up after NOTIFY_MAX_ATTEMPTS feeds that say nothing about the order, with the reason', async () => {
    const [order] = await harness.generateOrders(1, 'int-give-up');
    const fatalFeedId = await submitDirectly('still not XML');
    const [id] = await harness.addCancellations([order], { attempts: 3, feedId: fatalFeedId, feedMessageId: 1, feedStatus: 'IN_QUEUE' });
    const feedsBefore = (await harness.feeds()).length;
    const warnings: { message: string; context: WorkContext }[] = [];
    const spy = jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push({ message: String(message), context: workContext() }));
    const sender = harness.newSender();
    sender.onApplicationBootstrap();
    const [row] = await finished([id]).finally(() => spy.mockRestore());
    expect(row.state).toBe('failed');
    expect(row.lastError).toMatch(new RegExp(`feed ${fatalFeedId} ended FATAL: 5001: XML parsing error.*gave up after 3 attempts`));
    // Giving up is said once, at warn, under the order's context.
    expect(warnings.filter((w) => w.message.includes('failed for good'))).toEqual([
      {
        message: expect.stringMatching(new RegExp(`^the cancellation of order ${order.amazonOrderId} failed for good \\(feed ${fatalFeedId}\\): feed ${fatalFeedId} ended FATAL: 5001`)),
        context: expect.objectContaining({ accountId: harness.accountId, amazonOrderId: order.amazonOrderId }),
      },
    ]);
    expect((await harness.feeds()).length).toBe(feedsBefore);
    await sender.onApplicationShutdown();
  });

  it('rides out throttling and server errors of the Feeds API without losing or doubling a cancellation', async () => {
    const orders = await harness.generateOrders(3, 'int-faults');
    await harness.sandboxRequest('POST', '/_sandbox/faults', { operation: 'createFeed', status: 503, count: 2 });
    await harness.sandboxRequest('POST', '/_sandbox/faults', { operation: 'getFeed', throttleStorm: { count: 3 } });
    const ids = await harness.addCancellations(orders);
    const feedsBefore = (await harness.feeds()).length;
    const sender = harness.newSender();
    sender.onApplicationBootstrap();
    const rows = await finished(ids);
    const calls = (await harness.sandboxRequest('GET', `/_sandbox/calls?sellerId=${harness.seller.sellerId}`)).body.operations;
    expect(calls.createFeed.errors).toBeGreaterThanOrEqual(2);
    expect(calls.getFeed.throttled).toBeGreaterThanOrEqual(3);
    await harness.sandboxRequest('DELETE', '/_sandbox/faults');
    expect(rows.every((n) => n.state === 'sent')).toBe(true);
    const feeds = (await harness.feeds()).slice(feedsBefore);
    expect(feeds).toHaveLength(1);
    expect(feeds[0].messages).toHaveLength(3);
    await sender.onApplicationShutdown();
  });
});
