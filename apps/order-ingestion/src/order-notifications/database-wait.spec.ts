import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OrderIngestionSettings } from '../order-ingestion.settings';
import { OrderRecovery } from '../sync/order-recovery';
import { NotificationFlow } from './notification-flow';
import { OrderNotificationReader } from './order-notification-reader';

/**
 * After a batch failed because PostgreSQL was away, the reader stops receiving (each receive
 * counts toward the queue's maxReceiveCount) and probes the database until it answers. When the
 * probes backed off like failed reads of the queue (a ceiling doubling to 30 s), a 5 s outage could
 * hold the reader up to 30 s in theory, 13 s measured in fault case 8. Here on a fake clock, with
 * the worst jitter draw each time.
 */
describe('order notification reader waiting for the database', () => {
  const settings = { ORDER_NOTIFICATIONS_QUEUE_URL: 'http://127.0.0.1:1/000000000000/order-changes', notificationsEnabled: true } as unknown as OrderIngestionSettings;

  beforeEach(() => {
    jest.useFakeTimers();
    jest.spyOn(Math, 'random').mockReturnValue(0.999);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  /** The reader waiting for a database that refuses connections until `backAt` (fake clock): the probes' times, and when the wait ended. */
  function startWaiting(outageMs: number) {
    const backAt = Date.now() + outageMs;
    const probes: number[] = [];
    const dataSource = {
      query: async () => {
        probes.push(Date.now());
        if (Date.now() < backAt) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
        return [{ '?column?': 1 }];
      },
    } as unknown as DataSource;
    const reader = new OrderNotificationReader(dataSource, {} as OrderRecovery, new NotificationFlow(settings), settings);
    const wait: { endedAt?: number } = {};
    const waiting = (reader as unknown as { untilDatabaseAnswers: () => Promise<void> }).untilDatabaseAnswers().then(() => void (wait.endedAt = Date.now()));
    return { reader, backAt, probes, wait, waiting };
  }

  /** The reader's wait through an outage of `outageMs`: when the database was back, when the wait ended, the probes made. */
  async function waitThrough(outageMs: number): Promise<{ backAt: number; endedAt: number; probes: number[] }> {
    const { backAt, probes, wait, waiting } = startWaiting(outageMs);
    while (wait.endedAt === undefined) await jest.advanceTimersByTimeAsync(50);
    await waiting;
    return { backAt, endedAt: wait.endedAt, probes };
  }

  it.each([5_000, 20_000, 120_000])('reads on within about a second of the database answering again (away %i ms)', async (outageMs) => {
    const { backAt, endedAt } = await waitThrough(outageMs);
    // One probe interval (at most 1 s) and the fake clock's 50 ms step.
    expect(endedAt - backAt).toBeLessThanOrEqual(1050);
  });

  it('probes a database that stays away once a second at the worst draw, neither faster nor slower', async () => {
    const { probes } = await waitThrough(60_000);
    const gaps = probes.slice(1).map((at, i) => at - probes[i]);
    // The worst draw (0.999 of the ceiling) each time: the ceiling grows 250, 500 ms, then stays
    // at a second. The first probe 249 ms after the wait began, the second 499 ms after it.
    expect(gaps).toEqual([499, ...Array<number>(gaps.length - 1).fill(999)]);
    expect(probes.length).toBeLessThanOrEqual(63);
  });

  it('ends the wait at once when the reader stops during the outage, with no probe after the stop', async () => {
    const { reader, probes, wait, waiting } = startWaiting(600_000);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(wait.endedAt).toBeUndefined();
    const probesBeforeStop = probes.length;
    const stoppedAt = Date.now();
    // Nothing else was started (onApplicationBootstrap never called: no loop, no SQS client).
    await reader.beforeApplicationShutdown();
    // The clock not moved (only what is due now runs): the stop cut the probe interval short rather than waiting it out.
    await jest.advanceTimersByTimeAsync(0);
    expect(wait.endedAt).toBe(stoppedAt);
    await waiting;
    expect(probes.length).toBe(probesBeforeStop);
    expect(jest.getTimerCount()).toBe(0);
  });
});
