import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { NotificationKind, NotificationState } from '@connector/contracts';
import { SETTINGS } from '@connector/platform';
import { Feed, FINAL_FEED_STATUSES, getFeed, getFeedResultDocument, SpApiClient, SpApiError, submitFeed } from '@connector/sp-api';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { AmazonAccessService } from '../amazon-access/amazon-access.service';
import { NotificationsSettings } from '../notifications.settings';
import { Notification } from './notification.entity';
import { NotificationSender } from './notification-sender';
import { buildOrderAcknowledgementFeed, MessageOutcome, ORDER_ACKNOWLEDGEMENT_FEED_TYPE, outcomesFromReport, parseProcessingReport } from './order-acknowledgement-feed';

/** What the intake stores for a cancellation. */
export interface CancellationPayload {
  reason: string | null;
  items: { orderItemId: string; quantity: number }[];
}

/** Rows claimed for a feed are their claimer's for this long; a live claimer keeps extending it. */
const CLAIM_SECONDS = 120;
/** Rows claimed to poll their feed: short, because a second poll of the same feed changes nothing. */
const POLL_CLAIM_SECONDS = 30;
const POLL_BATCH = 1000;

/**
 * Sends the seller's cancellations to Amazon as POST_ORDER_ACKNOWLEDGEMENT_DATA feeds.
 *
 * Submitting: once the oldest due cancellation of an (account, marketplace) has waited the
 * batch window, every due one of them is claimed (`for update skip locked`, a lease kept alive
 * while the claimer works) and goes into ONE feed, a Message each, MessageID 1..n. The feed
 * document id and MessageIDs are written before createFeed, the feedId right after it.
 *
 * Polling: a pending cancellation with a feedId is in a feed whose outcome is not known yet.
 * Such rows are claimed the same way and their feed polled (getFeed); so a restarted or
 * other replica picks the polling up where it stopped, and never re-submits them. Once the
 * feed is DONE the processing report gives each order its own outcome: sent, or failed with
 * Amazon's message. A report that cannot say what became of an order (an error naming no
 * message, a FATAL or CANCELLED feed, no report) puts that order back to pending for a new
 * feed, up to NOTIFY_MAX_ATTEMPTS feeds. Cancelling an order twice only earns a warning.
 *
 * Where an order can reach Amazon twice: the process dies after createFeed answered and
 * before the feedId is stored (milliseconds), or createFeed's answer is lost on the network
 * after Amazon made the feed. createFeed has no idempotency key, so those rows (they still
 * hold the document id) are claimed again and sent again; the second message earns an
 * "already cancelled" warning, which counts as sent. Nothing else is ever submitted twice.
 */
@Injectable()
export class CancellationSender implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CancellationSender.name);
  private timer?: NodeJS.Timeout;
  private readonly submitting = new Set<string>();
  private readonly work = new Set<Promise<unknown>>();
  private polling = false;
  private pollAgain = false;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly amazon: AmazonAccessService,
    private readonly notifications: NotificationSender,
    @Inject(SETTINGS) private readonly settings: NotificationsSettings,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), this.settings.NOTIFY_POLL_MS);
    this.kick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    // Let a submission that is under way record its feedId; do not wait minutes for a createFeed token.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.work]), new Promise((resolve) => (timer = setTimeout(resolve, 10_000)))]);
    clearTimeout(timer);
  }

  /** Starts what is due: feeds to submit (one task per account and marketplace) and feeds to poll. */
  kick(): void {
    if (this.stopped) return;
    this.track(this.submitReadyGroups().catch((err) => this.logger.warn(`looking for cancellations to send failed: ${err.message}`)));
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    this.polling = true;
    this.track(
      this.pollDue()
        .catch((err) => this.logger.warn(`polling cancellation feeds failed: ${err.message}`))
        .finally(() => {
          this.polling = false;
          if (this.pollAgain && !this.stopped) {
            this.pollAgain = false;
            this.kick();
          }
        }),
    );
  }

  // ---- submitting ----

  async submitReadyGroups(): Promise<void> {
    const groups: { account_id: string; marketplace_id: string }[] = await this.dataSource.query(
      `select account_id, marketplace_id from notifications
        where state = 'pending' and kind = $1 and feed_id is null and next_attempt_at <= now()
        group by account_id, marketplace_id
       having min(next_attempt_at) <= now() - make_interval(secs => $2) or count(*) >= $3`,
      [NotificationKind.Cancellation, this.settings.CANCEL_BATCH_WINDOW_MS / 1000, this.settings.CANCEL_FEED_MAX_MESSAGES],
    );
    for (const group of groups) {
      const key = `${group.account_id}/${group.marketplace_id}`;
      if (this.submitting.has(key) || this.stopped) continue;
      this.submitting.add(key);
      this.track(
        this.submitGroup(group.account_id, group.marketplace_id)
          .catch((err) => this.logger.warn(`cancellations of ${key}: ${err.message}`))
          .finally(() => this.submitting.delete(key)),
      );
    }
  }

  /** Feeds for one account and marketplace until none of its cancellations is due. */
  private async submitGroup(accountId: string, marketplaceId: string): Promise<void> {
    for (;;) {
      const claimed = await this.claimForFeed(accountId, marketplaceId);
      if (claimed.length === 0) return;
      await this.submit(accountId, marketplaceId, claimed);
      if (claimed.length < this.settings.CANCEL_FEED_MAX_MESSAGES || this.stopped) return;
    }
  }

  private async claimForFeed(accountId: string, marketplaceId: string): Promise<Notification[]> {
    const [rows]: [{ id: string }[], number] = await this.dataSource.query(
      `update notifications set next_attempt_at = now() + make_interval(secs => $5), attempts = attempts + 1
        where id in (select id from notifications
                      where state = 'pending' and kind = $1 and feed_id is null and account_id = $2 and marketplace_id = $3
                        and next_attempt_at <= now()
                      order by next_attempt_at, created_at limit $4 for update skip locked)
        returning id`,
      [NotificationKind.Cancellation, accountId, marketplaceId, this.settings.CANCEL_FEED_MAX_MESSAGES, CLAIM_SECONDS],
    );
    if (rows.length === 0) return [];
    const found = await this.dataSource.getRepository(Notification).findBy(rows.map((row) => ({ id: row.id })));
    return found.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
  }

  private async submit(accountId: string, marketplaceId: string, claimed: Notification[]): Promise<void> {
    const ids = claimed.map((n) => n.id);
    const lease = this.keepClaimed(ids);
    let feedId: string | undefined;
    try {
      const resent = claimed.filter((n) => n.feedDocumentId);
      if (resent.length > 0) {
        this.logger.warn(`${resent.length} cancellation(s) were in a feed document whose createFeed answer was never recorded; sending them again (Amazon warns about a repeated cancellation, nothing more)`);
      }
      const [access, client] = [await this.amazon.access(accountId), await this.amazon.client(accountId)];
      const messageIds = claimed.map((_, i) => i + 1);
      const xml = buildOrderAcknowledgementFeed(
        access.sellerId,
        claimed.map((n, i) => {
          const payload = n.payload as CancellationPayload;
          return { messageId: messageIds[i], amazonOrderId: n.amazonOrderId, reason: payload.reason, orderItemIds: (payload.items ?? []).map((item) => item.orderItemId) };
        }),
      );
      const submitted = await submitFeed(
        client,
        { feedType: ORDER_ACKNOWLEDGEMENT_FEED_TYPE, marketplaceIds: [marketplaceId], content: xml },
        {
          beforeCreateFeed: async (feedDocumentId) => {
            await this.dataSource.query(
              `update notifications n set feed_document_id = $1, feed_message_id = m.message_id
                 from unnest($2::uuid[], $3::int[]) as m(id, message_id)
                where n.id = m.id and n.state = 'pending' and n.feed_id is null`,
              [feedDocumentId, ids, messageIds],
            );
          },
        },
      );
      feedId = submitted.feedId;
    } catch (err) {
      lease.stop();
      await this.submissionFailed(claimed, err);
      return;
    }
    lease.stop();
    await this.recordFeed(feedId, ids);
    this.logger.log(`feed ${feedId}: ${claimed.length} cancellation(s) for account ${accountId} in ${marketplaceId}`);
  }

  /** From here on the rows are polled, never submitted again. Tried hard: a failure here is the one way to send twice. */
  private async recordFeed(feedId: string, ids: string[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.dataSource.query(
          `update notifications set feed_id = $1, feed_status = 'IN_QUEUE', feed_submitted_at = now(), last_error = null,
                  next_attempt_at = now() + make_interval(secs => $3)
            where id = any($2::uuid[]) and state = 'pending' and feed_id is null`,
          [feedId, ids, this.settings.FEED_POLL_MS / 1000],
        );
        return;
      } catch (err) {
        if (attempt >= 5) throw new Error(`feed ${feedId} was created but could not be recorded: ${err.message}`);
        await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
      }
    }
  }

  /** Keeps the claim's lease alive while the submission waits (createFeed may wait minutes for its token). */
  private keepClaimed(ids: string[]): { stop: () => void } {
    const timer = setInterval(() => {
      void this.dataSource
        .query(
          `update notifications set next_attempt_at = now() + make_interval(secs => $2)
            where id = any($1::uuid[]) and state = 'pending' and feed_id is null`,
          [ids, CLAIM_SECONDS],
        )
        .catch((err) => this.logger.warn(`extending a claim failed: ${err.message}`));
    }, (CLAIM_SECONDS * 1000) / 4);
    return { stop: () => clearInterval(timer) };
  }

  /** Nothing reached Amazon (or nothing we know of): retriable errors wait with back-off; Amazon's 4xx answers fail the batch. */
  private async submissionFailed(claimed: Notification[], err: unknown): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    const retriable = !(err instanceof SpApiError) || err.retriable;
    this.logger.warn(`a cancellation feed of ${claimed.length} order(s) could not be submitted: ${message}`);
    // One transaction for the whole batch, however large the feed was.
    await this.dataSource.transaction(async (manager) => {
      for (const notification of claimed) {
        if (retriable && notification.attempts < this.settings.NOTIFY_MAX_ATTEMPTS) {
          await this.requeue(manager, notification, message, null, null);
        } else {
          await this.notifications.recordOutcome(manager, notification, NotificationState.Failed, message, err instanceof SpApiError ? (err.body ?? null) : null);
        }
      }
    });
  }

  // ---- polling ----

  async pollDue(): Promise<void> {
    for (;;) {
      const claimed = await this.claimForPolling();
      if (claimed.length === 0 || this.stopped) return;
      const feeds = new Map<string, Notification[]>();
      for (const notification of claimed) {
        const key = `${notification.accountId}\n${notification.feedId}`;
        const rows = feeds.get(key) ?? [];
        rows.push(notification);
        feeds.set(key, rows);
      }
      // Accounts in parallel; within an account the client's token buckets pace the calls.
      await Promise.all([...feeds.values()].map((rows) => this.pollFeed(rows[0].accountId, rows[0].feedId!, rows)));
      if (claimed.length < POLL_BATCH) return;
    }
  }

  private async claimForPolling(): Promise<Notification[]> {
    const [rows]: [{ id: string }[], number] = await this.dataSource.query(
      `update notifications set next_attempt_at = now() + make_interval(secs => $3)
        where id in (select id from notifications
                      where state = 'pending' and kind = $1 and feed_id is not null and next_attempt_at <= now()
                      order by next_attempt_at limit $2 for update skip locked)
        returning id`,
      [NotificationKind.Cancellation, POLL_BATCH, POLL_CLAIM_SECONDS],
    );
    if (rows.length === 0) return [];
    return this.dataSource.getRepository(Notification).findBy(rows.map((row) => ({ id: row.id })));
  }

  private async pollFeed(accountId: string, feedId: string, rows: Notification[]): Promise<void> {
    let client: SpApiClient;
    let feed: Feed;
    try {
      client = await this.amazon.client(accountId);
      feed = await getFeed(client, feedId);
    } catch (err) {
      if (err instanceof SpApiError && (err.status === 404 || err.status === 400)) {
        // Amazon does not know the feed (any more): nothing says the orders were cancelled.
        return this.resendAll(rows, feedId, `Amazon does not know feed ${feedId}: ${err.message}`, null);
      }
      return this.pollLater(rows, feedId, null, `polling feed ${feedId} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!FINAL_FEED_STATUSES.includes(feed.processingStatus)) return this.pollLater(rows, feedId, feed.processingStatus, null);

    let reportXml: string | undefined;
    let reportError: string | undefined;
    if (feed.resultFeedDocumentId) {
      try {
        reportXml = await getFeedResultDocument(client, feed.resultFeedDocumentId);
      } catch (err) {
        reportError = err instanceof Error ? err.message : String(err);
      }
    }
    if (feed.processingStatus !== 'DONE') {
      const detail = reportXml ? describeReport(reportXml) : '';
      return this.resendAll(rows, feedId, `feed ${feedId} ended ${feed.processingStatus}${detail ? `: ${detail}` : ''}`, { feedId, processingStatus: feed.processingStatus, report: detail || undefined });
    }
    if (reportXml === undefined) {
      if (reportError !== undefined) return this.pollLater(rows, feedId, feed.processingStatus, `reading the report of feed ${feedId} failed: ${reportError}`);
      return this.resendAll(rows, feedId, `feed ${feedId} is DONE without a processing report`, { feedId, processingStatus: feed.processingStatus });
    }
    let outcomes: Map<number, MessageOutcome>;
    try {
      const report = parseProcessingReport(reportXml);
      outcomes = outcomesFromReport(
        rows.filter((n) => n.feedMessageId !== null).map((n) => ({ messageId: n.feedMessageId!, amazonOrderId: n.amazonOrderId })),
        report,
      );
    } catch (err) {
      return this.resendAll(rows, feedId, `the processing report of feed ${feedId} is unreadable: ${err.message}`, { feedId, processingStatus: feed.processingStatus });
    }
    await this.apply(rows, feedId, outcomes);
  }

  /** Every order of the feed gets its own outcome, all in one transaction with their events. */
  private async apply(rows: Notification[], feedId: string, outcomes: Map<number, MessageOutcome>): Promise<void> {
    const counts = { sent: 0, failed: 0, resend: 0 };
    await this.dataSource.transaction(async (manager) => {
      for (const notification of rows) {
        const outcome: MessageOutcome = (notification.feedMessageId !== null ? outcomes.get(notification.feedMessageId) : undefined) ?? {
          kind: 'resend',
          reason: `feed ${feedId} has no message for this order`,
          results: [],
        };
        const response = { feedId, messageId: notification.feedMessageId, processingStatus: 'DONE', results: outcome.results };
        if (outcome.kind === 'resend') {
          if (await this.requeueOrFail(notification, outcome.reason, response, feedId, manager)) counts.resend++;
          continue;
        }
        const state = outcome.kind === 'sent' ? NotificationState.Sent : NotificationState.Failed;
        if (await this.notifications.recordOutcome(manager, notification, state, outcome.kind === 'failed' ? outcome.error : null, response, { onlyInFeed: feedId })) counts[outcome.kind]++;
      }
    });
    this.logger.log(`feed ${feedId}: ${counts.sent} sent, ${counts.failed} failed, ${counts.resend} to send again`);
  }

  private async resendAll(rows: Notification[], feedId: string, reason: string, response: object | null): Promise<void> {
    this.logger.warn(`${reason}; ${rows.length} cancellation(s) go into a new feed`);
    await this.dataSource.transaction(async (manager) => {
      for (const notification of rows) await this.requeueOrFail(notification, reason, response ?? { feedId }, feedId, manager);
    });
  }

  /** Back to pending for a new feed while attempts last; then failed with the reason. Returns whether it was requeued. */
  private async requeueOrFail(notification: Notification, reason: string, response: object | null, feedId: string, manager: EntityManager): Promise<boolean> {
    if (notification.attempts >= this.settings.NOTIFY_MAX_ATTEMPTS) {
      await this.notifications.recordOutcome(manager, notification, NotificationState.Failed, `${reason} (gave up after ${notification.attempts} attempts)`, response, { onlyInFeed: feedId });
      return false;
    }
    return this.requeue(manager, notification, reason, response, feedId);
  }

  /** Pending again, out of any feed, after a back-off; only while still pending (and, given `inFeed`, still in that feed). */
  private async requeue(manager: EntityManager, notification: Notification, reason: string, response: object | null, inFeed: string | null): Promise<boolean> {
    const delaySeconds = Math.min(2 ** notification.attempts, 600);
    const result = await manager.update(
      Notification,
      { id: notification.id, state: NotificationState.Pending, feedId: inFeed ?? IsNull() },
      {
        feedId: null,
        feedMessageId: null,
        feedDocumentId: null,
        feedStatus: null,
        feedSubmittedAt: null,
        lastError: reason,
        ...(response ? { amazonResponse: response } : {}),
        nextAttemptAt: new Date(Date.now() + delaySeconds * 1000),
      },
    );
    return !!result.affected;
  }

  /** The feed is not finished (or could not be asked): ask again after FEED_POLL_MS. */
  private async pollLater(rows: Notification[], feedId: string, status: string | null, error: string | null): Promise<void> {
    if (error) this.logger.warn(error);
    await this.dataSource.query(
      `update notifications set next_attempt_at = now() + make_interval(secs => $3),
              feed_status = coalesce($4, feed_status), last_error = coalesce($5, last_error)
        where id = any($1::uuid[]) and state = 'pending' and feed_id = $2`,
      [rows.map((n) => n.id), feedId, this.settings.FEED_POLL_MS / 1000, status, error],
    );
  }

  private track(promise: Promise<unknown>): void {
    this.work.add(promise);
    void promise.finally(() => this.work.delete(promise));
  }
}

/** The gist of a FATAL feed's report, for the notification's last error. */
function describeReport(xml: string): string {
  try {
    return parseProcessingReport(xml)
      .results.map((r) => `${r.resultMessageCode ? `${r.resultMessageCode}: ` : ''}${r.description}`)
      .join('; ')
      .slice(0, 500);
  } catch {
    return '';
  }
}
