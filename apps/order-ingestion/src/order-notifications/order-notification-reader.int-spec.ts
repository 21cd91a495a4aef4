import { Message } from '@aws-sdk/client-sqs';
import { DataSource } from 'typeorm';
import { IngestionDatabase, insertSellerAccount } from '../../test/ingestion-database';
import { OrderIngestionSettings } from '../order-ingestion.settings';
import { OrderRecovery } from '../sync/order-recovery';
import { NotificationFlow } from './notification-flow';
import { OrderNotificationReader } from './order-notification-reader';

/**
 * The reader against real PostgreSQL and a recording SQS: a message's visibility is extended while
 * its fetch waits, each is deleted as soon as it is done (not after the slowest of its batch), and
 * a notification getOrder answers with the order as before the change is shown again soon, then,
 * at its third receive, makes the account sync soon and is deleted.
 */
describe('order notification reader (real PostgreSQL, recorded SQS calls)', () => {
  const database = new IngestionDatabase();
  let db: DataSource;
  const settings = { ORDER_NOTIFICATIONS_QUEUE_URL: 'http://127.0.0.1:1/000000000000/order-changes', SQS_VISIBILITY_TIMEOUT_SECONDS: 1, notificationsEnabled: true } as unknown as OrderIngestionSettings;
  const sellerId = 'A2READER0001';
  let accountId: string;
  /** Per order id: how long getOrder takes and the LastUpdateDate of the copy it answers. */
  const amazon = new Map<string, { latencyMs: number; amazonUpdatedAt: string }>();
  const recovery = {
    recover: async ({ amazonOrderId }: { amazonOrderId: string }, fetched?: (copy: { amazonUpdatedAt: Date | null }) => void) => {
      const { latencyMs, amazonUpdatedAt } = amazon.get(amazonOrderId)!;
      await new Promise((resolve) => setTimeout(resolve, latencyMs)); // Amazon's answer time, simulated
      fetched?.({ amazonUpdatedAt: new Date(amazonUpdatedAt) });
      return { amazonUpdatedAt };
    },
  } as unknown as OrderRecovery;
  let calls: { command: string; handle?: string; visibility?: number; at: number }[];
  let reader: OrderNotificationReader;

  const message = (id: string, amazonOrderId: string, changedAt: string, receives = 1): Message => ({
    MessageId: id,
    ReceiptHandle: `handle-${id}`,
    Attributes: { ApproximateReceiveCount: String(receives) },
    Body: JSON.stringify({
      NotificationType: 'ORDER_CHANGE',
      EventTime: changedAt,
      Payload: { OrderChangeNotification: { SellerId: sellerId, AmazonOrderId: amazonOrderId, OrderChangeTrigger: { TimeOfOrderChange: changedAt }, Summary: { OrderStatus: 'Shipped', FulfillmentType: 'MFN' } } },
      NotificationMetadata: { NotificationId: `notification-${id}` },
    }),
  });
  const handled = async (id: string) => (await db.query(`select 1 from ingestion.order_notifications where notification_id = $1`, [`notification-${id}`])).length > 0;

  beforeAll(async () => {
    db = await database.setUp();
    accountId = await insertSellerAccount(db, { name: 'reader', sellerId, syncIntervalSeconds: 86400 });
  });

  beforeEach(() => {
    calls = [];
    reader = new OrderNotificationReader(db, recovery, new NotificationFlow(settings), settings);
    (reader as unknown as { sqs: unknown }).sqs = {
      send: async (command: { constructor: { name: string }; input: { ReceiptHandle?: string; VisibilityTimeout?: number } }) => {
        calls.push({ command: command.constructor.name, handle: command.input.ReceiptHandle, visibility: command.input.VisibilityTimeout, at: Date.now() });
        return {};
      },
    };
  });

  afterAll(async () => {
    await database.tearDown();
  });

  const handleBatch = (messages: Message[]) => (reader as unknown as { handleBatch: (m: Message[]) => Promise<void> }).handleBatch(messages);

  it('keeps a slow message invisible while it is fetched and deletes a fast one of the same batch at once', async () => {
    const at = new Date(Date.now() - 60_000).toISOString();
    amazon.set('305-1000001-0000001', { latencyMs: 10, amazonUpdatedAt: at });
    amazon.set('305-1000001-0000002', { latencyMs: 1500, amazonUpdatedAt: at });
    await handleBatch([message('fast', '305-1000001-0000001', at), message('slow', '305-1000001-0000002', at)]);
    const deleted = (handle: string) => calls.find((c) => c.command === 'DeleteMessageCommand' && c.handle === handle);
    expect(deleted('handle-fast')).toBeDefined();
    expect(deleted('handle-slow')).toBeDefined();
    const heartbeats = calls.filter((c) => c.command === 'ChangeMessageVisibilityCommand' && c.handle === 'handle-slow');
    // A third of the one-second timeout apart for the 1.5 s fetch: the message never showed again.
    expect(heartbeats.length).toBeGreaterThanOrEqual(3);
    expect(heartbeats.every((h) => h.visibility === 1)).toBe(true);
    expect(deleted('handle-fast')!.at).toBeLessThan(heartbeats[heartbeats.length - 1].at);
    expect(await handled('fast')).toBe(true);
    expect(await handled('slow')).toBe(true);
  });

  it('a copy from before the notified change: shown again soon, not recorded; at the third receive the account syncs soon and the message goes', async () => {
    const changedAt = new Date(Date.now() - 10_000).toISOString();
    amazon.set('305-1000001-0000003', { latencyMs: 5, amazonUpdatedAt: new Date(Date.parse(changedAt) - 3_600_000).toISOString() });
    await db.query(`update ingestion.seller_accounts set next_sync_at = now() + interval '1 day' where id = $1`, [accountId]);

    await handleBatch([message('stale-1', '305-1000001-0000003', changedAt, 1)]);
    expect(calls.filter((c) => c.command === 'DeleteMessageCommand')).toHaveLength(0);
    expect(calls).toContainEqual(expect.objectContaining({ command: 'ChangeMessageVisibilityCommand', handle: 'handle-stale-1', visibility: 1 }));
    expect(await handled('stale-1')).toBe(false);

    await handleBatch([message('stale-1', '305-1000001-0000003', changedAt, 3)]);
    expect(calls).toContainEqual(expect.objectContaining({ command: 'DeleteMessageCommand', handle: 'handle-stale-1' }));
    expect(await handled('stale-1')).toBe(true);
    const [{ s }] = await db.query(`select extract(epoch from next_sync_at - now()) as s from ingestion.seller_accounts where id = $1`, [accountId]);
    // 150 s after the change, which was 10 s ago.
    expect(Number(s)).toBeLessThanOrEqual(145);
  });
});
