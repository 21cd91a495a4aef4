import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OrderIngestionSettings } from '../order-ingestion.settings';
import { OrderRecovery } from '../sync/order-recovery';
import { NotificationFlow } from './notification-flow';
import { OrderNotificationReader } from './order-notification-reader';

/**
 * After a batch failed because PostgreSQL was away, the reader stops receiving (each receive
 * counts toward the queue's maxReceiveCount) and probes the database until it answers. Fault
 * case 8 lost up to 16 s there after a 5 s outage: the probes backed off like failed reads of the
 * queue (a ceiling doubling to 30 s). Here on a fake clock, with the worst jitter draw each time.
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

  /** The reader's wait against a database that refuses connections until `backAt` (fake clock); answers when the wait ended and the probes made. */
  async function waitThrough(outageMs: number): Promise<{ backAt: number; endedAt: number; probes: number[] }> {
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
    let endedAt: number | undefined;
    const waiting = (reader as unknown as { untilDatabaseAnswers: () => Promise<void> }).untilDatabaseAnswers().then(() => (endedAt = Date.now()));
    while (endedAt === undefined) await jest.advanceTimersByTimeAsync(50);
    await waiting;
    return { backAt, endedAt, probes };
  }

  it.each([5_000, 20_000, 120_000])('reads on within about a second of the database answering again (away %i ms)', async (outageMs) => {
    const { backAt, endedAt } = await waitThrough(outageMs);
    // One probe interval (at most 1 s) and the fake clock's 50 ms step.
    expect(endedAt - backAt).toBeLessThanOrEqual(1050);
  });

  it('probes a database that stays away once a second at the worst draw, neither faster nor slower', async () => {
    const { probes } = await waitThrough(60_000);
    const gaps = probes.slice(1).map((at, i) => at - probes[i]);
    // The worst draw each time: the ceiling grows 250, 500 ms, then stays at a second.
    expect(gaps.slice(2).every((gap) => gap >= 950 && gap <= 1050)).toBe(true);
    expect(probes.length).toBeLessThanOrEqual(63);
  });
});
