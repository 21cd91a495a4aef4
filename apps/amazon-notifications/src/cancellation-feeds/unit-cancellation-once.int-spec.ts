import { OrdersApiVersion } from '@connector/contracts';
import { waitFor } from '@connector/testing';
import { NotificationsHarness } from '../../test/notifications-harness';

/**
 * A unit cancellation reaches Amazon once, whatever became of createFeed's answer: the sandbox
 * (its own process, feeds 20x faster) makes the feed and loses the answer, or the submission
 * stopped before createFeed; the sender looks at the order through the account's Orders API
 * before sending it again. The SP-API client retries a failed call once on its own (so a
 * createFeed it did not retry shows).
 */
describe.each([OrdersApiVersion.V2026, OrdersApiVersion.V0])('a unit cancellation whose createFeed answer is lost (Orders API %s)', (ordersApi) => {
  const harness = new NotificationsHarness({ timeScale: 20, clientRetries: 1, ordersApi, settings: { NOTIFY_BACKOFF_BASE_MS: 20, NOTIFY_BACKOFF_MAX_MS: 150 } });
  const multiUnit: { amazonOrderId: string; orderItemId: string; quantityOrdered: number }[] = [];

  beforeAll(async () => {
    await harness.start();
    // Orders with an item of 2 units or more, one per test.
    for (const order of await harness.generateOrders(16, `once-${ordersApi}`)) {
      const item = (await harness.sandboxOrder(order.amazonOrderId)).orderItems.find((i) => i.quantityOrdered >= 2);
      if (item) multiUnit.push({ amazonOrderId: order.amazonOrderId, ...item });
    }
    expect(multiUnit.length).toBeGreaterThanOrEqual(3);
  }, 60_000);
  afterAll(() => harness.stop(), 60_000);

  const settled = (id: string) =>
    waitFor(
      async () => {
        const [row] = await harness.notifications([id]);
        return row.state !== 'pending' ? row : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50, what: 'the unit cancellation to be settled' },
    );
  const feedsOf = async (amazonOrderId: string) => (await harness.feeds()).filter((f) => f.feedType === 'POST_PAYMENT_ADJUSTMENT_DATA' && f.messages.some((m) => m.amazonOrderId === amazonOrderId));
  const quantityAtAmazon = async (amazonOrderId: string, orderItemId: string) => (await harness.sandboxOrder(amazonOrderId)).orderItems.find((i) => i.orderItemId === orderItemId)!.quantityOrdered;

  it('Amazon made the feed and its answer was lost: the units are cancelled once, the cancellation recorded as sent after a look at the order', async () => {
    const { amazonOrderId, orderItemId, quantityOrdered } = multiUnit[0];
    const createFeedBefore = await harness.calls('createFeed');
    await harness.sandboxRequest('POST', '/_sandbox/faults', { operation: 'createFeed', sellerId: harness.seller.sellerId, status: 503, count: 1, loseAnswer: true });
    const [id] = await harness.addUnitCancellations([{ amazonOrderId, items: [{ orderItemId, quantity: 1, quantityLeft: quantityOrdered - 1 }] }]);
    const sender = harness.newSender();
    sender.onApplicationBootstrap();

    const row = await settled(id);
    expect(row).toMatchObject({ state: 'sent', feedId: null, lastError: null });
    expect(row.feedDocumentId).not.toBeNull();
    expect(row.amazonResponse).toMatchObject({ appliedAtAmazon: true, items: [{ orderItemId, quantityOrdered: quantityOrdered - 1 }] });
    // The feed whose answer was lost was the only one, and the client did not try createFeed again on its own.
    const feeds = await feedsOf(amazonOrderId);
    expect(feeds).toHaveLength(1);
    expect(feeds[0].processingStatus).toBe('DONE');
    expect((await harness.calls('createFeed')).received - createFeedBefore.received).toBe(1);
    expect(await quantityAtAmazon(amazonOrderId, orderItemId)).toBe(quantityOrdered - 1);
    // Checked through the account's Orders API, after the feed was done (getFeeds).
    expect((await harness.calls(ordersApi === OrdersApiVersion.V0 ? 'getOrderItems' : 'getOrder2026')).calls).toBeGreaterThanOrEqual(1);
    expect((await harness.calls('getFeeds')).calls).toBeGreaterThanOrEqual(1);
    await sender.onApplicationShutdown();
  }, 40_000);

  it('the submission stopped before createFeed went out: the order shows nothing applied, so it is sent again, and cancelled once', async () => {
    const { amazonOrderId, orderItemId, quantityOrdered } = multiUnit[1];
    // As a submission leaves it when its process dies right after recording the document.
    const [id] = await harness.addUnitCancellations([{ amazonOrderId, items: [{ orderItemId, quantity: 1, quantityLeft: quantityOrdered - 1 }] }], {
      feedDocumentId: 'amzn1.tortuga.4.eu.never-in-a-feed',
      feedMessageId: 1,
      attempts: 1,
    });
    const sender = harness.newSender();
    sender.onApplicationBootstrap();

    const row = await settled(id);
    const feeds = await feedsOf(amazonOrderId);
    expect(feeds).toHaveLength(1);
    expect(row).toMatchObject({ state: 'sent', feedId: feeds[0].feedId, lastError: null, attempts: 2 });
    expect(row.feedDocumentId).not.toBe('amzn1.tortuga.4.eu.never-in-a-feed');
    expect(await quantityAtAmazon(amazonOrderId, orderItemId)).toBe(quantityOrdered - 1);
    await sender.onApplicationShutdown();
  }, 40_000);

  it('Amazon cannot be read: the cancellation stays pending, is never sent again unchecked, and is settled once Amazon answers', async () => {
    const { amazonOrderId, orderItemId, quantityOrdered } = multiUnit[2];
    await harness.sandboxRequest('POST', '/_sandbox/faults', { operation: 'getFeeds', sellerId: harness.seller.sellerId, status: 503 });
    const [id] = await harness.addUnitCancellations([{ amazonOrderId, items: [{ orderItemId, quantity: 1, quantityLeft: quantityOrdered - 1 }] }], {
      feedDocumentId: 'amzn1.tortuga.4.eu.answer-unknown',
      feedMessageId: 1,
      attempts: 1,
    });
    const sender = harness.newSender();
    sender.onApplicationBootstrap();
    const waiting = await waitFor(
      async () => {
        const [row] = await harness.notifications([id]);
        return row.outageTries >= 1 ? row : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50, what: 'a try to meet the outage' },
    );
    expect(waiting).toMatchObject({ state: 'pending', feedId: null, feedDocumentId: 'amzn1.tortuga.4.eu.answer-unknown' });
    expect(waiting.lastError).toMatch(/could not be read to check it/);
    expect(await feedsOf(amazonOrderId)).toHaveLength(0);
    await harness.sandboxRequest('DELETE', '/_sandbox/faults');

    const row = await settled(id);
    expect(row).toMatchObject({ state: 'sent', lastError: null });
    expect(await feedsOf(amazonOrderId)).toHaveLength(1);
    expect(await quantityAtAmazon(amazonOrderId, orderItemId)).toBe(quantityOrdered - 1);
    await sender.onApplicationShutdown();
  }, 40_000);
});

/**
 * The feed whose answer was lost is still in Amazon's queue when the sender looks again (the
 * sandbox's clock as Amazon's: a feed takes 3 s): the order shows nothing applied yet, so the
 * sender waits for the feed to finish instead of sending the units a second time.
 */
describe('a unit cancellation whose lost feed is still processing at Amazon', () => {
  const harness = new NotificationsHarness({ timeScale: 1, clientRetries: 1, settings: { NOTIFY_BACKOFF_BASE_MS: 20, NOTIFY_BACKOFF_MAX_MS: 150, FEED_POLL_MS: 1000 } });

  beforeAll(() => harness.start(), 60_000);
  afterAll(() => harness.stop(), 60_000);

  it('waits for the feed, then records the cancellation as sent: the units are cancelled once', async () => {
    let target: { amazonOrderId: string; orderItemId: string; quantityOrdered: number } | undefined;
    for (const order of await harness.generateOrders(16, 'once-processing')) {
      const item = (await harness.sandboxOrder(order.amazonOrderId)).orderItems.find((i) => i.quantityOrdered >= 2);
      if (item) target = { amazonOrderId: order.amazonOrderId, ...item };
    }
    const { amazonOrderId, orderItemId, quantityOrdered } = target!;
    await harness.sandboxRequest('POST', '/_sandbox/faults', { operation: 'createFeed', sellerId: harness.seller.sellerId, status: 503, count: 1, loseAnswer: true });
    const [id] = await harness.addUnitCancellations([{ amazonOrderId, items: [{ orderItemId, quantity: 1, quantityLeft: quantityOrdered - 1 }] }]);
    const sender = harness.newSender();
    sender.onApplicationBootstrap();

    const waiting = await waitFor(
      async () => {
        const [row] = await harness.notifications([id]);
        return row.lastError?.includes('still processing') ? row : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 20, what: 'the cancellation to wait for the feed' },
    );
    expect(waiting).toMatchObject({ state: 'pending', feedId: null });
    const row = await waitFor(
      async () => {
        const [found] = await harness.notifications([id]);
        return found.state !== 'pending' ? found : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50, what: 'the unit cancellation to be settled' },
    );
    expect(row).toMatchObject({ state: 'sent', feedId: null, lastError: null });
    const feeds = (await harness.feeds()).filter((f) => f.messages.some((m) => m.amazonOrderId === amazonOrderId));
    expect(feeds).toHaveLength(1);
    expect((await harness.sandboxOrder(amazonOrderId)).orderItems.find((i) => i.orderItemId === orderItemId)!.quantityOrdered).toBe(quantityOrdered - 1);
    await sender.onApplicationShutdown();
  }, 60_000);
});
