import { Logger } from '@nestjs/common';
import { waitFor } from '@connector/testing';
import { workContext, WorkContext } from '@connector/workers';
import { NotificationKind } from '@connector/contracts';
import { NotificationsHarness } from '../../test/notifications-harness';
import { Notification } from '../notifications/notification.entity';
import { notificationsHealth } from '../notifications/notifications-health';

/**
 * The shipment confirmation sender against real PostgreSQL and the sandbox as its own process
 * (its clock 20x faster), with a short back-off and the SP-API client's own retries off, so
 * each try of the sender is one call to Amazon.
 */
describe('ShipmentConfirmationSender', () => {
  const harness = new NotificationsHarness({
    timeScale: 20,
    clientRetries: 0,
    settings: { NOTIFY_POLL_MS: 50, NOTIFY_BACKOFF_BASE_MS: 20, NOTIFY_BACKOFF_MAX_MS: 150, NOTIFY_MAX_ATTEMPTS: 3, NOTIFY_CLAIM_SECONDS: 5 },
  });

  beforeAll(() => harness.start(), 60_000);
  afterAll(() => harness.stop(), 60_000);
  afterEach(() => harness.sandboxRequest('DELETE', '/_sandbox/faults'));

  const settled = (ids: string[], timeoutMs = 30_000) =>
    waitFor(
      async () => {
        const rows = await harness.notifications(ids);
        return rows.every((n) => n.state !== 'pending') ? rows : undefined;
      },
      { timeoutMs, intervalMs: 50, what: 'every confirmation to be sent or failed' },
    );
  const confirmCalls = async () => (await harness.sandboxRequest('GET', `/_sandbox/calls?sellerId=${harness.seller.sellerId}`)).body.operations.confirmShipment ?? { received: 0, calls: 0, throttled: 0, errors: 0 };

  it('rides out an Amazon outage far longer than the old give-up (429s, then 503s) and sends the confirmation once', async () => {
    const [order] = await harness.generateOrders(1, 'ship-outage');
    // 26 calls in a row refused: the old sender gave up after NOTIFY_MAX_ATTEMPTS (12 by default, 3 here).
    await harness.sandboxRequest('POST', '/_sandbox/faults', { operation: 'confirmShipment', sellerId: harness.seller.sellerId, throttleStorm: { count: 10 } });
    await harness.sandboxRequest('POST', '/_sandbox/faults', { operation: 'confirmShipment', sellerId: harness.seller.sellerId, status: 503, count: 16 });
    const before = await confirmCalls();
    const [id] = await harness.addShipmentConfirmations([order]);
    const sender = harness.newShipmentSender();
    sender.onApplicationBootstrap();

    const [row] = await settled([id]);
    expect(row).toMatchObject({ state: 'sent', attempts: 27, outageTries: 26, lastError: null });
    const after = await confirmCalls();
    expect(after.throttled - before.throttled).toBe(10);
    expect(after.errors - before.errors).toBe(16);
    expect(await harness.shipments(order.amazonOrderId)).toEqual([expect.objectContaining({ packageReferenceId: '1', count: 1 })]);
    await sender.onApplicationShutdown();
  });

  it('fails at once what Amazon refuses (a 4xx), without retrying it', async () => {
    const [order] = await harness.generateOrders(1, 'ship-refused');
    const [id] = await harness.addShipmentConfirmations([{ ...order, orderItemIds: ['99999999999999'] }]);
    const warnings: { message: string; context: WorkContext }[] = [];
    const spy = jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push({ message: String(message), context: workContext() }));
    const sender = harness.newShipmentSender();
    sender.onApplicationBootstrap();
    const [row] = await settled([id]).finally(() => spy.mockRestore());
    expect(row).toMatchObject({ state: 'failed', attempts: 1, outageTries: 0 });
    expect(row.lastError).toMatch(/confirmShipment: 400/);
    // Failed for good: one warn line, under the order's context, with Amazon's status and code and its message bounded.
    const failedLines = warnings.filter((w) => w.message.includes('failed for good'));
    expect(failedLines).toEqual([
      {
        message: expect.stringMatching(new RegExp(`^the shipment confirmation of order ${order.amazonOrderId} failed for good \\(Amazon's answer to confirmShipment: 400 \\w+\\): confirmShipment: 400`)),
        context: expect.objectContaining({ accountId: harness.accountId, amazonOrderId: order.amazonOrderId }),
      },
    ]);
    expect(failedLines[0].message.length).toBeLessThan(450);
    expect(await harness.shipments(order.amazonOrderId)).toEqual([]);
    await sender.onApplicationShutdown();
  });

  it('fails one whose outage outlasted NOTIFY_RETRY_HOURS; the bulk retry (filtered) sends it once Amazon is back', async () => {
    const [stuck, other] = await harness.generateOrders(2, 'ship-horizon');
    await harness.sandboxRequest('POST', '/_sandbox/faults', { operation: 'confirmShipment', sellerId: harness.seller.sellerId, status: 500 });
    const [id] = await harness.addShipmentConfirmations([stuck]);
    const sender = harness.newShipmentSender();
    sender.onApplicationBootstrap();
    await waitFor(async () => ((await harness.notifications([id]))[0].outageTries >= 2 ? true : undefined), { timeoutMs: 20_000, what: 'tries that met the outage' });
    const [pending] = await harness.notifications([id]);
    expect(pending).toMatchObject({ state: 'pending', lastError: expect.stringMatching(/500/) });
    expect(pending.retryingSince).not.toBeNull();
    // Health tells of it, without calling the service unhealthy (restarting it would not end Amazon's outage).
    expect(await notificationsHealth(harness.dataSource)).toEqual({ healthy: true, detail: expect.stringMatching(new RegExp(`1 kept from Amazon by an outage since ${pending.retryingSince!.toISOString()}`)) });
    // As if the outage had lasted a week and a hour.
    await harness.dataSource.query(`update notifications set retrying_since = now() - interval '169 hours' where id = $1`, [id]);
    const [failed] = await settled([id]);
    expect(failed.state).toBe('failed');
    expect(failed.lastError).toMatch(/Amazon out of reach for 169(\.\d)? h; gave up after \d+ tries/);
    // When it failed for good, for the order's timeline.
    expect(failed.decidedAt).toBeInstanceOf(Date);

    // Another failed one of the same account that the filter leaves alone.
    const [untouched] = await harness.addShipmentConfirmations([other]);
    await harness.dataSource.query(`update notifications set state = 'failed', last_error = 'kept' where id = $1`, [untouched]);
    await harness.sandboxRequest('DELETE', '/_sandbox/faults');
    const service = harness.notificationsService();
    expect(await service.retryFailed({ accountId: harness.accountId, kind: NotificationKind.Cancellation })).toEqual({ retried: 0, ids: [] });
    expect(await service.retryFailed({ accountId: harness.accountId, kind: NotificationKind.ShipmentConfirmation, ids: [id] })).toEqual({ retried: 1, ids: [id] });
    const [sent] = await settled([id]);
    expect(sent).toMatchObject({ state: 'sent', attempts: 1, outageTries: 0, retryingSince: null, decidedAt: sent.sentAt });
    expect(sent.decidedAt!.getTime()).toBeGreaterThan(failed.decidedAt!.getTime());
    expect(await harness.shipments(stuck.amazonOrderId)).toEqual([expect.objectContaining({ count: 1 })]);
    expect((await harness.notifications([untouched]))[0]).toMatchObject({ state: 'failed', lastError: 'kept' });
    await sender.onApplicationShutdown();
  });

  it('keeps its claim alive through an answer slower than the claim: a second replica never sends it too', async () => {
    const [order] = await harness.generateOrders(1, 'ship-slow');
    // Amazon answers after 8 s; the claim lasts 5 s (NOTIFY_CLAIM_SECONDS).
    await harness.sandboxRequest('POST', '/_sandbox/faults', { operation: 'confirmShipment', sellerId: harness.seller.sellerId, latencyMs: 8000 });
    const before = await confirmCalls();
    const [id] = await harness.addShipmentConfirmations([order]);
    const first = harness.newShipmentSender();
    const second = harness.newShipmentSender();
    first.onApplicationBootstrap();
    second.onApplicationBootstrap();

    const [row] = await settled([id]);
    expect(row).toMatchObject({ state: 'sent', attempts: 1 });
    expect((await confirmCalls()).received - before.received).toBe(1);
    expect(await harness.shipments(order.amazonOrderId)).toEqual([expect.objectContaining({ count: 1 })]);
    await Promise.all([first.onApplicationShutdown(), second.onApplicationShutdown()]);
  }, 30_000);

  it('hands back at shutdown what is still waiting for its quota: another replica sends it at once, nothing twice', async () => {
    const orders = await harness.generateOrders(24, 'ship-shutdown');
    const before = await confirmCalls();
    const ids = await harness.addShipmentConfirmations(orders);
    // Amazon's own pace (2 per second after a burst of 10): most of the batch waits for its token.
    const stopping = harness.newShipmentSender({ rateScale: 1 });
    stopping.onApplicationBootstrap();
    await waitFor(async () => ((await confirmCalls()).received - before.received >= 10 ? true : undefined), { timeoutMs: 10_000, what: 'the burst to go out' });
    await stopping.onApplicationShutdown();

    const rows = await harness.notifications(ids);
    const handedBack = rows.filter((n) => n.state === 'pending');
    expect(handedBack.length).toBeGreaterThan(5);
    // Due now (not after the claim), and the claim did not count as a try.
    for (const n of handedBack) {
      expect(n.nextAttemptAt!.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
      expect(n.attempts).toBe(0);
    }

    const next = harness.newShipmentSender();
    next.onApplicationBootstrap();
    const done = await settled(ids, 4000);
    expect(done.every((n: Notification) => n.state === 'sent')).toBe(true);
    expect((await confirmCalls()).received - before.received).toBe(24);
    for (const order of orders) expect(await harness.shipments(order.amazonOrderId)).toEqual([expect.objectContaining({ count: 1 })]);
    await next.onApplicationShutdown();
  }, 30_000);
});
