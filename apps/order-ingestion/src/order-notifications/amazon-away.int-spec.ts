import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { waitFor } from '@connector/testing';
import { IngestionDatabase, insertSellerAccount } from '../../test/ingestion-database';
import { OrderIngestionSettings } from '../order-ingestion.settings';
import { AmazonAwayError, OrderRecovery } from '../sync/order-recovery';
import { NotificationFlow } from './notification-flow';
import { OrderNotificationReader } from './order-notification-reader';

const outageFor = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A queue with SQS's counting: each receive of a message counts, and a message received
 * maxReceiveCount times already is moved to the dead-letter queue at its next receive (the redrive
 * policy); a receive hides it for the visibility timeout, ChangeMessageVisibility moves that.
 */
class CountingQueue {
  readonly messages = new Map<string, { body: string; receives: number; visibleAt: number; handle: string }>();
  readonly deadLetters: string[] = [];

  constructor(private readonly maxReceiveCount: number) {}

  add(id: string, body: string): void {
    this.messages.set(id, { body, receives: 0, visibleAt: 0, handle: '' });
  }

  receives(id: string): number {
    return this.messages.get(id)?.receives ?? -1;
  }

  async send(command: { constructor: { name: string }; input: { ReceiptHandle?: string; VisibilityTimeout?: number; WaitTimeSeconds?: number } }, options?: { abortSignal?: AbortSignal }): Promise<unknown> {
    const { input } = command;
    switch (command.constructor.name) {
      case 'ReceiveMessageCommand': {
        // Long polling, shortened: up to a second for a visible message.
        for (const until = Date.now() + 1000; Date.now() < until && !options?.abortSignal?.aborted; await new Promise((r) => setTimeout(r, 20))) {
          const now = Date.now();
          const visible = [...this.messages.entries()].filter(([, m]) => m.visibleAt <= now).slice(0, 10);
          const received = [];
          for (const [id, m] of visible) {
            if (m.receives >= this.maxReceiveCount) {
              this.messages.delete(id);
              this.deadLetters.push(id);
              continue;
            }
            m.receives++;
            m.visibleAt = now + (input.VisibilityTimeout ?? 30) * 1000;
            m.handle = randomUUID();
            received.push({ MessageId: id, ReceiptHandle: m.handle, Body: m.body, Attributes: { ApproximateReceiveCount: String(m.receives) } });
          }
          if (received.length) return { Messages: received };
        }
        if (options?.abortSignal?.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
        return {};
      }
      case 'ChangeMessageVisibilityCommand': {
        const found = [...this.messages.values()].find((m) => m.handle === input.ReceiptHandle);
        if (found) found.visibleAt = Date.now() + (input.VisibilityTimeout ?? 0) * 1000;
        return {};
      }
      case 'DeleteMessageCommand': {
        for (const [id, m] of this.messages) if (m.handle === input.ReceiptHandle) this.messages.delete(id);
        return {};
      }
      default:
        throw new Error(`${command.constructor.name} is not emulated`);
    }
  }

  destroy(): void {}
}

/**
 * Amazon's SP-API away while SQS answers: the notification's getOrder fails with a 503 (after the
 * client's retries), again and again. Each receive counts toward the queue's maxReceiveCount, so a
 * reader that let the message show again would dead-letter it within seconds (visibility 1 s,
 * maxReceiveCount 3); the reader holds it instead, stops receiving, and fetches it once Amazon
 * answers: received once, never dead-lettered. Past its hold, the account syncs soon instead.
 */
describe('order notifications while Amazon (SP-API) is away and SQS answers (real PostgreSQL, a counting queue)', () => {
  const database = new IngestionDatabase();
  let db: DataSource;
  const settings = { ORDER_NOTIFICATIONS_QUEUE_URL: 'http://127.0.0.1:1/000000000000/order-changes', SQS_VISIBILITY_TIMEOUT_SECONDS: 1, notificationsEnabled: true } as unknown as OrderIngestionSettings;
  const sellerId = 'A2AWAY000001';
  const otherSellerId = 'A2AWAY000002';
  let accountId: string;
  let otherAccountId: string;
  let amazonAway = true;
  /** Accounts Amazon throttles on and on (429 after the client's retries) while it answers the others. */
  const throttled = new Set<string>();
  let getOrders = 0;
  const getOrdersOf = new Map<string, number>();
  const recovery = {
    recover: async ({ accountId: of }: { accountId: string }, fetched?: (copy: { amazonUpdatedAt: Date | null }) => void) => {
      getOrders++;
      getOrdersOf.set(of, (getOrdersOf.get(of) ?? 0) + 1);
      if (throttled.has(of)) throw new AmazonAwayError({ statusCode: 429, error: 'Too Many Requests', message: 'Amazon is throttling getOrder for this account; try again in a minute (getOrder: 429 QuotaExceeded)' });
      if (amazonAway) throw new AmazonAwayError({ statusCode: 503, error: 'Service Unavailable', message: 'Amazon could not be reached or failed; try again later (getOrder: 503 ServiceUnavailable)' });
      const amazonUpdatedAt = new Date().toISOString();
      fetched?.({ amazonUpdatedAt: new Date(amazonUpdatedAt) });
      return { amazonUpdatedAt };
    },
  } as unknown as OrderRecovery;
  let queue: CountingQueue;
  let reader: OrderNotificationReader;

  const body = (amazonOrderId: string, notificationId: string, of = sellerId) =>
    JSON.stringify({
      NotificationType: 'ORDER_CHANGE',
      EventTime: new Date(Date.now() - 5_000).toISOString(),
      Payload: { OrderChangeNotification: { SellerId: of, AmazonOrderId: amazonOrderId, OrderChangeTrigger: { TimeOfOrderChange: new Date(Date.now() - 5_000).toISOString() }, Summary: { OrderStatus: 'Shipped', FulfillmentType: 'MFN' } } },
      NotificationMetadata: { NotificationId: notificationId },
    });
  const handled = async (notificationId: string) => (await db.query(`select 1 from ingestion.order_notifications where notification_id = $1`, [notificationId])).length > 0;

  const startReader = (holdMs?: number) => {
    reader = new OrderNotificationReader(db, recovery, new NotificationFlow(settings), settings);
    if (holdMs !== undefined) reader.amazonAwayHoldMs = holdMs;
    const internals = reader as unknown as { sqs: unknown; loop: Promise<void>; run: () => Promise<void> };
    internals.sqs = queue;
    internals.loop = internals.run();
  };

  beforeAll(async () => {
    db = await database.setUp();
    accountId = await insertSellerAccount(db, { name: 'amazon away', sellerId, syncIntervalSeconds: 86400 });
    otherAccountId = await insertSellerAccount(db, { name: 'amazon away too', sellerId: otherSellerId, syncIntervalSeconds: 86400 });
  });

  beforeEach(() => {
    queue = new CountingQueue(3);
    amazonAway = true;
    throttled.clear();
    getOrders = 0;
    getOrdersOf.clear();
  });

  afterEach(async () => {
    await reader?.beforeApplicationShutdown();
  });

  afterAll(async () => {
    await database.tearDown();
  });

  it('holds the notification while getOrder fails, past the redrive count of a reader that let it show again, then fetches it: received once, not dead-lettered', async () => {
    queue.add('m-1', body('305-2000001-0000001', 'away-1'));
    startReader();
    await waitFor(async () => (getOrders >= 3 ? true : undefined), { timeoutMs: 20_000, what: 'getOrder to fail three times' });
    // The outage's length is the input, not an outcome waited for: longer than three receives one
    // second apart take, so a reader that let the message show again would have dead-lettered it.
    await outageFor(5_000);
    expect(queue.deadLetters).toEqual([]);
    expect(queue.receives('m-1')).toBe(1);
    expect(await handled('away-1')).toBe(false);

    amazonAway = false;
    await waitFor(async () => ((await handled('away-1')) && !queue.messages.size ? true : undefined), { timeoutMs: 40_000, what: 'the held notification fetched and deleted' });
    expect(queue.deadLetters).toEqual([]);
  }, 60_000);

  it('past its hold: the account syncs soon instead and the message is deleted, not dead-lettered; the next one after a single try', async () => {
    await db.query(`update ingestion.seller_accounts set next_sync_at = now() + interval '1 day' where id = $1`, [accountId]);
    queue.add('m-2', body('305-2000001-0000002', 'away-2'));
    startReader(2_000);
    await waitFor(async () => ((await handled('away-2')) && !queue.messages.size ? true : undefined), { timeoutMs: 30_000, what: 'the notification given up on for a sync' });
    expect(queue.deadLetters).toEqual([]);
    expect(getOrders).toBeGreaterThanOrEqual(2);
    const [{ s }] = await db.query(`select extract(epoch from next_sync_at - now()) as s from ingestion.seller_accounts where id = $1`, [accountId]);
    // 150 s after the change, which was 5 s (and the hold) ago.
    expect(Number(s)).toBeLessThan(150);

    // Amazon still away: the next notification is not held again, it goes to the sync after one try.
    const triesBefore = getOrders;
    queue.add('m-3', body('305-2000001-0000003', 'away-3'));
    await waitFor(async () => ((await handled('away-3')) && !queue.messages.size ? true : undefined), { timeoutMs: 30_000, what: 'the next notification turned into a sync' });
    expect(getOrders - triesBefore).toBe(1);
    // Another account's first notification in the same outage of all of Amazon: not a hold of its own either.
    queue.add('m-4', body('305-2000002-0000004', 'away-4', otherSellerId));
    await waitFor(async () => ((await handled('away-4')) && !queue.messages.size ? true : undefined), { timeoutMs: 30_000, what: 'the other account\'s notification turned into a sync' });
    expect(getOrdersOf.get(otherAccountId)).toBe(1);
    expect(queue.deadLetters).toEqual([]);
  }, 60_000);

  it('one account throttled on and on while Amazon answers the others: held once, and another account\'s fetch going through does not start its hold again', async () => {
    amazonAway = false;
    throttled.add(accountId);
    queue.add('t-1', body('305-2000003-0000001', 'throttled-1'));
    startReader(2_000);
    await waitFor(async () => ((await handled('throttled-1')) && !queue.messages.size ? true : undefined), { timeoutMs: 30_000, what: 'the throttled account\'s notification given up on for a sync' });
    expect(getOrdersOf.get(accountId)).toBeGreaterThanOrEqual(2);

    queue.add('o-1', body('305-2000003-0000002', 'other-1', otherSellerId));
    await waitFor(async () => ((await handled('other-1')) && !queue.messages.size ? true : undefined), { timeoutMs: 30_000, what: 'the other account\'s notification fetched' });
    // The throttled account's next notification after one try: the reading is not stopped for it again.
    const triesBefore = getOrdersOf.get(accountId)!;
    queue.add('t-2', body('305-2000003-0000003', 'throttled-2'));
    await waitFor(async () => ((await handled('throttled-2')) && !queue.messages.size ? true : undefined), { timeoutMs: 30_000, what: 'the throttled account\'s next notification turned into a sync' });
    expect(getOrdersOf.get(accountId)! - triesBefore).toBe(1);

    // Amazon answers the account again: its next notification is fetched, and a later failure is held again.
    throttled.delete(accountId);
    queue.add('t-3', body('305-2000003-0000004', 'throttled-3'));
    await waitFor(async () => ((await handled('throttled-3')) && !queue.messages.size ? true : undefined), { timeoutMs: 30_000, what: 'the account\'s notification fetched once Amazon answers it' });
    throttled.add(accountId);
    const triesThen = getOrdersOf.get(accountId)!;
    queue.add('t-4', body('305-2000003-0000005', 'throttled-4'));
    await waitFor(async () => (getOrdersOf.get(accountId)! - triesThen >= 2 ? true : undefined), { timeoutMs: 30_000, what: 'the account\'s notification held again' });
    expect(queue.deadLetters).toEqual([]);
  }, 60_000);
});
