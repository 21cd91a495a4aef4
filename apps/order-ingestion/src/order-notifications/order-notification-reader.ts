import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DeleteMessageBatchCommand, Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { counter, SETTINGS, ServiceError } from '@connector/platform';
import { backoffDelay, housekeeping, inNewWorkContext, inWorkContext, isDependencyOutage, PeriodicWorker, sleep } from '@connector/workers';
import { DataSource } from 'typeorm';
import { OrderIngestionSettings } from '../order-ingestion.settings';
import { OrderRecovery } from '../sync/order-recovery';
import { NotificationFlow } from './notification-flow';
import { HandledOrderNotification } from './order-notifications.entities';
import { parseOrderChange, OrderChange } from './order-change-notification';

/** SQS waits at most 20 s for a message (long polling) and hands out at most 10 at a time. */
const WAIT_TIME_SECONDS = 20;
const MAX_MESSAGES = 10;
/** SQS keeps a message at most 14 days: a NotificationId handled longer ago cannot come again. */
const HANDLED_KEPT_DAYS = 14;
/** Between failed reads of the queue (SQS or the network away): full jitter under a ceiling doubling up to 30 s. */
const READ_BACKOFF = { baseMs: 500, maxMs: 30_000 };

export const orderNotificationsHandled = counter({
  name: 'connector_order_notifications_total',
  help: 'ORDER_CHANGE notifications read from the queue, by outcome: fetched (order fetched and stored), duplicate, unknown_seller, ignored (another type), invalid, failed (left on the queue for another try; SQS moves it to the dead-letter queue after maxReceiveCount)',
  labelNames: ['outcome'],
});

type Outcome = 'fetched' | 'duplicate' | 'unknown_seller' | 'ignored' | 'invalid' | 'failed';

/**
 * Reads Amazon's ORDER_CHANGE notifications from the SQS queue (one loop per process: long
 * polling, up to 10 at a time) and fetches each named order at once through "recover one order"
 * (getOrder, paced with every call of the account; the sync's writer, which never lets an older
 * copy overwrite a newer one). A message is deleted once its order is stored; one that fails is
 * left, so SQS shows it again after the visibility timeout and, after the queue's maxReceiveCount,
 * moves it to the dead-letter queue. A duplicate (its NotificationId handled before) is deleted
 * without a call.
 */
@Injectable()
export class OrderNotificationReader implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('OrderNotifications');
  private sqs?: SQSClient;
  private loop?: Promise<void>;
  private readonly abort = new AbortController();
  private pruning?: PeriodicWorker;

  constructor(
    private readonly dataSource: DataSource,
    private readonly recovery: OrderRecovery,
    private readonly flow: NotificationFlow,
    @Inject(SETTINGS) private readonly settings: OrderIngestionSettings,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.settings.notificationsEnabled) return;
    const s = this.settings;
    this.sqs = new SQSClient({
      region: s.SQS_REGION,
      ...(s.SQS_ENDPOINT ? { endpoint: s.SQS_ENDPOINT } : {}),
      // Both empty: the SDK's default chain (environment, instance or task role).
      ...(s.SQS_ACCESS_KEY_ID ? { credentials: { accessKeyId: s.SQS_ACCESS_KEY_ID, secretAccessKey: s.SQS_SECRET_ACCESS_KEY } } : {}),
      maxAttempts: 1,
    });
    this.loop = this.run();
    this.pruning = housekeeping('handled order notifications pruning', () => this.dataSource, () => this.dataSource.query(`delete from order_notifications where handled_at < now() - make_interval(days => $1)`, [HANDLED_KEPT_DAYS]), (message) => this.logger.warn(message));
    this.pruning.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    // Messages received and not yet deleted show again after their visibility timeout: nothing is lost.
    this.abort.abort();
    await this.pruning?.stop();
    await this.loop;
    this.sqs?.destroy();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.abort.signal.aborted) {
      let messages: Message[];
      try {
        const answer = await this.sqs!.send(
          new ReceiveMessageCommand({
            QueueUrl: this.settings.ORDER_NOTIFICATIONS_QUEUE_URL,
            MaxNumberOfMessages: MAX_MESSAGES,
            WaitTimeSeconds: WAIT_TIME_SECONDS,
            ...(this.settings.SQS_VISIBILITY_TIMEOUT_SECONDS ? { VisibilityTimeout: this.settings.SQS_VISIBILITY_TIMEOUT_SECONDS } : {}),
            MessageSystemAttributeNames: ['ApproximateReceiveCount'],
          }),
          { abortSignal: this.abort.signal },
        );
        messages = answer.Messages ?? [];
        this.flow.read();
        if (failures) this.logger.log(`order notifications queue read again after ${failures} failed read(s)`);
        failures = 0;
      } catch (err) {
        if (this.abort.signal.aborted) return;
        failures++;
        const delay = backoffDelay(failures, READ_BACKOFF);
        if (failures === 1 || failures % 10 === 0) this.logger.warn(`order notifications queue could not be read (${describe(err)}); trying again in ${delay} ms`);
        await sleep(delay);
        continue;
      }
      if (!messages.length) continue;
      const outage = await inNewWorkContext({}, () => this.handleBatch(messages)).catch((err) => (this.logger.warn(`order notifications not handled: ${describe(err)}`), isDependencyOutage(err)));
      // Every receive counts toward the queue's maxReceiveCount: reading on at once while the
      // database is away would move the notifications to the dead-letter queue, lost to the connector.
      if (outage) await this.untilDatabaseAnswers();
    }
  }

  /** Waits, with back-off, until PostgreSQL answers again (or the reader stops). */
  private async untilDatabaseAnswers(): Promise<void> {
    for (let attempt = 1; !this.abort.signal.aborted; attempt++) {
      await sleep(backoffDelay(attempt, READ_BACKOFF));
      try {
        await this.dataSource.query('select 1');
        this.logger.log(`order notifications read again: the database answers after ${attempt} attempt(s)`);
        return;
      } catch (err) {
        if (attempt === 1 || attempt % 10 === 0) this.logger.warn(`order notifications wait for the database (${describe(err)})`);
      }
    }
  }

  /** Handles a batch; answers whether a notification failed because a dependency (the database, Amazon) was away. */
  private async handleBatch(messages: Message[]): Promise<boolean> {
    let outage = false;
    const outcomes = await Promise.all(
      messages.map((m) =>
        this.handle(m).catch((err): Outcome => {
          if (isDependencyOutage(err)) outage = true;
          this.logger.warn(`order notification ${m.MessageId} failed: ${describe(err)}`);
          return 'failed';
        }),
      ),
    );
    const done = messages.filter((_, i) => outcomes[i] !== 'failed' && outcomes[i] !== 'invalid');
    for (const outcome of outcomes) orderNotificationsHandled.inc({ outcome });
    if (!done.length) return outage;
    try {
      const answer = await this.sqs!.send(new DeleteMessageBatchCommand({ QueueUrl: this.settings.ORDER_NOTIFICATIONS_QUEUE_URL, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
      // A message not deleted shows again; its NotificationId is recorded, so it is then deleted without a call.
      for (const failed of answer.Failed ?? []) this.logger.warn(`order notification ${done[Number(failed.Id)]?.MessageId} not deleted from the queue: ${failed.Code}`);
    } catch (err) {
      this.logger.warn(`order notifications not deleted from the queue (${describe(err)}); handled ones come again and are skipped`);
    }
    return outage;
  }

  /** One message: its order fetched and stored, or why not. Never logs the body (it holds the buyer's postal code). */
  private async handle(message: Message): Promise<Outcome> {
    const parsed = parseOrderChange(message.Body);
    if (parsed === 'other-type') return 'ignored';
    if (typeof parsed === 'string') {
      // Left on the queue: after maxReceiveCount SQS moves it to the dead-letter queue, where it can be looked at.
      this.logger.warn(`order notification ${message.MessageId} is not an ORDER_CHANGE notification this connector can read (${parsed}); left for the dead-letter queue`);
      return 'invalid';
    }
    return inWorkContext({ amazonOrderId: parsed.amazonOrderId }, () => this.fetch(parsed));
  }

  private async fetch(change: OrderChange): Promise<Outcome> {
    const seen = await this.dataSource.getRepository(HandledOrderNotification).exists({ where: { notificationId: change.notificationId } });
    if (seen) return 'duplicate';
    const accounts: { id: string; marketplace_ids: string[] }[] = await this.dataSource.query(
      `select id, marketplace_ids from seller_accounts where seller_id = $1 and deleted_at is null and sync_enabled`,
      [change.sellerId],
    );
    // A seller id has one account per region: the one selling in the order's marketplace, else each.
    const inMarketplace = accounts.filter((a) => change.marketplaceId && a.marketplace_ids.includes(change.marketplaceId));
    const targets = inMarketplace.length ? inMarketplace : accounts;
    if (!targets.length) {
      this.logger.warn(`order notification for seller ${change.sellerId}, which no account with sync on has; deleted`);
      return 'unknown_seller';
    }
    for (const account of targets) {
      await inWorkContext({ accountId: account.id }, async () => {
        try {
          await this.recovery.recover({ accountId: account.id, amazonOrderId: change.amazonOrderId });
        } catch (err) {
          // 422: fetched, and not an order the connector keeps (pending, quarantined): handled as the sync would.
          if (!(err instanceof ServiceError && err.body.statusCode === 422)) throw err;
        }
      });
    }
    await this.dataSource.transaction(async (manager) => {
      await manager.createQueryBuilder().insert().into(HandledOrderNotification).values({ notificationId: change.notificationId, accountId: targets[0].id, amazonOrderId: change.amazonOrderId, eventTime: change.eventTime, handledAt: new Date() }).orIgnore().execute();
      await manager.query(`update order_change_subscriptions set last_notification_at = now() where account_id = any($1)`, [targets.map((t) => t.id)]);
    });
    return 'fetched';
  }
}

function describe(err: unknown): string {
  if (err instanceof ServiceError) return `${err.body.statusCode} ${err.body.message}`;
  const e = err as { name?: string; message?: string };
  return `${e?.name ?? 'Error'}: ${String(e?.message ?? err).slice(0, 300)}`;
}
