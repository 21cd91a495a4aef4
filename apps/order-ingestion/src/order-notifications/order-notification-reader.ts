import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { counter, SETTINGS, ServiceError } from '@connector/platform';
import { backoffDelay, housekeeping, inNewWorkContext, inWorkContext, isDependencyOutage, PeriodicWorker, sleep } from '@connector/workers';
import { DataSource } from 'typeorm';
import { OrderIngestionSettings } from '../order-ingestion.settings';
import { AmazonAwayError, OrderRecovery } from '../sync/order-recovery';
import { syncSoon } from '../sync/sync-soon';
import { NotificationFlow } from './notification-flow';
import { HandledOrderNotification } from './order-notifications.entities';
import { parseOrderChange, OrderChange } from './order-change-notification';

/** SQS waits at most 20 s for a message (long polling) and hands out at most 10 at a time. */
const WAIT_TIME_SECONDS = 20;
const MAX_MESSAGES = 10;
/** SQS keeps a message at most 14 days: a NotificationId handled longer ago cannot come again. */
const HANDLED_KEPT_DAYS = 14;
/** SQS's own default visibility timeout, assumed when SQS_VISIBILITY_TIMEOUT_SECONDS leaves it to the queue. */
const DEFAULT_VISIBILITY_SECONDS = 30;
/** Messages of a batch handled at once: the rest wait their turn (their visibility kept by the heartbeat). */
const HANDLING_CONCURRENCY = 4;
/** A notification whose order Amazon still answered as before the change shows again this soon (getOrder catches up in seconds). */
const STALE_RETRY_SECONDS = 10;
/**
 * At this receive of a notification still answered with the order as before the change, the
 * account is synced soon instead (the sync window reaches the change once searchOrders shows it)
 * and the message is deleted: it never goes to the dead-letter queue for Amazon's lag (with the
 * queue's maxReceiveCount at least this, as README asks).
 */
const STALE_RECEIVES_BEFORE_RESYNC = 3;
/** The sync window ends this long before now (AMAZON_VISIBILITY_DELAY_MS, with a margin): the resync runs once the change is inside it. */
const RESYNC_AFTER_CHANGE_SECONDS = 150;
/** Statuses of an order the connector does not keep (yet): a 422 for them is the answer, not a stale copy. */
const NOT_KEPT_STATUSES = new Set(['Pending', 'PendingAvailability', 'Canceled']);
/** Between failed reads of the queue (SQS or the network away): full jitter under a ceiling doubling up to 30 s. */
const READ_BACKOFF = { baseMs: 500, maxMs: 30_000 };
/**
 * Between probes of the database while the reader waits for it to read on: at most a second, so
 * the reader reads again within about a second of PostgreSQL's return. READ_BACKOFF here could
 * hold the notifications back up to 30 s after a 5 s outage in theory (its ceiling: six short
 * draws can pass within the outage), 13 s measured in fault case 8; one `select 1` a second per
 * process costs the database nothing, and the jitter still spreads the replicas.
 */
const DATABASE_PROBE_BACKOFF = { baseMs: 250, maxMs: 1000 };
/**
 * getOrder failing because Amazon is away (5xx, 429, no connection, after the client's own
 * retries): the notification is held (kept invisible) and fetched again with this back-off, and the
 * queue is not read meanwhile, for at most AMAZON_AWAY_HOLD_MS per account and outage (counted
 * from the account's first failure, or from the start of an outage of every account); then its
 * account syncs soon instead and the message is deleted. Each receive counts toward maxReceiveCount: receiving it
 * again for Amazon's outage would dead-letter a notification that was never at fault.
 */
const AMAZON_AWAY_BACKOFF = { baseMs: 1000, maxMs: 30_000 };
export const AMAZON_AWAY_HOLD_MS = 3 * 60_000;

export const orderNotificationsHandled = counter({
  name: 'connector_order_notifications_total',
  help: 'ORDER_CHANGE notifications read from the queue, by outcome: fetched (order fetched and stored), duplicate, unknown_seller, ignored (another type), invalid, failed (left on the queue for another try; SQS moves it to the dead-letter queue after maxReceiveCount), stale (getOrder still answered the order as before the change: shown again soon), resync (stale too often, or Amazon away longer than the reader holds a notification: the account synced soon instead)',
  labelNames: ['outcome'],
});

type Outcome = 'fetched' | 'duplicate' | 'unknown_seller' | 'ignored' | 'invalid' | 'failed' | 'stale' | 'resync';
/** Outcomes whose message stays on the queue. */
const KEPT: ReadonlySet<Outcome> = new Set(['failed', 'invalid', 'stale']);

/**
 * Reads Amazon's ORDER_CHANGE notifications from the SQS queue (one loop per process: long
 * polling, up to 10 at a time) and fetches each named order at once through "recover one order"
 * (getOrder, paced with every call of the account; the sync's writer, which never lets an older
 * copy overwrite a newer one). Each message is deleted as soon as its order is stored, and its
 * visibility is extended while it is handled (a message waiting for the account's getOrder quota
 * never shows again to be fetched twice). One that fails is left, so SQS shows it again after the
 * visibility timeout and, after the queue's maxReceiveCount, moves it to the dead-letter queue.
 * getOrder is eventually consistent: a copy from before the notification's TimeOfOrderChange is
 * not taken as the change; the message shows again in seconds, and at its third receive the
 * account is synced soon instead. A duplicate (its NotificationId handled before) is deleted
 * without a call. While Amazon is away (getOrder 5xx, 429, no connection) a notification is held,
 * not failed: see AMAZON_AWAY_BACKOFF.
 */
@Injectable()
export class OrderNotificationReader implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('OrderNotifications');
  private sqs?: SQSClient;
  private loop?: Promise<void>;
  private readonly abort = new AbortController();
  private pruning?: PeriodicWorker;
  /** How long a notification is held while Amazon is away (a field so a test can shorten it). */
  amazonAwayHoldMs = AMAZON_AWAY_HOLD_MS;
  /**
   * Per account, since when its getOrder has failed for Amazon's outage, with no answer for the
   * account since: its hold counts from it, not per message. Per account because Amazon throttles
   * (429) per seller and app and can fail one order (5xx): another account's fetch going through
   * does not start a throttled account's hold afresh, so it stops the reading once per episode.
   */
  private readonly amazonAwaySince = new Map<string, number>();
  /**
   * Since when every fetch has failed for Amazon's outage (none answered since, whatever the
   * account): an account whose first failure falls in it starts from it, so an outage of all of
   * Amazon holds the reading once, not once per account.
   */
  private amazonAwayForAllSince?: number;

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
      region: s.sqsRegion,
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
        // Cut short by the stop: a container's grace period is shorter than READ_BACKOFF's ceiling.
        await sleep(delay, this.abort.signal);
        continue;
      }
      if (!messages.length) continue;
      const outage = await inNewWorkContext({}, () => this.handleBatch(messages)).catch((err) => (this.logger.warn(`order notifications not handled: ${describe(err)}`), isDependencyOutage(err)));
      // Every receive counts toward the queue's maxReceiveCount: reading on at once while the
      // database is away would move the notifications to the dead-letter queue, lost to the connector.
      if (outage) await this.untilDatabaseAnswers();
    }
  }

  /**
   * Handles a batch, a few at a time; answers whether a notification failed because a dependency
   * (the database, Amazon) was away, so the loop stops receiving (each receive counts towards the
   * queue's maxReceiveCount) until the database answers.
   */
  private async handleBatch(messages: Message[]): Promise<boolean> {
    // Every message of the batch kept invisible from the start: one waiting its turn behind a
    // notification held while Amazon is away must not show again meanwhile.
    const heartbeats = new Map(messages.map((m) => [m, this.keepInvisible(m)]));
    const waiting = [...messages];
    let outage = false;
    const lane = async () => {
      for (let message = waiting.shift(); message; message = waiting.shift()) if (await this.handleOne(message, heartbeats.get(message)!)) outage = true;
    };
    try {
      await Promise.all(Array.from({ length: Math.min(HANDLING_CONCURRENCY, messages.length) }, lane));
    } finally {
      for (const heartbeat of heartbeats.values()) clearInterval(heartbeat);
    }
    return outage;
  }

  /** Waits, with back-off, until PostgreSQL answers again (or the reader stops: then at once, without another probe, which may wait out the connect timeout). */
  private async untilDatabaseAnswers(): Promise<void> {
    for (let attempt = 1; !this.abort.signal.aborted; attempt++) {
      await sleep(backoffDelay(attempt, DATABASE_PROBE_BACKOFF), this.abort.signal);
      if (this.abort.signal.aborted) return;
      try {
        await this.dataSource.query('select 1');
        this.logger.log(`order notifications read again: the database answers after ${attempt} attempt(s)`);
        return;
      } catch (err) {
        if (attempt === 1 || attempt % 10 === 0) this.logger.warn(`order notifications wait for the database (${describe(err)})`);
      }
    }
  }

  /** One message, its visibility kept while it is handled, deleted at once when done; answers whether a dependency was away. */
  private async handleOne(message: Message, heartbeat: NodeJS.Timeout): Promise<boolean> {
    let outcome: Outcome;
    let outage = false;
    try {
      outcome = await this.handle(message).catch((err): Outcome => {
        if (isDependencyOutage(err)) outage = true;
        this.logger.warn(`order notification ${message.MessageId} failed: ${describe(err)}`);
        return 'failed';
      });
    } finally {
      clearInterval(heartbeat);
    }
    orderNotificationsHandled.inc({ outcome });
    if (outcome === 'stale') {
      await this.showAgainIn(message, Math.min(STALE_RETRY_SECONDS, this.settings.SQS_VISIBILITY_TIMEOUT_SECONDS || STALE_RETRY_SECONDS));
      return outage;
    }
    if (KEPT.has(outcome)) return outage;
    try {
      await this.sqs!.send(new DeleteMessageCommand({ QueueUrl: this.settings.ORDER_NOTIFICATIONS_QUEUE_URL, ReceiptHandle: message.ReceiptHandle }));
    } catch (err) {
      // It shows again; its NotificationId is recorded, so it is then deleted without a call.
      this.logger.warn(`order notification ${message.MessageId} not deleted from the queue (${describe(err)}); it comes again and is skipped`);
    }
    return outage;
  }

  /** Extends the message's visibility every third of the timeout while it is handled (sqs:ChangeMessageVisibility). */
  private keepInvisible(message: Message): NodeJS.Timeout {
    const seconds = this.settings.SQS_VISIBILITY_TIMEOUT_SECONDS || DEFAULT_VISIBILITY_SECONDS;
    const timer = setInterval(() => void this.showAgainIn(message, seconds), Math.max(200, (seconds * 1000) / 3));
    timer.unref();
    return timer;
  }

  private async showAgainIn(message: Message, seconds: number): Promise<void> {
    try {
      await this.sqs!.send(new ChangeMessageVisibilityCommand({ QueueUrl: this.settings.ORDER_NOTIFICATIONS_QUEUE_URL, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: seconds }));
    } catch (err) {
      this.logger.warn(`order notification ${message.MessageId}: visibility not changed (${describe(err)})`);
    }
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
    return inWorkContext({ amazonOrderId: parsed.amazonOrderId }, () => this.fetch(parsed, Number(message.Attributes?.ApproximateReceiveCount ?? 1)));
  }

  private async fetch(change: OrderChange, receives: number): Promise<Outcome> {
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
    const stale: string[] = [];
    const unreachable: string[] = [];
    for (const account of targets) {
      await inWorkContext({ accountId: account.id }, async () => {
        const fetched: { amazonUpdatedAt: Date | null } = { amazonUpdatedAt: null };
        try {
          const stored = await this.whileAmazonAway(account.id, change, () => this.recovery.recover({ accountId: account.id, amazonOrderId: change.amazonOrderId }, (copy) => (fetched.amazonUpdatedAt = copy.amazonUpdatedAt)));
          if (stored === 'unreachable') return void unreachable.push(account.id);
          if (olderThanChange(fetched.amazonUpdatedAt, change) && olderThanChange(new Date(stored.amazonUpdatedAt), change)) stale.push(account.id);
        } catch (err) {
          // 422: fetched, and not an order the connector keeps (pending, quarantined): handled as the sync would,
          // unless the copy is from before the change, or the notification says the order now is one it keeps.
          if (!(err instanceof ServiceError && err.body.statusCode === 422)) throw err;
          if (fetched.amazonUpdatedAt ? olderThanChange(fetched.amazonUpdatedAt, change) : keptAfterChange(change)) stale.push(account.id);
        }
      });
    }
    if (stale.length && receives < STALE_RECEIVES_BEFORE_RESYNC && !unreachable.length) {
      this.logger.log(`order ${change.amazonOrderId}: Amazon still answers it as before the change of its notification; tried again in ${STALE_RETRY_SECONDS} s`);
      return 'stale';
    }
    const resync = [...stale, ...unreachable];
    if (resync.length) {
      // The sync's window reaches the change once searchOrders shows it: a run soon after, then the message is done.
      await syncSoon(this.dataSource, resync, change.changedAt, RESYNC_AFTER_CHANGE_SECONDS);
      if (stale.length) this.logger.warn(`order ${change.amazonOrderId}: Amazon answered it as before the change of its notification ${receives} times; account(s) ${stale.join(', ')} synced soon instead`);
      if (unreachable.length) this.logger.warn(`order ${change.amazonOrderId}: Amazon away for ${Math.round(this.amazonAwayHoldMs / 1000)} s; account(s) ${unreachable.join(', ')} synced soon instead`);
    }
    await this.dataSource.transaction(async (manager) => {
      await manager.createQueryBuilder().insert().into(HandledOrderNotification).values({ notificationId: change.notificationId, accountId: targets[0].id, amazonOrderId: change.amazonOrderId, eventTime: change.eventTime, handledAt: new Date() }).orIgnore().execute();
      await manager.query(`update order_change_subscriptions set last_notification_at = now() where account_id = any($1)`, [targets.map((t) => t.id)]);
    });
    return resync.length ? 'resync' : 'fetched';
  }

  /**
   * The fetch, tried again with back-off while Amazon is away (the message kept invisible by its
   * heartbeat, the queue not read: its receive count stays), until Amazon has been away for the
   * account for amazonAwayHoldMs (counted across messages and batches: a long outage, or an
   * account throttled on and on, turns each later notification of the account into a sync after
   * one try, not after a hold of its own).
   */
  private async whileAmazonAway<T>(accountId: string, change: OrderChange, fetch: () => Promise<T>): Promise<T | 'unreachable'> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await fetch();
        this.amazonAnswered(accountId);
        if (attempt > 1) this.logger.log(`order ${change.amazonOrderId}: fetched after Amazon was away (${attempt} tries)`);
        return result;
      } catch (err) {
        // Amazon answered, with a refusal of this order (422, 404): not away for the account.
        if (err instanceof ServiceError && !(err instanceof AmazonAwayError) && err.body.statusCode < 500) this.amazonAnswered(accountId);
        if (!(err instanceof AmazonAwayError) || this.abort.signal.aborted) throw err;
        const now = Date.now();
        this.amazonAwayForAllSince ??= now;
        if (!this.amazonAwaySince.has(accountId)) this.amazonAwaySince.set(accountId, this.amazonAwayForAllSince);
        const left = this.amazonAwaySince.get(accountId)! + this.amazonAwayHoldMs - now;
        if (left <= 0) return 'unreachable';
        if (attempt === 1 || attempt % 10 === 0) this.logger.warn(`order ${change.amazonOrderId}: Amazon is away (${describe(err)}); its notification is held and fetched again, the queue not read meanwhile`);
        // Cut short by the stop: a held notification then shows again after its visibility timeout.
        await sleep(Math.min(left, Math.max(100, backoffDelay(attempt, AMAZON_AWAY_BACKOFF))), this.abort.signal);
        if (this.abort.signal.aborted) throw err;
      }
    }
  }

  private amazonAnswered(accountId: string): void {
    this.amazonAwaySince.delete(accountId);
    this.amazonAwayForAllSince = undefined;
  }
}

/** Whether a copy updated at `amazonUpdatedAt` is from before the notified change (compared to the second: Amazon's dates carry no more). */
function olderThanChange(amazonUpdatedAt: Date | null, change: OrderChange): boolean {
  if (!change.changedAt || !amazonUpdatedAt) return false;
  return Math.floor(amazonUpdatedAt.getTime() / 1000) < Math.floor(change.changedAt.getTime() / 1000);
}

/** Whether the notification says the order now is one the connector keeps (merchant-fulfilled, past Pending, not cancelled). */
function keptAfterChange(change: OrderChange): boolean {
  return !!change.orderStatus && !NOT_KEPT_STATUSES.has(change.orderStatus) && change.fulfillmentType !== 'AFN';
}

function describe(err: unknown): string {
  if (err instanceof ServiceError) return `${err.body.statusCode} ${err.body.message}`;
  const e = err as { name?: string; message?: string };
  return `${e?.name ?? 'Error'}: ${String(e?.message ?? err).slice(0, 300)}`;
}
