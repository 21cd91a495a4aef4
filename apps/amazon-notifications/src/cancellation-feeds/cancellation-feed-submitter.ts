import { Inject, Injectable, Logger } from '@nestjs/common';
import { AccountAccess, NotificationKind, NotificationState } from '@connector/contracts';
import { SETTINGS } from '@connector/platform';
import { CallNotStartedError, Feed, feedMayExist, SpApiClient, SpApiError, submitFeed } from '@connector/sp-api';
import { claimDueRows, keepLeaseAlive, LeaseHeartbeat, retry, returnedRows } from '@connector/workers';
import { DataSource } from 'typeorm';
import { AmazonAccessService } from '../amazon-access/amazon-access.service';
import { AmazonNotificationsSettings } from '../amazon-notifications.settings';
import { Notification } from '../notifications/notification.entity';
import { NotificationOutcomes } from '../notifications/notification-outcomes';
import { gaveUpMessage, isTransientFailure, notifyBackoff, outageOutlasted } from '../notifications/notification-retries';
import { requeueCancellation } from './cancellation-requeue';
import { CancellationItem, CancellationPayload, cancellationFeed, FEED_KINDS, FeedKind } from './cancellation-feeds';
import { amazonQuantitiesOrdered, compareWithAmazon, unfinishedAdjustmentFeeds } from './unit-cancellation-check';

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
    // The rows the lease keeps: those settled by looking at Amazon leave it.
    const ids = claimed.map((n) => n.id);
    const lease = this.keepClaimed(ids);
    let feedId: string | undefined;
    let recordedDocument: string | undefined;
    let sending: { notification: Notification; items?: CancellationItem[] }[] = claimed.map((notification) => ({ notification }));
    try {
      const [access, client] = [await this.amazon.access(accountId), await this.amazon.client(accountId)];
      if (kind === NotificationKind.UnitCancellation && claimed.some((n) => n.feedDocumentId)) {
        sending = await this.checkAtAmazon(access, client, marketplaceId, claimed);
        ids.splice(0, ids.length, ...sending.map((s) => s.notification.id));
        if (sending.length === 0) {
          lease.stop();
          return;
        }
      } else if (claimed.some((n) => n.feedDocumentId)) {
        this.logger.warn(`${claimed.filter((n) => n.feedDocumentId).length} cancellation(s) were in a feed document whose createFeed answer was never recorded; sending them again (Amazon warns about a repeated cancellation, nothing more)`);
      }
      const messageIds = sending.map((_, i) => i + 1);
      const feed = cancellationFeed(
        kind,
        access.sellerId,
        sending.map((s, i) => {
          const payload = s.notification.payload as CancellationPayload;
          return { messageId: messageIds[i], amazonOrderId: s.notification.amazonOrderId, payload: s.items ? { ...payload, items: s.items } : payload };
        }),
      );
      const submitted = await submitFeed(
        client,
        { feedType: feed.feedType, marketplaceIds: [marketplaceId], content: feed.content },
        {
          // A stopping service withdraws a submission whose createFeed has not gone out: its rows are handed back.
          mayStart: () => !stopped(),
          // A unit cancellation in a feed made twice is applied twice: a createFeed whose answer is lost is not tried again blindly.
          retryUnsure: kind !== NotificationKind.UnitCancellation,
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
      await this.submissionFailed(
        sending.map((s) => s.notification),
        err,
        recordedDocument !== undefined && feedMayExist(err),
      );
      return;
    }
    lease.stop();
    await this.recordFeed(feedId, ids);
    this.logger.log(`feed ${feedId}: ${sending.length} ${kind.replace(/_/g, ' ')}(s) for account ${accountId} in ${marketplaceId}`);
  }

  /**
   * Unit cancellations that may be in a feed at Amazon already (their document is recorded, the
   * createFeed answer is not): what Amazon already applied is sent (the outcome of a feed that
   * took it), what it did not goes in the feed again, what cannot be told yet waits (see
   * unit-cancellation-check.ts). Returns what is to be sent, with the items still to cancel.
   */
  private async checkAtAmazon(
    access: AccountAccess,
    client: SpApiClient,
    marketplaceId: string,
    claimed: Notification[],
  ): Promise<{ notification: Notification; items?: CancellationItem[] }[]> {
    const unsure = claimed.filter((n) => n.feedDocumentId);
    const sending: { notification: Notification; items?: CancellationItem[] }[] = claimed.filter((n) => !n.feedDocumentId).map((notification) => ({ notification }));
    const accountId = access.accountId;
    try {
      const since = new Date(Math.min(...unsure.map((n) => n.createdAt.getTime())));
      // Feeds whose ids we recorded are not the lost one (its id never reached us): only the others can hold it.
      const unfinished = await this.unknownFeeds(await unfinishedAdjustmentFeeds(client, marketplaceId, since));
      if (unfinished.length > 0) {
        this.logger.log({ msg: `${unsure.length} unit cancellation(s) wait for adjustment feed(s) ${unfinished.map((f) => f.feedId).join(', ')} to finish at Amazon before their orders are checked`, accountId });
        await this.waitForAmazon(unsure, null, 'an adjustment feed that may hold it is still processing at Amazon');
        return sending;
      }
    } catch (err) {
      await this.waitForAmazon(unsure, err, `Amazon's feeds could not be read to check it before sending it again: ${err.message}`);
      return sending;
    }
    const byOrder = new Map<string, Notification[]>();
    for (const n of unsure) byOrder.set(n.amazonOrderId, [...(byOrder.get(n.amazonOrderId) ?? []), n]);
    for (const [amazonOrderId, ofOrder] of byOrder) {
      let quantities: Map<string, number>;
      try {
        quantities = await amazonQuantitiesOrdered(client, access.ordersApi, amazonOrderId);
      } catch (err) {
        await this.waitForAmazon(ofOrder, err, `order ${amazonOrderId} could not be read at Amazon to check it before sending it again: ${err.message}`);
        continue;
      }
      for (const notification of ofOrder) {
        const atAmazon = compareWithAmazon(notification.payload as CancellationPayload, quantities);
        if (atAmazon.applied === true) {
          await this.dataSource.transaction((manager) =>
            this.outcomes.recordOutcome(manager, notification, NotificationState.Sent, null, { appliedAtAmazon: true, checkedAt: new Date().toISOString(), items: atAmazon.items }),
          );
          this.logger.log({ msg: `unit cancellation of order ${amazonOrderId} is applied at Amazon already (its feed's answer was lost): recorded as sent, not sent again`, accountId, amazonOrderId });
        } else if (atAmazon.applied === false) {
          this.logger.warn({ msg: `unit cancellation of order ${amazonOrderId} is not applied at Amazon (its feed's answer was lost): sending ${atAmazon.items.length} item(s) of it again`, accountId, amazonOrderId });
          sending.push({ notification, items: atAmazon.items });
        } else {
          const error = `cannot tell whether Amazon applied this unit cancellation (its feed's answer was lost and it does not name the units left): check order ${amazonOrderId} at Amazon and retry it by hand only if its units are not cancelled`;
          await this.dataSource.transaction((manager) => this.outcomes.recordOutcome(manager, notification, NotificationState.Failed, error, null));
        }
      }
    }
    return sending;
  }

  /**
   * Unit cancellations that cannot be checked now stay pending, marked as possibly in a feed
   * (never sent again unchecked), for another look after a back-off; an outage that outlasts
   * NOTIFY_RETRY_HOURS fails them (someone checks the order at Amazon).
   */
  private async waitForAmazon(notifications: Notification[], err: unknown, message: string): Promise<void> {
    const now = Date.now();
    const draw = Math.random();
    await this.dataSource.transaction(async (manager) => {
      for (const notification of notifications) {
        if (err === null && outageOutlasted(notification, this.settings, now)) {
          // Another tool's adjustment feeds, or Amazon's queue, kept it waiting NOTIFY_RETRY_HOURS: a person checks the order.
          const error = `${message} for ${this.settings.NOTIFY_RETRY_HOURS} h: check order ${notification.amazonOrderId} at Amazon and retry it by hand only if its units are not cancelled`;
          await this.outcomes.recordOutcome(manager, notification, NotificationState.Failed, error, null);
        } else if (err === null) {
          // A feed still processing is no failure: looked at again once the feed may be done, not counted as a try,
          // but the wait is bounded like an outage (retrying_since, NOTIFY_RETRY_HOURS).
          await manager.query(
            `update notifications set next_attempt_at = now() + make_interval(secs => $2), attempts = greatest(attempts - 1, 0), last_error = $3,
                    retrying_since = coalesce(retrying_since, now())
              where id = $1 and state = 'pending' and feed_id is null`,
            [notification.id, this.settings.FEED_POLL_MS / 1000, message],
          );
        } else if (isTransientFailure(err) && !outageOutlasted(notification, this.settings, now)) {
          await requeueCancellation(manager, notification, message, null, null, { backoff: notifyBackoff(this.settings), now, draw, outage: true, keepDocument: true });
        } else {
          const error = isTransientFailure(err) ? gaveUpMessage(notification, message) : message;
          await this.outcomes.recordOutcome(manager, notification, NotificationState.Failed, error, err instanceof SpApiError ? (err.body ?? null) : null, { cause: err });
        }
      }
    });
  }

  /** The feeds none of our notifications recorded (a feed whose createFeed answer was lost is one of them). */
  private async unknownFeeds(feeds: Feed[]): Promise<Feed[]> {
    if (feeds.length === 0) return feeds;
    const known: { feed_id: string }[] = await this.dataSource.query(`select distinct feed_id from notifications where feed_id = any($1::text[])`, [feeds.map((f) => f.feedId)]);
    const ids = new Set(known.map((row) => row.feed_id));
    return feeds.filter((f) => !ids.has(f.feedId));
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
   * `feedMayExist` (createFeed went out, its answer is lost): the rows keep their document id,
   * so a unit cancellation is checked at Amazon before it is sent again (checkAtAmazon).
   */
  private async submissionFailed(claimed: Notification[], err: unknown, feedMayExist: boolean): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    const transient = isTransientFailure(err);
    this.logger.warn(`a cancellation feed of ${claimed.length} order(s) could not be submitted: ${message}`);
    // One transaction for the whole batch, however large the feed was.
    const now = Date.now();
    const draw = Math.random();
    await this.dataSource.transaction(async (manager) => {
      for (const notification of claimed) {
        if (transient && !outageOutlasted(notification, this.settings, now)) {
          await requeueCancellation(manager, notification, message, null, null, { backoff: notifyBackoff(this.settings), now, draw, outage: true, keepDocument: feedMayExist });
        } else {
          const error = transient ? gaveUpMessage(notification, message) : message;
          // createFeed refused outright (a 4xx): no feed was made. An outage outlasted, or an answer lost, cannot tell; nor
          // can an earlier feed whose answer was lost (its document kept), unless the check at Amazon found it not applied.
          const earlierFeedUnsure = notification.feedDocumentId !== null && notification.kind !== NotificationKind.UnitCancellation;
          await this.outcomes.recordOutcome(manager, notification, NotificationState.Failed, error, err instanceof SpApiError ? (err.body ?? null) : null, {
            cause: err,
            refusedByAmazon: !transient && !feedMayExist && !earlierFeedUnsure,
          });
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
