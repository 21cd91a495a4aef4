import { Inject, Injectable, Logger } from '@nestjs/common';
import { NotificationState } from '@connector/contracts';
import { SETTINGS } from '@connector/platform';
import { CallNotStartedError, SpApiError, submitFeed } from '@connector/sp-api';
import { claimDueRows, keepLeaseAlive, LeaseHeartbeat, retry, returnedRows } from '@connector/workers';
import { DataSource } from 'typeorm';
import { AmazonAccessService } from '../amazon-access/amazon-access.service';
import { AmazonNotificationsSettings } from '../amazon-notifications.settings';
import { Notification } from '../notifications/notification.entity';
import { NotificationOutcomes } from '../notifications/notification-outcomes';
import { gaveUpMessage, isTransientFailure, notifyBackoff, outageOutlasted } from '../notifications/notification-retries';
import { requeueCancellation } from './cancellation-requeue';
import { CancellationPayload, cancellationFeed, FEED_KINDS, FeedKind } from './cancellation-feeds';

export type { CancellationPayload } from './cancellation-feeds';

/** Rows claimed for a feed are their claimer's for this long; a live claimer keeps extending it. */
const CLAIM_SECONDS = 120;

/**
 * Submits due cancellations and unit cancellations (see CancellationSender): once the oldest due
 * one of an (account, marketplace, kind) has waited the batch window, every due one of them is
 * claimed and goes into ONE feed of the kind's type (cancellationFeed). The feed document id and MessageIDs are written before createFeed, the feedId
 * right after it; from then on the rows are the poller's.
 */
@Injectable()
export class CancellationFeedSubmitter {
  private readonly logger = new Logger(CancellationFeedSubmitter.name);
  /** Rows this process claimed for a feed and has not settled yet (handed back at shutdown). */
  private readonly claimedNow = new Set<string>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly amazon: AmazonAccessService,
    private readonly outcomes: NotificationOutcomes,
    @Inject(SETTINGS) private readonly settings: AmazonNotificationsSettings,
  ) {}

  /** The (account, marketplace, kind) groups whose cancellations are due in a feed now. */
  async readyGroups(): Promise<{ account_id: string; marketplace_id: string; kind: FeedKind }[]> {
    return this.dataSource.query(
      `select account_id, marketplace_id, kind from notifications
        where state = 'pending' and kind = any($1::text[]) and feed_id is null and next_attempt_at <= now()
        group by account_id, marketplace_id, kind
       having min(next_attempt_at) <= now() - make_interval(secs => $2) or count(*) >= $3`,
      [FEED_KINDS, this.settings.CANCEL_BATCH_WINDOW_MS / 1000, this.settings.CANCEL_FEED_MAX_MESSAGES],
    );
  }

  /** Feeds for one account, marketplace and kind until none of its cancellations is due (or the service stops). */
  async submitGroup(accountId: string, marketplaceId: string, stopped: () => boolean, kind: FeedKind = FEED_KINDS[0]): Promise<void> {
    for (;;) {
      const claimed = await this.claimForFeed(accountId, marketplaceId, kind);
      if (claimed.length === 0) return;
      if (stopped()) return this.handBack(claimed.map((n) => n.id));
      for (const n of claimed) this.claimedNow.add(n.id);
      try {
        await this.submit(accountId, marketplaceId, kind, claimed, stopped);
      } finally {
        // Once stopping, they stay listed for handBackClaimed (which skips those in a feed).
        if (!stopped()) for (const n of claimed) this.claimedNow.delete(n.id);
      }
      if (claimed.length < this.settings.CANCEL_FEED_MAX_MESSAGES || stopped()) return;
    }
  }

  private async claimForFeed(accountId: string, marketplaceId: string, kind: FeedKind): Promise<Notification[]> {
    const ids = await claimDueRows(this.dataSource, {
      table: 'notifications',
      where: `state = 'pending' and kind = $1 and feed_id is null and account_id = $2 and marketplace_id = $3`,
      parameters: [kind, accountId, marketplaceId],
      orderBy: 'next_attempt_at, created_at',
      limit: this.settings.CANCEL_FEED_MAX_MESSAGES,
      leaseColumn: 'next_attempt_at',
      leaseSeconds: CLAIM_SECONDS,
      alsoSet: 'attempts = attempts + 1',
    });
    if (ids.length === 0) return [];
    const found = await this.dataSource.getRepository(Notification).findBy(ids.map((id) => ({ id })));
    return found.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
  }

  private async submit(accountId: string, marketplaceId: string, kind: FeedKind, claimed: Notification[], stopped: () => boolean): Promise<void> {
    const ids = claimed.map((n) => n.id);
    const lease = this.keepClaimed(ids);
    let feedId: string | undefined;
    let recordedDocument: string | undefined;
    try {
      const resent = claimed.filter((n) => n.feedDocumentId);
      if (resent.length > 0) {
        this.logger.warn(`${resent.length} cancellation(s) were in a feed document whose createFeed answer was never recorded; sending them again (Amazon warns about a repeated cancellation, nothing more)`);
      }
      const [access, client] = [await this.amazon.access(accountId), await this.amazon.client(accountId)];
      const messageIds = claimed.map((_, i) => i + 1);
      const feed = cancellationFeed(
        kind,
        access.sellerId,
        claimed.map((n, i) => ({ messageId: messageIds[i], amazonOrderId: n.amazonOrderId, payload: n.payload as CancellationPayload })),
      );
      const submitted = await submitFeed(
        client,
        { feedType: feed.feedType, marketplaceIds: [marketplaceId], content: feed.content },
        {
          // A stopping service withdraws a submission whose createFeed has not gone out: its rows are handed back.
          mayStart: () => !stopped(),
          beforeCreateFeed: async (feedDocumentId) => {
            if (stopped()) throw new CallNotStartedError('createFeed');
            await this.dataSource.query(
              `update notifications n set feed_document_id = $1, feed_message_id = m.message_id
                 from unnest($2::uuid[], $3::int[]) as m(id, message_id)
                where n.id = m.id and n.state = 'pending' and n.feed_id is null`,
              [feedDocumentId, ids, messageIds],
            );
            recordedDocument = feedDocumentId;
          },
        },
      );
      feedId = submitted.feedId;
    } catch (err) {
      lease.stop();
      if (err instanceof CallNotStartedError) return this.withdrawn(ids, recordedDocument);
      await this.submissionFailed(claimed, err);
      return;
    }
    lease.stop();
    await this.recordFeed(feedId, ids);
    this.logger.log(`feed ${feedId}: ${claimed.length} ${kind.replace(/_/g, ' ')}(s) for account ${accountId} in ${marketplaceId}`);
  }

  /** From here on the rows are polled, never submitted again. Tried hard: a failure here is the one way to send twice. */
  private async recordFeed(feedId: string, ids: string[]): Promise<void> {
    try {
      await retry(
        () =>
          this.dataSource.query(
            `update notifications set feed_id = $1, feed_status = 'IN_QUEUE', feed_submitted_at = now(), last_error = null, retrying_since = null,
                    next_attempt_at = now() + make_interval(secs => $3)
              where id = any($2::uuid[]) and state = 'pending' and feed_id is null`,
            [feedId, ids, this.settings.FEED_POLL_MS / 1000],
          ),
        { attempts: 5, baseMs: 400, maxMs: 6400 },
      );
    } catch (err) {
      throw new Error(`feed ${feedId} was created but could not be recorded: ${err.message}`);
    }
  }

  /** Keeps the claim's lease alive while the submission waits (createFeed may wait minutes for its token). */
  private keepClaimed(ids: string[]): LeaseHeartbeat {
    return keepLeaseAlive({
      renew: async () =>
        returnedRows(
          await this.dataSource.query(
            `update notifications set next_attempt_at = now() + make_interval(secs => $2)
              where id = any($1::uuid[]) and state = 'pending' and feed_id is null returning id`,
            [ids, CLAIM_SECONDS],
          ),
        ).length > 0,
      everyMs: (CLAIM_SECONDS * 1000) / 4,
      onError: (err) => this.logger.warn(`extending a claim failed: ${err.message}`),
    });
  }

  /**
   * Nothing reached Amazon (or nothing we know of): an outage waits with back-off (for
   * NOTIFY_RETRY_HOURS, not counted as a try); Amazon's refusal of the feed fails the batch.
   */
  private async submissionFailed(claimed: Notification[], err: unknown): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    const transient = isTransientFailure(err);
    this.logger.warn(`a cancellation feed of ${claimed.length} order(s) could not be submitted: ${message}`);
    // One transaction for the whole batch, however large the feed was.
    const now = Date.now();
    const draw = Math.random();
    await this.dataSource.transaction(async (manager) => {
      for (const notification of claimed) {
        if (transient && !outageOutlasted(notification, this.settings, now)) {
          await requeueCancellation(manager, notification, message, null, null, { backoff: notifyBackoff(this.settings), now, draw, outage: true });
        } else {
          const error = transient ? gaveUpMessage(notification, message) : message;
          await this.outcomes.recordOutcome(manager, notification, NotificationState.Failed, error, err instanceof SpApiError ? (err.body ?? null) : null, { cause: err });
        }
      }
    });
  }

  /**
   * A submission withdrawn at shutdown before createFeed went out. Rows already recorded in its
   * document are due again now, out of it (createFeed never went, so nothing can be sent twice;
   * only rows still in this document, so none another replica took meanwhile). The others are
   * handed back by handBackClaimed.
   */
  private async withdrawn(ids: string[], document: string | undefined): Promise<void> {
    if (!document) return;
    await this.dataSource.query(
      `update notifications set next_attempt_at = now(), attempts = greatest(attempts - 1, 0), feed_document_id = null, feed_message_id = null
        where id = any($1::uuid[]) and state = 'pending' and feed_id is null and feed_document_id = $2`,
      [ids, document],
    );
  }

  /**
   * At shutdown: what this process claimed and has not submitted yet is due again now, for
   * another replica (a submission of them still under way here is withdrawn before createFeed).
   * Rows whose document is recorded may be in a feed already (createFeed on the wire): they
   * keep their lease, and are sent again only after it (see CancellationSender).
   */
  async handBackClaimed(): Promise<void> {
    await this.handBack([...this.claimedNow]);
  }

  private async handBack(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.dataSource.query(
      `update notifications set next_attempt_at = now(), attempts = greatest(attempts - 1, 0)
        where id = any($1::uuid[]) and state = 'pending' and feed_id is null and feed_document_id is null`,
      [ids],
    );
  }
}
