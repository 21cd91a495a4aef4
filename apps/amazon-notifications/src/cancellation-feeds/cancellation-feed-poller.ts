import { Inject, Injectable, Logger } from '@nestjs/common';
import { NotificationKind, NotificationState } from '@connector/contracts';
import { SETTINGS } from '@connector/platform';
import { Feed, FINAL_FEED_STATUSES, getFeed, getFeedResultDocument, SpApiClient, SpApiError } from '@connector/sp-api';
import { claimDueRows } from '@connector/workers';
import { DataSource, EntityManager } from 'typeorm';
import { AmazonAccessService } from '../amazon-access/amazon-access.service';
import { AmazonNotificationsSettings } from '../amazon-notifications.settings';
import { Notification } from '../notifications/notification.entity';
import { NotificationOutcomes } from '../notifications/notification-outcomes';
import { notifyBackoff } from '../notifications/notification-retries';
import { FEED_KINDS } from './cancellation-feeds';
import { requeueCancellation } from './cancellation-requeue';
import { MessageOutcome, outcomesFromReport, parseProcessingReport } from './order-acknowledgement-feed';

/** Rows claimed to poll their feed: short, because a second poll of the same feed changes nothing. */
const POLL_CLAIM_SECONDS = 30;
const POLL_BATCH = 1000;

/**
 * Polls submitted cancellation feeds, of either kind (see CancellationSender): rows with a feedId are claimed,
 * their feed asked for (getFeed), and once it is DONE its processing report gives each order
 * its own outcome; what the report cannot account for goes back to pending for a new feed.
 */
@Injectable()
export class CancellationFeedPoller {
  private readonly logger = new Logger(CancellationFeedPoller.name);
  /** Rows this process claimed to poll and has not settled yet (handed back at shutdown). */
  private readonly claimedNow = new Set<string>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly amazon: AmazonAccessService,
    private readonly outcomes: NotificationOutcomes,
    @Inject(SETTINGS) private readonly settings: AmazonNotificationsSettings,
  ) {}

  async pollDue(stopped: () => boolean): Promise<void> {
    for (;;) {
      const claimed = await this.claimForPolling();
      if (claimed.length === 0 || stopped()) return;
      const feeds = new Map<string, Notification[]>();
      for (const notification of claimed) {
        const key = `${notification.accountId}\n${notification.feedId}`;
        const rows = feeds.get(key) ?? [];
        rows.push(notification);
        feeds.set(key, rows);
      }
      for (const n of claimed) this.claimedNow.add(n.id);
      try {
        // Accounts in parallel; within an account the client's token buckets pace the calls.
        await Promise.all([...feeds.values()].map((rows) => this.pollFeed(rows[0].accountId, rows[0].feedId!, rows)));
      } finally {
        for (const n of claimed) this.claimedNow.delete(n.id);
      }
      if (claimed.length < POLL_BATCH) return;
    }
  }

  /** At shutdown: feeds this process was polling are polled by another replica at once (a second poll changes nothing). */
  async handBackClaimed(): Promise<void> {
    if (this.claimedNow.size === 0) return;
    await this.dataSource.query(`update notifications set next_attempt_at = now() where id = any($1::uuid[]) and state = 'pending' and feed_id is not null`, [[...this.claimedNow]]);
  }

  private async claimForPolling(): Promise<Notification[]> {
    const ids = await claimDueRows(this.dataSource, {
      table: 'notifications',
      where: `state = 'pending' and kind = any($1::text[]) and feed_id is not null`,
      parameters: [FEED_KINDS],
      orderBy: 'next_attempt_at',
      limit: POLL_BATCH,
      leaseColumn: 'next_attempt_at',
      leaseSeconds: POLL_CLAIM_SECONDS,
    });
    if (ids.length === 0) return [];
    return this.dataSource.getRepository(Notification).findBy(ids.map((id) => ({ id })));
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
        // Nothing says they were not either: a unit cancellation is checked at Amazon before it goes out again.
        return this.resendAll(rows, feedId, `Amazon does not know feed ${feedId}: ${err.message}`, null, true);
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
      // FATAL or CANCELLED: Amazon applied none of it, so it is sent again unchecked.
      return this.resendAll(rows, feedId, `feed ${feedId} ended ${feed.processingStatus}${detail ? `: ${detail}` : ''}`, { feedId, processingStatus: feed.processingStatus, report: detail || undefined }, false);
    }
    if (reportXml === undefined) {
      if (reportError !== undefined) return this.pollLater(rows, feedId, feed.processingStatus, `reading the report of feed ${feedId} failed: ${reportError}`);
      return this.resendAll(rows, feedId, `feed ${feedId} is DONE without a processing report`, { feedId, processingStatus: feed.processingStatus }, true);
    }
    let outcomes: Map<number, MessageOutcome>;
    try {
      const report = parseProcessingReport(reportXml);
      outcomes = outcomesFromReport(
        rows.filter((n) => n.feedMessageId !== null).map((n) => ({ messageId: n.feedMessageId!, amazonOrderId: n.amazonOrderId })),
        report,
      );
    } catch (err) {
      return this.resendAll(rows, feedId, `the processing report of feed ${feedId} is unreadable: ${err.message}`, { feedId, processingStatus: feed.processingStatus }, true);
    }
    await this.apply(rows, feedId, outcomes);
  }

  /** Every order of the feed gets its own outcome, all in one transaction with their events. */
  private async apply(rows: Notification[], feedId: string, outcomes: Map<number, MessageOutcome>): Promise<void> {
    const counts = { sent: 0, failed: 0, resend: 0 };
    // One instant and one random draw of the back-off for the whole feed: its orders come back together.
    const now = Date.now();
    const draw = Math.random();
    await this.dataSource.transaction(async (manager) => {
      for (const notification of rows) {
        const outcome: MessageOutcome = (notification.feedMessageId !== null ? outcomes.get(notification.feedMessageId) : undefined) ?? {
          kind: 'resend',
          reason: `feed ${feedId} has no message for this order`,
          results: [],
        };
        const response = { feedId, messageId: notification.feedMessageId, processingStatus: 'DONE', results: outcome.results };
        if (outcome.kind === 'resend') {
          // The feed is DONE: Amazon may well have applied the message the report is silent about.
          if (await this.requeueOrFail(notification, outcome.reason, response, feedId, manager, { now, draw }, true)) counts.resend++;
          continue;
        }
        const state = outcome.kind === 'sent' ? NotificationState.Sent : NotificationState.Failed;
        // An error for its own message: Amazon refused it (its units come back on the order's lines).
        if (await this.outcomes.recordOutcome(manager, notification, state, outcome.kind === 'failed' ? outcome.error : null, response, { onlyInFeed: feedId, refusedByAmazon: true })) counts[outcome.kind]++;
      }
    });
    this.logger.log(`feed ${feedId}: ${counts.sent} sent, ${counts.failed} failed, ${counts.resend} to send again`);
  }

  /** `mayBeApplied`: Amazon may have applied the feed (anything but FATAL/CANCELLED). */
  private async resendAll(rows: Notification[], feedId: string, reason: string, response: object | null, mayBeApplied: boolean): Promise<void> {
    this.logger.warn(`${reason}; ${rows.length} cancellation(s) go into a new feed`);
    const batch = { now: Date.now(), draw: Math.random() };
    await this.dataSource.transaction(async (manager) => {
      for (const notification of rows) await this.requeueOrFail(notification, reason, response ?? { feedId }, feedId, manager, batch, mayBeApplied);
    });
  }

  /**
   * Back to pending for a new feed while attempts last; then failed with the reason. Returns whether it was requeued.
   * A unit cancellation in a feed Amazon may have applied keeps its document id: a unit cancellation sent twice
   * cancels its units twice, so the submitter checks the order at Amazon first (unit-cancellation-check.ts).
   */
  private async requeueOrFail(
    notification: Notification,
    reason: string,
    response: object | null,
    feedId: string,
    manager: EntityManager,
    batch: { now: number; draw: number },
    mayBeApplied: boolean,
  ): Promise<boolean> {
    // Tries that met an outage do not count: only feeds Amazon processed without a word on the order.
    const answered = notification.attempts - notification.outageTries;
    if (answered >= this.settings.NOTIFY_MAX_ATTEMPTS) {
      // Surely refused only when this last feed applied nothing (FATAL/CANCELLED); a DONE feed silent about it may have applied it.
      await this.outcomes.recordOutcome(manager, notification, NotificationState.Failed, `${reason} (gave up after ${answered} attempts)`, response, { onlyInFeed: feedId, refusedByAmazon: !mayBeApplied });
      return false;
    }
    const keepDocument = mayBeApplied && notification.kind === NotificationKind.UnitCancellation && notification.feedDocumentId !== null;
    return requeueCancellation(manager, notification, reason, response, feedId, { backoff: notifyBackoff(this.settings), ...batch, keepDocument });
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
