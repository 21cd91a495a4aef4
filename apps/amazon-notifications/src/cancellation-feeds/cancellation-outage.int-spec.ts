import { waitFor } from '@connector/testing';
import { NotificationsHarness } from '../../test/notifications-harness';

/**
 * Cancellations through an Amazon outage longer than the old give-up: the sandbox refuses
 * createFeed again and again (the SP-API client's own retries off, a short back-off), and the
 * cancellations end up sent, together in one feed, without anyone retrying them.
 */
describe('CancellationSender through an Amazon outage', () => {
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
});
