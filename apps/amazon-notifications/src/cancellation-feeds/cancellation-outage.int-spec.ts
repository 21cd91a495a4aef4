import { waitFor } from '@connector/testing';
import { NotificationsHarness } from '../../test/notifications-harness';

/**
 * Cancellations through an Amazon outage longer than the old give-up: the sandbox refuses
 * createFeed again and again (the SP-API client's own retries off, a short back-off), and the
 * cancellations end up sent, together in one feed, without anyone retrying them.
 */
describe('CancellationSender through an Amazon outage and a shutdown', () => {
  const harness = new NotificationsHarness({ timeScale: 20, clientRetries: 0, settings: { NOTIFY_MAX_ATTEMPTS: 3, NOTIFY_BACKOFF_BASE_MS: 20, NOTIFY_BACKOFF_MAX_MS: 150 } });

  beforeAll(() => harness.start(), 60_000);
  afterAll(() => harness.stop(), 60_000);

  it('keeps submitting through 8 refused createFeed calls (NOTIFY_MAX_ATTEMPTS is 3) and sends each cancellation once', async () => {
    const orders = await harness.generateOrders(3, 'outage');
    await harness.sandboxRequest('POST', '/_sandbox/faults', { operation: 'createFeed', sellerId: harness.seller.sellerId, status: 503, count: 8 });
    const ids = await harness.addCancellations(orders);
    const sender = harness.newSender();
    sender.onApplicationBootstrap();

    const rows = await waitFor(
      async () => {
        const found = await harness.notifications(ids);
        return found.every((n) => n.state !== 'pending') ? found : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50, what: 'every cancellation to be sent or failed' },
    );
    const calls = (await harness.sandboxRequest('GET', `/_sandbox/calls?sellerId=${harness.seller.sellerId}`)).body.operations;
    expect(calls.createFeed.errors).toBe(8);
    const feeds = await harness.feeds();
    expect(feeds).toHaveLength(1);
    expect(feeds[0].messages.map((m) => m.amazonOrderId).sort()).toEqual(orders.map((o) => o.amazonOrderId).sort());
    for (const n of rows) expect(n).toMatchObject({ state: 'sent', feedId: feeds[0].feedId, attempts: 9, outageTries: 8, retryingSince: null, lastError: null });
    await sender.onApplicationShutdown();
  });

  it('hands back at shutdown the cancellations of a submission still under way: another replica sends them at once, in one feed', async () => {
    const orders = await harness.generateOrders(2, 'shutdown');
    const calls = async () => (await harness.sandboxRequest('GET', `/_sandbox/calls?sellerId=${harness.seller.sellerId}`)).body.operations.createFeedDocument ?? { received: 0, calls: 0 };
    const feedsBefore = (await harness.feeds()).length;
    const before = await calls();
    // Amazon is slow to make the feed document: the submission is under way when the service stops.
    await harness.sandboxRequest('POST', '/_sandbox/faults', { operation: 'createFeedDocument', sellerId: harness.seller.sellerId, latencyMs: 6000 });
    const ids = await harness.addCancellations(orders);
    const stopping = harness.newSender();
    stopping.onApplicationBootstrap();
    await waitFor(async () => ((await calls()).received > before.received ? true : undefined), { timeoutMs: 10_000, what: 'the submission to be under way' });
    await stopping.onApplicationShutdown();

    for (const n of await harness.notifications(ids)) {
      expect(n).toMatchObject({ state: 'pending', attempts: 0, feedId: null, feedDocumentId: null });
      // Due now, not after the claim (120 s).
      expect(n.nextAttemptAt!.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    }
    await harness.sandboxRequest('DELETE', '/_sandbox/faults');
    const next = harness.newSender();
    next.onApplicationBootstrap();
    const rows = await waitFor(
      async () => {
        const found = await harness.notifications(ids);
        return found.every((n) => n.state === 'sent') ? found : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 50, what: 'the cancellations to be sent by the other replica' },
    );
    // The stopped replica's submission, answered meanwhile, went no further than its document.
    await waitFor(async () => ((await calls()).calls - before.calls >= 2 ? true : undefined), { timeoutMs: 10_000, what: 'both document calls to be answered' });
    const feeds = (await harness.feeds()).slice(feedsBefore);
    expect(feeds).toHaveLength(1);
    expect(feeds[0].messages.map((m) => m.amazonOrderId).sort()).toEqual(orders.map((o) => o.amazonOrderId).sort());
    expect(rows.every((n) => n.feedId === feeds[0].feedId && n.attempts === 1)).toBe(true);
    await next.onApplicationShutdown();
  }, 40_000);
});
