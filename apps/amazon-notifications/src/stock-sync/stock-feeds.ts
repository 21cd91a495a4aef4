import { Inject, Injectable, Logger } from '@nestjs/common';
import { AccountAccess, StockSyncIssue } from '@connector/contracts';
import { SETTINGS } from '@connector/platform';
import { newRowId } from '@connector/persistence';
import { availabilityPatches, CallNotStartedError, feedMayExist, FINAL_FEED_STATUSES, getFeed, getFeedResultDocument, getFeeds, MerchantAvailability, QuotaSpentError, SpApiClient, submitFeed } from '@connector/sp-api';
import { backoffDelay, returnedRows } from '@connector/workers';
import { DataSource } from 'typeorm';
import { AmazonAccessService } from '../amazon-access/amazon-access.service';
import { AmazonNotificationsSettings } from '../amazon-notifications.settings';
import { notifyBackoff } from '../notifications/notification-retries';
import { StockUpdate } from './stock-update.entity';

export const JSON_LISTINGS_FEED = 'JSON_LISTINGS_FEED';
const JSON_CONTENT_TYPE = 'application/json; charset=UTF-8';
/** Rows in a feed wait this long at most for its report (a newer value of theirs waits with them, so it never overtakes the feed). */
const FEED_HOLD_SECONDS = 86_400;
/**
 * A feed record still `submitting` this long after its own submission began is given up by any
 * replica's poll (its submitter is taken as gone). The submitter renews it right before its own
 * submission and starts createFeed only while well inside it, so a live submission is not given up.
 */
const SUBMIT_STALE_SECONDS = 600;
/** createFeed is not started this close to the record's stale time (the poll of another replica may give it up). */
const SUBMIT_MARGIN_MS = 60_000;
/**
 * A feed that may have been created though its answer was lost (or its submitter died while
 * createFeed was out) is taken as possibly applied: its SKUs wait this long, Amazon's processing
 * window, then their current value is sent again, after anything that feed could still do.
 */
export const UNSURE_FEED_HOLD_SECONDS = 3600;
/**
 * An `unsure` feed is looked for with getFeeds this long after it became unsure, and again as
 * long as a listings feed of its marketplace is still processing at Amazon (getFeeds: one per 45 s).
 */
const UNSURE_CHECK_SECONDS = 60;
/** The `unsure` feeds due for a look (asked every pass: served by the partial index `stock_feeds_unsure`). */
export const UNSURE_DUE_SQL = `select id, account_id, marketplace_id, batch_id, created_at from stock_feeds
  where status = 'unsure' and next_poll_at <= now() and updated_at > now() - make_interval(secs => $1) order by next_poll_at limit 10`;
/** Our clock and Amazon's may differ a little: getFeeds looks back this much further. */
const CLOCK_MARGIN_MS = 10 * 60_000;
/** Between polls of a feed Amazon is processing (getFeed: 2 rps, burst 15). */
const POLL_SECONDS = 2;

interface FeedMessage {
  messageId: number;
  sku: string;
  updateId: string;
}

/** One entry of Amazon's JSON processing report (v2) `issues`. */
interface ReportIssue {
  messageId?: number;
  sku?: string;
  code?: string;
  severity: 'ERROR' | 'WARNING' | 'INFO';
  message: string;
  attributeName?: string;
}

/** The JSON_LISTINGS_FEED (listings feed schema v2) of some SKUs: a PATCH message each, replacing fulfillment_availability. */
export function listingsFeed(sellerId: string, messages: { messageId: number; sku: string; availability: MerchantAvailability }[]): string {
  return JSON.stringify({
    header: { sellerId, version: '2.0', issueLocale: 'en_US' },
    messages: messages.map((m) => ({ messageId: m.messageId, sku: m.sku, operationType: 'PATCH', productType: 'PRODUCT', patches: availabilityPatches(m.availability) })),
  });
}

/** Amazon's JSON processing report (v2): its issues, or one saying why it could not be read. */
export function reportIssues(report: string): ReportIssue[] {
  try {
    const parsed = JSON.parse(report);
    if (!Array.isArray(parsed?.issues)) throw new Error('no issues array');
    return parsed.issues.filter((i: ReportIssue) => typeof i?.message === 'string' && typeof i?.severity === 'string');
  } catch (err) {
    return [{ severity: 'ERROR', code: 'UnreadableReport', message: `the processing report could not be read: ${(err as Error).message}` }];
  }
}

/**
 * Many SKUs of an account at once go by JSON_LISTINGS_FEED, one feed per marketplace (Amazon
 * takes one marketplace per listings feed). The rows are marked `sent` and held (their next
 * value waits) in the same transaction that records the feeds; the document id is recorded before
 * createFeed, the feed id right after; the poller reads each report and, once every feed of the
 * batch is in, gives each SKU its status and issues. A submission that fails, or a record left
 * from a crash before createFeed answered, puts the SKUs back to pending: sent again.
 */
@Injectable()
export class StockFeeds {
  private readonly logger = new Logger(StockFeeds.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly amazon: AmazonAccessService,
    @Inject(SETTINGS) private readonly settings: AmazonNotificationsSettings,
  ) {}

  /**
   * How long until the account's createFeed quota (0.0083/s, burst 15, shared with the
   * cancellation feeds) has a token for each of `feeds` feeds: 0, now.
   */
  async createFeedWaitMs(accountId: string, feeds: number): Promise<number> {
    return (await this.amazon.client(accountId)).quotaWaitMs('createFeed', feeds);
  }

  /**
   * createFeed never waits for its quota here. Spent (our bucket or Amazon's 429) before any feed
   * of the batch may exist: every feed is `failed` (nothing reached Amazon) and its SKUs pending
   * again, due when a token is back. Spent after one may exist (created, or its answer lost): the
   * rest are `deferred`, made by the poll as tokens come back (only those marketplaces, never the
   * whole batch again), and the SKUs stay held until every feed of the batch is in. So an account
   * with more marketplaces than the quota's burst gets them all, a burst's worth at a time.
   * `mayExist`: some feed of the batch may be applied at Amazon, so its SKUs must not be patched.
   */
  async submit(
    access: AccountAccess,
    marketplaceIds: string[],
    updates: { update: StockUpdate; sent: { quantity: number; marketplaces: Record<string, number> }; availabilityIn: (marketplaceId: string) => MerchantAvailability }[],
  ): Promise<{ quotaSpent?: QuotaSpentError; created: number; mayExist: boolean }> {
    const batchId = newRowId();
    const messages: FeedMessage[] = updates.map((u, i) => ({ messageId: i + 1, sku: u.update.sku, updateId: u.update.id }));
    const feeds = marketplaceIds.map((marketplaceId) => ({ id: newRowId(), marketplaceId }));
    await this.dataSource.transaction(async (manager) => {
      for (const { update, sent } of updates) {
        await manager.query(
          `update stock_updates set status = case when status = 'skipped' then status else 'sent' end, sent_version = version, sent_quantity = $2,
                  sent_marketplace_quantities = $6::jsonb, sent_at = now(), sent_via = $3,
                  feed_batch_id = $4, issues = '[]', last_error = case when status = 'skipped' then last_error end, next_attempt_at = now() + make_interval(secs => $5), updated_at = now()
            where id = $1`,
          [update.id, sent.quantity, JSON_LISTINGS_FEED, batchId, FEED_HOLD_SECONDS, JSON.stringify(sent.marketplaces)],
        );
      }
      for (const feed of feeds)
        await manager.query(
          `insert into stock_feeds (id, account_id, marketplace_id, batch_id, status, messages, next_poll_at) values ($1, $2, $3, $4, 'submitting', $5::jsonb, now() + make_interval(secs => $6))`,
          [feed.id, access.accountId, feed.marketplaceId, batchId, JSON.stringify(messages), SUBMIT_STALE_SECONDS],
        );
    });
    const client = await this.amazon.client(access.accountId);
    let quotaSpent: QuotaSpentError | undefined;
    let created = 0;
    for (const feed of feeds) {
      if (quotaSpent) {
        // No createFeed token for this one either: not even its document is made.
        await this.dataSource.query(
          `update stock_feeds set status = 'deferred', last_error = $2, next_poll_at = now() + make_interval(secs => $3), updated_at = now() where id = $1 and status = 'submitting'`,
          [feed.id, quotaSpent.message, quotaSpent.retryInMs / 1000],
        );
        continue;
      }
      const content = listingsFeed(
        access.sellerId,
        updates.map((u, i) => ({ messageId: i + 1, sku: u.update.sku, availability: u.availabilityIn(feed.marketplaceId) })),
      );
      const outcome = await this.submitOne(client, feed, messages, content);
      if (outcome === 'created') created++;
      else if (outcome instanceof QuotaSpentError) quotaSpent = outcome;
    }
    // Any feed of the batch neither failed nor deferred (created, unsure, or given up by a poll after its document was made) may be applied at Amazon.
    const mayExist = created > 0 || (await this.dataSource.query(`select 1 from stock_feeds where batch_id = $1 and status not in ('failed', 'deferred') limit 1`, [batchId])).length > 0;
    if (!mayExist)
      // Nothing of the batch reached Amazon: its SKUs are free to go by patch or by a new batch.
      await this.dataSource.query(`update stock_feeds set status = 'failed', updated_at = now() where batch_id = $1 and status = 'deferred'`, [batchId]);
    await this.settleBatch(batchId, quotaSpent ? quotaSpent.retryInMs / 1000 : 0);
    return { quotaSpent, created, mayExist };
  }

  /**
   * One feed of a batch, its record `submitting`: made and recorded `submitted` ('created'), or
   * `unsure`, `failed`, or `deferred` when createFeed's quota is spent (the error returned).
   */
  private async submitOne(client: SpApiClient, feed: { id: string; marketplaceId: string }, messages: FeedMessage[], content: string): Promise<'created' | 'other' | QuotaSpentError> {
    // Each feed's stale time starts with its own submission: the ones before it may have waited long for createFeed's quota.
    let staleAt = await this.renew(feed.id);
    if (staleAt === undefined) return 'other'; // given up meanwhile by a poll: its SKUs are already back to pending.
    let createStarted = false;
    try {
      const { feedId } = await submitFeed(
        client,
        { feedType: JSON_LISTINGS_FEED, marketplaceIds: [feed.marketplaceId], content, contentType: JSON_CONTENT_TYPE },
        {
          beforeCreateFeed: async (feedDocumentId) => {
            staleAt = await this.renew(feed.id, feedDocumentId);
            if (staleAt === undefined) throw new Error('the feed record was given up before createFeed');
            createStarted = true;
          },
          // After a long wait for createFeed's quota the record may be near its stale time: not started then (nothing reached Amazon).
          mayStart: () => staleAt !== undefined && Date.now() < staleAt - SUBMIT_MARGIN_MS,
          // A createFeed whose answer was lost is not made again: the record is `unsure` instead.
          retryUnsure: false,
          withoutQuotaWait: true,
        },
      );
      const recorded = returnedRows(
        await this.dataSource.query(
          `update stock_feeds set feed_id = $2, status = 'submitted', next_poll_at = now() + make_interval(secs => $3), updated_at = now() where id = $1 and status = 'submitting' returning id`,
          [feed.id, feedId, POLL_SECONDS],
        ),
      );
      if (recorded.length === 0) {
        // A poll gave the record up while createFeed was out: the feed exists all the same, and its
        // SKUs may have been sent again since. Their current value goes again after its window.
        this.logger.warn(`stock feed ${feedId} in ${feed.marketplaceId} was created after its record was given up: its SKUs are sent again after it`);
        await this.dataSource.query(`update stock_feeds set feed_id = $2, status = 'unsure', updated_at = now() where id = $1`, [feed.id, feedId]);
        await this.holdAfterUnsure(messages.map((m) => m.updateId));
        return 'created';
      }
      this.logger.log(`stock of ${messages.length} SKU(s) sent to Amazon in ${feed.marketplaceId} by feed ${feedId}`);
      return 'created';
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof QuotaSpentError) {
        await this.dataSource.query(
          `update stock_feeds set status = 'deferred', last_error = $2, next_poll_at = now() + make_interval(secs => $3), updated_at = now() where id = $1 and status = 'submitting'`,
          [feed.id, message, err.retryInMs / 1000],
        );
        return err;
      }
      // A createFeed that went out and got no clear answer (timeout, 5xx) may have made the feed.
      const unsure = createStarted && !(err instanceof CallNotStartedError) && feedMayExist(err);
      this.logger.warn(`stock feed in ${feed.marketplaceId} not submitted${unsure ? ' (it may have reached Amazon)' : ''}: ${message}`);
      await this.dataSource.query(
        `update stock_feeds set status = $3, last_error = $2, next_poll_at = now() + make_interval(secs => $4), updated_at = now() where id = $1 and status = 'submitting'`,
        [feed.id, message, unsure ? 'unsure' : 'failed', UNSURE_CHECK_SECONDS],
      );
      return 'other';
    }
  }

  /**
   * The `deferred` feeds of batches whose other feeds are made, once createFeed's quota may have a
   * token: each made from what its SKUs were sent (their rows are held by the batch), one at a time.
   */
  private async submitDeferred(): Promise<void> {
    // A feed with no token (or no access to its account) for a whole feed hold is given up: its batch settles, its SKUs go again.
    const givenUp = returnedRows(
      await this.dataSource.query(
        `update stock_feeds set status = 'failed', last_error = 'not made within a day (no createFeed token, or the account could not be reached)', updated_at = now()
          where status = 'deferred' and created_at < now() - make_interval(secs => $1) returning batch_id`,
        [FEED_HOLD_SECONDS],
      ),
    ) as { batch_id: string }[];
    for (const batch of new Set(givenUp.map((g) => g.batch_id))) await this.settleBatch(batch);
    const due: { id: string; account_id: string; marketplace_id: string; batch_id: string; messages: FeedMessage[] }[] = await this.dataSource.query(
      `select id, account_id, marketplace_id, batch_id, messages from stock_feeds where status = 'deferred' and next_poll_at <= now() order by next_poll_at limit 10`,
    );
    for (const feed of due) {
      const claimed = returnedRows(
        await this.dataSource.query(
          `update stock_feeds set status = 'submitting', next_poll_at = now() + make_interval(secs => $2), updated_at = now() where id = $1 and status = 'deferred' returning id`,
          [feed.id, SUBMIT_STALE_SECONDS],
        ),
      );
      if (claimed.length === 0) continue; // another replica's
      let content: string;
      let client: SpApiClient;
      try {
        const access = await this.amazon.access(feed.account_id);
        client = await this.amazon.client(feed.account_id);
        const rows: { id: string; sent_quantity: number; sent_marketplace_quantities: Record<string, number> }[] = await this.dataSource.query(
          `select id, sent_quantity, sent_marketplace_quantities from stock_updates where id = any($1::uuid[])`,
          [feed.messages.map((m) => m.updateId)],
        );
        const byId = new Map(rows.map((r) => [r.id, r]));
        const leadTime = access.handlingTimeDays !== null && access.handlingTimeDays !== undefined ? { leadTimeToShipMaxDays: access.handlingTimeDays } : {};
        content = listingsFeed(
          access.sellerId,
          feed.messages.map((m) => {
            const row = byId.get(m.updateId);
            return { messageId: m.messageId, sku: m.sku, availability: { quantity: row?.sent_marketplace_quantities?.[feed.marketplace_id] ?? row?.sent_quantity ?? 0, ...leadTime } };
          }),
        );
      } catch (err) {
        this.logger.warn(`deferred stock feed ${feed.id}: ${err instanceof Error ? err.message : String(err)}`);
        await this.dataSource.query(`update stock_feeds set status = 'deferred', next_poll_at = now() + make_interval(secs => $2) where id = $1 and status = 'submitting'`, [
          feed.id,
          backoffDelay(3, notifyBackoff(this.settings)) / 1000,
        ]);
        continue;
      }
      await this.submitOne(client, { id: feed.id, marketplaceId: feed.marketplace_id }, feed.messages, content);
      await this.settleBatch(feed.batch_id);
    }
  }

  /** Renews a record still `submitting` (and records its document id): its new stale time, or undefined if a poll gave it up. */
  private async renew(feedId: string, feedDocumentId?: string): Promise<number | undefined> {
    const rows = returnedRows(
      await this.dataSource.query(
        `update stock_feeds set next_poll_at = now() + make_interval(secs => $2), feed_document_id = coalesce($3, feed_document_id), updated_at = now()
          where id = $1 and status = 'submitting' returning next_poll_at`,
        [feedId, SUBMIT_STALE_SECONDS, feedDocumentId ?? null],
      ),
    ) as { next_poll_at: Date }[];
    return rows[0] ? new Date(rows[0].next_poll_at).getTime() : undefined;
  }

  /** SKUs of a feed that may yet be applied: pending, due only after its processing window (a sooner send could be overwritten by it). */
  private async holdAfterUnsure(updateIds: string[]): Promise<void> {
    await this.dataSource.query(
      `update stock_updates set status = 'pending', attempts = 0, next_attempt_at = greatest(next_attempt_at, now() + make_interval(secs => $2)), updated_at = now()
        where id = any($1::uuid[]) and status <> 'off'`,
      [updateIds, UNSURE_FEED_HOLD_SECONDS],
    );
  }

  /** Reads the reports of the feeds Amazon has finished, and gives up on records left before createFeed answered. */
  async poll(): Promise<void> {
    // A record whose createFeed may have gone out (its document id is recorded) is `unsure`: possibly applied.
    const stale = returnedRows(
      await this.dataSource.query(
        `update stock_feeds set status = case when feed_document_id is null then 'failed' else 'unsure' end,
                last_error = case when feed_document_id is null then 'never reached Amazon (the service stopped while submitting it)'
                                  else 'may have reached Amazon (the service stopped while creating it): its SKUs are sent again after its processing window' end,
                next_poll_at = now() + make_interval(secs => $1), updated_at = now()
          where status = 'submitting' and next_poll_at <= now() returning id, batch_id`,
        [UNSURE_CHECK_SECONDS],
      ),
    ) as { id: string; batch_id: string }[];
    for (const batch of new Set(stale.map((s) => s.batch_id))) await this.settleBatch(batch);
    await this.checkUnsure();
    await this.submitDeferred();
    const due: { id: string; account_id: string; feed_id: string; batch_id: string }[] = await this.dataSource.query(
      `select id, account_id, feed_id, batch_id from stock_feeds where status = 'submitted' and next_poll_at <= now() order by next_poll_at limit 50`,
    );
    for (const feed of due) {
      try {
        const client = await this.amazon.client(feed.account_id);
        const status = await getFeed(client, feed.feed_id);
        if (!FINAL_FEED_STATUSES.includes(status.processingStatus)) {
          await this.dataSource.query(`update stock_feeds set next_poll_at = now() + make_interval(secs => $2) where id = $1`, [feed.id, POLL_SECONDS]);
          continue;
        }
        const issues: ReportIssue[] = status.resultFeedDocumentId
          ? reportIssues(await getFeedResultDocument(client, status.resultFeedDocumentId))
          : [{ severity: 'ERROR', code: status.processingStatus, message: `the feed ended ${status.processingStatus} without a report` }];
        await this.dataSource.query(`update stock_feeds set status = 'done', issues = $2::jsonb, updated_at = now() where id = $1`, [feed.id, JSON.stringify(issues)]);
        await this.settleBatch(feed.batch_id);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        this.logger.warn(`stock feed ${feed.feed_id}: ${message}`);
        await this.dataSource.query(`update stock_feeds set last_error = $2, next_poll_at = now() + make_interval(secs => $3), updated_at = now() where id = $1`, [
          feed.id,
          message,
          backoffDelay(3, notifyBackoff(this.settings)) / 1000,
        ]);
      }
    }
  }

  /**
   * An `unsure` feed (createFeed's answer lost) cannot be found by getFeeds (Amazon's list names no
   * input document), but whether it can still do anything can be: once no JSON_LISTINGS_FEED of its
   * marketplace made since it was created is in queue or in progress at Amazon, it either never
   * existed or is applied, and its SKUs' hold ends: their current value goes now rather than at
   * the end of the hour. The record becomes `cleared`. getFeeds never waits for its quota nor
   * retries here (the look is repeated anyway): an Amazon outage holds up the pass by one call.
   */
  private async checkUnsure(): Promise<void> {
    const due: { id: string; account_id: string; marketplace_id: string; batch_id: string; created_at: Date }[] = await this.dataSource.query(UNSURE_DUE_SQL, [UNSURE_FEED_HOLD_SECONDS]);
    for (const feed of due) {
      let unfinished: number;
      try {
        const client = await this.amazon.client(feed.account_id);
        const since = new Date(new Date(feed.created_at).getTime() - CLOCK_MARGIN_MS).toISOString();
        unfinished = (await getFeeds(client, { feedTypes: [JSON_LISTINGS_FEED], marketplaceIds: [feed.marketplace_id], processingStatuses: ['IN_QUEUE', 'IN_PROGRESS'], createdSince: since }, { withoutQuotaWait: true, maxRetries: 0 })).length;
      } catch (err) {
        const retryInSeconds = err instanceof QuotaSpentError ? err.retryInMs / 1000 : backoffDelay(3, notifyBackoff(this.settings)) / 1000;
        if (!(err instanceof QuotaSpentError)) this.logger.warn(`looking for unsure stock feed ${feed.id} with getFeeds failed: ${err instanceof Error ? err.message : String(err)}`);
        await this.dataSource.query(`update stock_feeds set next_poll_at = now() + make_interval(secs => $2) where id = $1 and status = 'unsure'`, [feed.id, Math.max(retryInSeconds, 1)]);
        // Amazon failing (or its quota spent): the others are looked for by a later pass, not each with a failing call in this one.
        break;
      }
      if (unfinished > 0) {
        await this.dataSource.query(`update stock_feeds set next_poll_at = now() + make_interval(secs => $2) where id = $1 and status = 'unsure'`, [feed.id, UNSURE_CHECK_SECONDS]);
        continue;
      }
      await this.dataSource.transaction(async (manager) => {
        const cleared = returnedRows(
          await manager.query(
            `update stock_feeds set status = 'cleared', last_error = 'no listings feed of its marketplace is processing at Amazon (getFeeds): whatever it did is done, its SKUs go again', updated_at = now()
              where id = $1 and status = 'unsure' returning id`,
            [feed.id],
          ),
        );
        if (cleared.length === 0) return;
        // Only rows still held by it (a hold longer than any claim; a claimed row is being sent, and keeps its claim),
        // and only once no feed of the batch can still apply an older value: one still being made or
        // processed keeps the hold, and its settling releases the rows.
        await manager.query(
          `update stock_updates set next_attempt_at = now(), updated_at = now()
            where feed_batch_id = $1 and status = 'pending' and next_attempt_at > now() + make_interval(secs => $2)
              and not exists (select 1 from stock_feeds f where f.batch_id = $1 and f.status in ('unsure', 'submitting', 'submitted', 'deferred'))`,
          [feed.batch_id, this.settings.NOTIFY_CLAIM_SECONDS * 2],
        );
      });
      this.logger.log(`unsure stock feed in ${feed.marketplace_id}: no listings feed processing at Amazon any more, its SKUs go again`);
    }
  }

  /**
   * Once every feed of a batch is done or failed: each SKU gets its issues (those of its message,
   * and those of no message, in each marketplace) and `accepted` or `error`; a failed submission
   * puts it back to pending. A SKU whose value changed meanwhile is pending and due now either way;
   * one settled ends the feed's hold (its next value must not wait the rest of the day).
   */
  private async settleBatch(batchId: string, retryInSeconds = 0): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const feeds: { marketplace_id: string; status: string; messages: FeedMessage[]; issues: ReportIssue[]; last_error: string | null }[] = await manager.query(
        `select marketplace_id, status, messages, issues, last_error from stock_feeds where batch_id = $1 for update`,
        [batchId],
      );
      if (feeds.length === 0 || feeds.some((f) => f.status === 'submitting' || f.status === 'submitted' || f.status === 'deferred')) return;
      // A `cleared` feed (unsure, then nothing of its kind processing at Amazon) may or may not have applied: its SKUs go again.
      const failed = feeds.find((f) => f.status === 'failed' || f.status === 'unsure' || f.status === 'cleared');
      // A feed that may yet be applied: every SKU waits its window, then its current value goes again.
      const unsure = feeds.some((f) => f.status === 'unsure');
      for (const message of feeds[0].messages) {
        const issues: StockSyncIssue[] = feeds.flatMap((f) =>
          f.issues
            .filter((i) => i.messageId === undefined || i.messageId === message.messageId)
            .map((i) => ({ code: i.code ?? 'FeedIssue', message: i.message, severity: i.severity, marketplaceId: f.marketplace_id, ...(i.attributeName ? { attributeNames: [i.attributeName] } : {}) })),
        );
        const outcome = failed ? 'pending' : issues.some((i) => i.severity === 'ERROR') ? 'error' : 'accepted';
        await manager.query(
          `update stock_updates
              set status = case when version = sent_version then $2 else 'pending' end,
                  issues = $3::jsonb, last_error = $4, updated_at = now(),
                  next_attempt_at = case when $7 then now() + make_interval(secs => $8)
                                         when version = sent_version and $2 <> 'pending' then now()
                                         when version = sent_version then now() + make_interval(secs => greatest($5::float8, $9::float8))
                                         else now() end
            where id = $1 and feed_batch_id = $6 and status <> 'skipped'`,
          [message.updateId, outcome, JSON.stringify(issues), failed?.last_error ?? null, backoffDelay(1, notifyBackoff(this.settings)) / 1000, batchId, unsure, UNSURE_FEED_HOLD_SECONDS, retryInSeconds],
        );
      }
    });
  }
}
