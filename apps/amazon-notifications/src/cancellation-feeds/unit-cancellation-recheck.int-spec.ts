import { waitFor } from '@connector/testing';
import { NotificationsHarness } from '../../test/notifications-harness';

/**
 * A unit cancellation whose feed Amazon may have applied is never sent again without a look at
 * the order: neither when the poller cannot tell what became of it (here: getFeed answers 404
 * for a feed the sandbox made and applied), nor when a person retries it by hand after it failed.
 * Without the check the units are cancelled twice (the sandbox lowers quantityOrdered per feed).
 */
describe('a unit cancellation that may be applied at Amazon is checked before it is sent again', () => {
  const harness = new NotificationsHarness({ timeScale: 20, clientRetries: 1, settings: { NOTIFY_BACKOFF_BASE_MS: 20, NOTIFY_BACKOFF_MAX_MS: 150, NOTIFY_RETRY_HOURS: 0.0003 } });
  const multiUnit: { amazonOrderId: string; orderItemId: string; quantityOrdered: number }[] = [];

  beforeAll(async () => {
    await harness.start();
    for (const order of await harness.generateOrders(16, 'recheck')) {
      const item = (await harness.sandboxOrder(order.amazonOrderId)).orderItems.find((i) => i.quantityOrdered >= 3);
      if (item) multiUnit.push({ amazonOrderId: order.amazonOrderId, ...item });
    }
    expect(multiUnit.length).toBeGreaterThanOrEqual(2);
  }, 60_000);
  afterEach(() => harness.sandboxRequest('DELETE', '/_sandbox/faults'));
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
  /** The notification.failed events of a notification and the alerts raised for it (order-ingestion gives units back only when refusedByAmazon). */
  const failureOf = async (id: string) => ({
    events: (await harness.dataSource.query(`select payload from outbox where subject = 'notification.failed.v1' and payload->>'notificationId' = $1`, [id])).map((e: any) => e.payload),
    alerts: (await harness.dataSource.query(`select payload from outbox where subject = 'alert.raised.v1' and payload->'details'->>'notificationId' = $1`, [id])).map((e: any) => e.payload.summary),
  });

  it('Amazon forgets the feed it applied (getFeed 404): the order is looked at, the cancellation recorded as sent, not sent again', async () => {
    const { amazonOrderId, orderItemId, quantityOrdered } = multiUnit[0];
    await harness.sandboxRequest('POST', '/_sandbox/faults', { operation: 'getFeed', sellerId: harness.seller.sellerId, status: 404 });
    const [id] = await harness.addUnitCancellations([{ amazonOrderId, items: [{ orderItemId, quantity: 1, quantityLeft: quantityOrdered - 1 }] }]);
    const sender = harness.newSender();
    sender.onApplicationBootstrap();

    const row = await settled(id);
    expect(row).toMatchObject({ state: 'sent' });
    expect(row.amazonResponse).toMatchObject({ appliedAtAmazon: true, items: [{ orderItemId, quantityOrdered: quantityOrdered - 1 }] });
    expect(await feedsOf(amazonOrderId)).toHaveLength(1);
    expect(await quantityAtAmazon(amazonOrderId, orderItemId)).toBe(quantityOrdered - 1);
    await sender.onApplicationShutdown();
  }, 40_000);

  it('failed while Amazon could not be read, then retried by hand: it is checked again, and the units are cancelled once', async () => {
    const { amazonOrderId, orderItemId, quantityOrdered } = multiUnit[1];
    // The feed is made and its answer lost; then Amazon's feeds cannot be read for longer than NOTIFY_RETRY_HOURS.
    await harness.sandboxRequest('POST', '/_sandbox/faults', { operation: 'createFeed', sellerId: harness.seller.sellerId, status: 503, count: 1, loseAnswer: true });
    await harness.sandboxRequest('POST', '/_sandbox/faults', { operation: 'getFeeds', sellerId: harness.seller.sellerId, status: 503 });
    const [id] = await harness.addUnitCancellations([{ amazonOrderId, items: [{ orderItemId, quantity: 1, quantityLeft: quantityOrdered - 1 }] }]);
    const sender = harness.newSender();
    sender.onApplicationBootstrap();
    const failed = await settled(id);
    expect(failed.state).toBe('failed');
    expect(failed.feedDocumentId).not.toBeNull();
    // Amazon may have applied the lost feed: the units are not given back, and the alert says to check the order.
    expect(await failureOf(id)).toEqual({
      events: [expect.objectContaining({ cancellationId: expect.any(String), refusedByAmazon: false })],
      alerts: [expect.stringMatching(/Amazon may have applied it: its units stay cancelled on the order; check the order at Amazon/)],
    });
    await harness.sandboxRequest('DELETE', '/_sandbox/faults');

    const service = harness.notificationsService();
    await service.retry(id);
    const [retried] = await harness.notifications([id]);
    expect(retried.feedDocumentId).toBe(failed.feedDocumentId);
    const row = await settled(id);
    expect(row).toMatchObject({ state: 'sent' });
    expect(row.amazonResponse).toMatchObject({ appliedAtAmazon: true });
    expect(await feedsOf(amazonOrderId)).toHaveLength(1);
    expect(await quantityAtAmazon(amazonOrderId, orderItemId)).toBe(quantityOrdered - 1);

    // The bulk retry keeps the mark too.
    await harness.dataSource.query(`update notifications set state = 'failed' where id = $1`, [id]);
    expect(await service.retryFailed({ ids: [id] })).toMatchObject({ retried: 1 });
    const again = await settled(id);
    expect(again.amazonResponse).toMatchObject({ appliedAtAmazon: true });
    expect(await feedsOf(amazonOrderId)).toHaveLength(1);
    expect(await quantityAtAmazon(amazonOrderId, orderItemId)).toBe(quantityOrdered - 1);
    await sender.onApplicationShutdown();
  }, 40_000);

  it('createFeed refused outright (a 400): failed as surely refused, so its units are given back', async () => {
    const { amazonOrderId, orderItemId, quantityOrdered } = multiUnit[2] ?? multiUnit[0];
    await harness.sandboxRequest('POST', '/_sandbox/faults', { operation: 'createFeed', sellerId: harness.seller.sellerId, status: 400 });
    const [id] = await harness.addUnitCancellations([{ amazonOrderId, items: [{ orderItemId, quantity: 1, quantityLeft: quantityOrdered - 1 }] }]);
    const sender = harness.newSender();
    sender.onApplicationBootstrap();
    expect((await settled(id)).state).toBe('failed');
    await sender.onApplicationShutdown();
    expect(await failureOf(id)).toEqual({
      events: [expect.objectContaining({ refusedByAmazon: true, items: [{ orderItemId, quantity: 1 }] })],
      alerts: [expect.stringMatching(/its units are counted as not cancelled again/)],
    });
  }, 40_000);
});

/**
 * The wait for unfinished adjustment feeds before the check is bounded by NOTIFY_RETRY_HOURS
 * (here under a second; the sandbox at Amazon's pace takes 3 s per feed): once it outlasts it,
 * the unit cancellation fails for a person instead of waiting on (another tool's feeds could keep
 * it waiting for ever), and it is not sent again.
 */
describe('the wait for adjustment feeds before a unit cancellation is checked', () => {
  const harness = new NotificationsHarness({ timeScale: 1, clientRetries: 1, settings: { NOTIFY_BACKOFF_BASE_MS: 20, NOTIFY_BACKOFF_MAX_MS: 150, FEED_POLL_MS: 200, NOTIFY_RETRY_HOURS: 0.0002 } });

  beforeAll(() => harness.start(), 60_000);
  afterAll(() => harness.stop(), 60_000);

  it('ends after NOTIFY_RETRY_HOURS: failed for a person, never sent a second time', async () => {
    let target: { amazonOrderId: string; orderItemId: string; quantityOrdered: number } | undefined;
    for (const order of await harness.generateOrders(16, 'recheck-bounded')) {
      const item = (await harness.sandboxOrder(order.amazonOrderId)).orderItems.find((i) => i.quantityOrdered >= 2);
      if (item) target = { amazonOrderId: order.amazonOrderId, ...item };
    }
    const { amazonOrderId, orderItemId, quantityOrdered } = target!;
    await harness.sandboxRequest('POST', '/_sandbox/faults', { operation: 'createFeed', sellerId: harness.seller.sellerId, status: 503, count: 1, loseAnswer: true });
    const [id] = await harness.addUnitCancellations([{ amazonOrderId, items: [{ orderItemId, quantity: 1, quantityLeft: quantityOrdered - 1 }] }]);
    const sender = harness.newSender();
    sender.onApplicationBootstrap();
    const row = await waitFor(
      async () => {
        const [found] = await harness.notifications([id]);
        return found.state !== 'pending' ? found : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 20, what: 'the unit cancellation to be settled' },
    );
    expect(row.state).toBe('failed');
    expect(row.lastError).toMatch(/still processing at Amazon for .* h: check order/);
    await sender.onApplicationShutdown();
    // An unknown outcome: order-ingestion keeps the units cancelled and flags the order.
    const events = await harness.dataSource.query(`select payload from outbox where subject = 'notification.failed.v1' and payload->>'notificationId' = $1`, [id]);
    expect(events.map((e: any) => e.payload.refusedByAmazon)).toEqual([false]);
    // The feed whose answer was lost is the only one (still in Amazon's queue, its messages not read yet).
    expect((await harness.feeds()).filter((f) => f.feedType === 'POST_PAYMENT_ADJUSTMENT_DATA')).toHaveLength(1);
  }, 40_000);
});
