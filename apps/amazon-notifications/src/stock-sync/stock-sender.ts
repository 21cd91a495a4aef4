import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AccountAccess, StockSyncIssue } from '@connector/contracts';
import { SETTINGS } from '@connector/platform';
import { MerchantAvailability, patchListingAvailability, SpApiError } from '@connector/sp-api';
import { backoffDelay, claimDueRows, inWorkContext, keepLeaseAlive, PeriodicWorker, returnedRows } from '@connector/workers';
import { DataSource, In } from 'typeorm';
import { AmazonAccessService } from '../amazon-access/amazon-access.service';
import { AmazonNotificationsSettings } from '../amazon-notifications.settings';
import { isTransientFailure, notifyBackoff } from '../notifications/notification-retries';
import { StockFeeds } from './stock-feeds';
import { StockUpdate } from './stock-update.entity';

const BATCH = 500;
/** More SKUs of an account due at once than this go by one JSON_LISTINGS_FEED per marketplace instead of a patch each. */
export const FEED_THRESHOLD = 20;
/**
 * When createFeed's quota is spent, SKUs that would have gone by feed go by patchListingsItem
 * instead if they take no more calls than this (SKUs × marketplaces; 5/s: about 12 s of the
 * account's patch quota); more wait, pending, until a createFeed token is back.
 */
export const PATCH_FALLBACK_MAX_CALLS = 60;
/**
 * A SKU's new value waits this long before it is sent: many changes of one stock movement (a
 * product sold under many SKUs, a big adjustment) arrive as separate events, and are sent together.
 */
export const SETTLE_MS = 1000;
/**
 * The rows a pass claims: pending, their value settled (SETTLE_MS since its last change, on the
 * database's clock); `$1` is SETTLE_MS in seconds. Exported so a test waits on this very rule.
 */
export const SETTLED_DUE_SQL = `status = 'pending' and updated_at <= now() - make_interval(secs => $1)`;
/** Accounts with rows `off` are asked this often whether stock sync was turned on. */
const OFF_RECHECK_MS = 30_000;

/** A marketplace where Amazon said the SKU is not listed is left out this long, then tried again (it may have been listed since). */
const UNLISTED_RECHECK_MS = 86_400_000;
/** Amazon's answer for a SKU with no listing in the marketplace (listing not found). */
const NOT_LISTED_CODES = new Set(['4000001', 'NOT_FOUND']);

/** Whether Amazon's issue says the SKU has no listing in that marketplace (rather than refusing the value). */
export function saysNotListed(issue: { code?: string; message?: string }): boolean {
  return NOT_LISTED_CODES.has(issue.code ?? '') || /\bnot (listed|found)\b/i.test(issue.message ?? '');
}

/** The quantity Amazon is told: the available one less the account's buffer, never below 0. */
export function quantityToPublish(available: number, buffer: number | undefined): number {
  return Math.max(0, available - Math.max(0, buffer ?? 0));
}

/** What a send tells Amazon, after the buffer: every marketplace `quantity`, but those with their own warehouse their own. */
export interface SentQuantities {
  quantity: number;
  marketplaces: Record<string, number>;
}

export function sentQuantities(access: AccountAccess, update: StockUpdate): SentQuantities {
  const marketplaces: Record<string, number> = {};
  for (const [marketplaceId, available] of Object.entries(update.marketplaceQuantities ?? {})) marketplaces[marketplaceId] = quantityToPublish(available, access.stockBuffer);
  return { quantity: quantityToPublish(update.availableQuantity, access.stockBuffer), marketplaces };
}

/**
 * The listing's fulfillment_availability in one marketplace: the quantity of the warehouse that
 * marketplace ships from (its own, else the default's), less the buffer; the account's handling time.
 */
export function availabilityIn(access: AccountAccess, update: StockUpdate, marketplaceId: string): MerchantAvailability {
  const available = update.marketplaceQuantities?.[marketplaceId] ?? update.availableQuantity;
  return {
    quantity: quantityToPublish(available, access.stockBuffer),
    ...(access.handlingTimeDays !== null && access.handlingTimeDays !== undefined ? { leadTimeToShipMaxDays: access.handlingTimeDays } : {}),
  };
}

/**
 * Sends due stock updates, per account: each SKU by patchListingsItem, in every marketplace of
 * the account (Amazon's listing is per marketplace; each is told the quantity of the warehouse it ships from), paced by the client's bucket for the
 * operation (5 rps, burst 5). Claimed rows keep their lease while sent (another replica never
 * sends the same SKU meanwhile), so one SKU's updates reach Amazon one after the other in
 * version order. A newer quantity that arrives during a send leaves its row pending: the
 * outcome of the older send is kept as "last sent" and the newer one goes next.
 */
@Injectable()
export class StockSender implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(StockSender.name);
  private worker?: PeriodicWorker;
  private stopped = false;
  private readonly inFlight = new Set<string>();
  private offCheckedAt = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly amazon: AmazonAccessService,
    private readonly feeds: StockFeeds,
    @Inject(SETTINGS) private readonly settings: AmazonNotificationsSettings,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = new PeriodicWorker({
      name: 'sending stock to Amazon',
      pass: () => this.sendDue(),
      everyMs: this.settings.NOTIFY_POLL_MS,
      onError: (message) => this.logger.warn(message),
      stopWaitMs: 0,
    });
    this.worker.start();
  }

  kick(): void {
    this.worker?.kick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.worker?.stop();
  }

  async sendDue(): Promise<void> {
    await this.feeds.poll().catch((err) => this.logger.warn(`polling stock feeds failed: ${err.message}`));
    await this.resumeTurnedOn().catch((err) => this.logger.warn(`checking accounts with stock sync off failed: ${err.message}`));
    for (;;) {
      if (this.stopped) return;
      const ids = await claimDueRows(this.dataSource, {
        table: 'stock_updates',
        where: SETTLED_DUE_SQL,
        parameters: [SETTLE_MS / 1000],
        orderBy: 'next_attempt_at',
        limit: BATCH,
        leaseColumn: 'next_attempt_at',
        leaseSeconds: this.settings.NOTIFY_CLAIM_SECONDS,
        alsoSet: 'attempts = attempts + 1',
      });
      if (ids.length === 0) return;
      const rows = await this.dataSource.getRepository(StockUpdate).find({ where: { id: In(ids) }, order: { accountId: 'ASC', sku: 'ASC' } });
      const byAccount = new Map<string, StockUpdate[]>();
      for (const row of rows) byAccount.set(row.accountId, [...(byAccount.get(row.accountId) ?? []), row]);
      rows.forEach((r) => this.inFlight.add(r.id));
      const lease = this.keepClaimed();
      try {
        // Accounts side by side; within one, the client's bucket paces the calls.
        await Promise.all([...byAccount].map(([accountId, updates]) => inWorkContext({ accountId }, () => this.sendAccount(accountId, updates))));
      } finally {
        lease.stop();
        rows.forEach((r) => this.inFlight.delete(r.id));
      }
      if (ids.length < BATCH) return;
    }
  }

  /** `off` rows of accounts that have turned stock sync on become pending (due now); one request to order-ingestion for all the accounts. */
  private async resumeTurnedOn(): Promise<void> {
    if (Date.now() - this.offCheckedAt < OFF_RECHECK_MS) return;
    this.offCheckedAt = Date.now();
    const accounts: { account_id: string }[] = await this.dataSource.query(`select distinct account_id from stock_updates where status = 'off'`);
    if (accounts.length === 0 || this.stopped) return;
    // One question per thousand accounts (not an access read per account: that grew with the number
    // of accounts); the accounts of each answer are resumed as it arrives.
    await this.amazon.stockSyncOn(
      accounts.map((a) => a.account_id),
      async (turnedOn) => {
        if (this.stopped) return;
        await this.dataSource.query(
          `update stock_updates set status = 'pending', last_error = null, next_attempt_at = now(), updated_at = now() where account_id = any($1::uuid[]) and status = 'off'`,
          [turnedOn],
        );
      },
    );
  }

  private async sendAccount(accountId: string, updates: StockUpdate[]): Promise<void> {
    let access: AccountAccess;
    try {
      access = await this.amazon.access(accountId);
    } catch (err) {
      await Promise.all(updates.map((u) => this.failed(u, err)));
      return;
    }
    if (!access.stockSync) {
      // `off` rows are not due: claiming every SKU of such an account again and again would be work
      // for nothing. resumeTurnedOn() makes them pending again once the account turns stock sync on.
      await this.dataSource.query(
        `update stock_updates set status = 'off', attempts = 0, last_error = 'stock sync is off for this account: nothing is sent', updated_at = now()
          where id = any($1::uuid[]) and status = 'pending'`,
        [updates.map((u) => u.id)],
      );
      return;
    }
    const marketplaceIds = access.marketplaceIds ?? [];
    if (updates.length > FEED_THRESHOLD) {
      let quotaWaitMs: number;
      try {
        // Never wait for createFeed's quota inside the pass: the other accounts' stock waits with it.
        quotaWaitMs = await this.feeds.createFeedWaitMs(accountId, Math.max(1, marketplaceIds.length));
        if (quotaWaitMs === 0) {
          const submitted = await this.feeds.submit(
            access,
            marketplaceIds,
            updates.map((update) => ({ update, sent: sentQuantities(access, update), availabilityIn: (marketplaceId: string) => availabilityIn(access, update, marketplaceId) })),
          );
          // Amazon's quota spent though ours was not (a 429: other apps of the seller's share it). Only
          // with no feed of the batch that may exist (none created, none unsure) can no older value
          // overtake a patch; else the SKUs wait under the batch's hold.
          if (!submitted.quotaSpent) return;
          if (submitted.mayExist) {
            // Waiting for createFeed's quota is no failed attempt (a later back-off would grow from it).
            await this.dataSource.query(`update stock_updates set attempts = greatest(attempts - 1, 0) where id = any($1::uuid[])`, [updates.map((u) => u.id)]);
            return;
          }
          quotaWaitMs = submitted.quotaSpent.retryInMs;
        }
      } catch (err) {
        await Promise.all(updates.map((u) => this.failed(u, err)));
        return;
      }
      if (updates.length * marketplaceIds.length > PATCH_FALLBACK_MAX_CALLS) {
        await this.waitForFeedQuota(updates, quotaWaitMs);
        return;
      }
      this.logger.log(`createFeed's quota is spent for ${Math.ceil(quotaWaitMs / 1000)} s: stock of ${updates.length} SKU(s) goes by patchListingsItem instead`);
    }
    await Promise.all(updates.map((update) => this.patch(access, marketplaceIds, update)));
  }

  /** Too many SKUs to patch one by one: pending, due when createFeed's quota has a token again (the claim's attempt not counted). */
  private async waitForFeedQuota(updates: StockUpdate[], quotaWaitMs: number): Promise<void> {
    this.logger.log(`createFeed's quota is spent: stock of ${updates.length} SKU(s) goes by feed in ${Math.ceil(quotaWaitMs / 1000)} s`);
    await this.dataSource.query(
      `update stock_updates set next_attempt_at = now() + make_interval(secs => $2), attempts = greatest(attempts - 1, 0),
              last_error = 'waiting for the createFeed quota (Amazon allows one feed per two minutes, burst 15)', updated_at = now()
        where id = any($1::uuid[]) and status = 'pending'`,
      [updates.map((u) => u.id), quotaWaitMs / 1000],
    );
  }

  /**
   * One SKU in each marketplace where it is listed; any ERROR issue makes it `error` (what Amazon
   * took elsewhere stays taken). A marketplace where Amazon says it is not listed is remembered and
   * left out for a day (an INFO issue says so), so an offer listed in one marketplace of eight is not
   * `error` for ever; a SKU listed in none of them is `error`.
   */
  private async patch(access: AccountAccess, marketplaceIds: string[], update: StockUpdate): Promise<void> {
    const sent = sentQuantities(access, update);
    const unlistedIn: Record<string, string> = {};
    const issues: StockSyncIssue[] = [];
    for (const [marketplaceId, at] of Object.entries(update.unlistedIn ?? {}))
      if (marketplaceIds.includes(marketplaceId) && Date.now() - new Date(at).getTime() < UNLISTED_RECHECK_MS) unlistedIn[marketplaceId] = at;
    try {
      const client = await this.amazon.client(access.accountId);
      let invalid = false;
      let listedSomewhere = false;
      for (const marketplaceId of marketplaceIds) {
        if (unlistedIn[marketplaceId]) {
          issues.push({ code: 'NotListed', message: `not listed in this marketplace (as Amazon said at ${unlistedIn[marketplaceId]}): not sent here`, severity: 'INFO', marketplaceId });
          continue;
        }
        let answer: Awaited<ReturnType<typeof patchListingAvailability>>;
        try {
          answer = await patchListingAvailability(client, access.sellerId, update.sku, marketplaceId, availabilityIn(access, update, marketplaceId));
        } catch (err) {
          if (!(err instanceof SpApiError && err.status === 404)) throw err;
          answer = { status: 'INVALID', issues: [{ code: 'NOT_FOUND', message: err.message, severity: 'ERROR' }] } as typeof answer;
        }
        const answerIssues = answer.issues ?? [];
        if (answer.status === 'INVALID' && answerIssues.length > 0 && answerIssues.every((i) => i.severity !== 'ERROR' || saysNotListed(i))) {
          unlistedIn[marketplaceId] = new Date().toISOString();
          for (const issue of answerIssues) issues.push({ code: issue.code, message: issue.message, severity: 'INFO', marketplaceId });
          continue;
        }
        listedSomewhere = true;
        if (answer.status === 'INVALID') invalid = true;
        for (const issue of answerIssues) issues.push({ code: issue.code, message: issue.message, severity: issue.severity, marketplaceId, ...(issue.attributeNames ? { attributeNames: issue.attributeNames } : {}) });
      }
      if (!listedSomewhere && marketplaceIds.length > 0) {
        invalid = true;
        issues.push({ code: 'NotListed', message: `SKU ${update.sku} is not listed in any marketplace of the account`, severity: 'ERROR' });
      }
      await this.record(update, { status: invalid ? 'error' : 'accepted', sent, issues, via: 'patchListingsItem', error: null }, unlistedIn);
    } catch (err) {
      await this.failed(update, err, sent, unlistedIn);
    }
  }

  /**
   * What a send came to, for the version it sent. A newer version that came in meanwhile stays
   * pending and due now; the older send's outcome is still kept as the last sent.
   */
  private async record(
    update: StockUpdate,
    outcome: { status: 'accepted' | 'error' | 'sent'; sent: SentQuantities; issues: StockSyncIssue[]; via: StockUpdate['sentVia']; error: string | null },
    unlistedIn: Record<string, string>,
  ): Promise<void> {
    await this.dataSource.query(
      `update stock_updates
          set sent_version = $2, sent_quantity = $3, sent_marketplace_quantities = $9::jsonb, sent_at = now(), sent_via = $4, issues = $5::jsonb, updated_at = now(), unlisted_in = $8::jsonb,
              last_error = case when status = 'skipped' then last_error else $6 end,
              status = case when status = 'skipped' then 'skipped' when version = $2 then $7 else 'pending' end,
              attempts = case when version = $2 then attempts else 0 end,
              next_attempt_at = now()
        where id = $1`,
      [update.id, update.version, outcome.sent.quantity, outcome.via, JSON.stringify(outcome.issues), outcome.error, outcome.status, JSON.stringify(unlistedIn), JSON.stringify(outcome.sent.marketplaces)],
    );
  }

  /** Amazon away: try again with back-off. Amazon refusing the request itself (a 4xx): `error`, with its errors as issues. */
  private async failed(update: StockUpdate, err: unknown, sent?: SentQuantities, unlistedIn: Record<string, string> = update.unlistedIn ?? {}): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    if (isTransientFailure(err)) {
      const delayMs = backoffDelay(update.attempts, notifyBackoff(this.settings));
      this.logger.warn(`stock of SKU ${update.sku}: ${message}; retry in ${Math.round(delayMs / 1000)}s`);
      await this.dataSource.query(
        `update stock_updates set last_error = $2, next_attempt_at = now() + make_interval(secs => $3), updated_at = now() where id = $1 and status = 'pending'`,
        [update.id, message, delayMs / 1000],
      );
      return;
    }
    const issues: StockSyncIssue[] =
      err instanceof SpApiError && err.body?.errors ? err.body.errors.map((e) => ({ code: e.code ?? 'Refused', message: e.message ?? message, severity: 'ERROR' as const })) : [{ code: 'Refused', message, severity: 'ERROR' }];
    this.logger.warn(`stock of SKU ${update.sku} refused: ${message}`);
    if (sent === undefined) {
      // Nothing went to Amazon (the account's access was refused, the account is gone): no "last sent" to record.
      await this.dataSource.query(
        `update stock_updates set status = case when version = $2 then 'error' else 'pending' end, issues = $3::jsonb, last_error = $4, next_attempt_at = now(), updated_at = now() where id = $1 and status <> 'skipped'`,
        [update.id, update.version, JSON.stringify(issues), message],
      );
      return;
    }
    await this.record(update, { status: 'error', sent, issues, via: 'patchListingsItem', error: message }, unlistedIn);
  }

  private keepClaimed() {
    return keepLeaseAlive({
      renew: async () => {
        const ids = [...this.inFlight];
        if (ids.length === 0) return true;
        const renewed = returnedRows(
          // Only ever extends: a row in a feed whose report is not in is held for a day, and a newer
          // value arriving meanwhile (pending again) must keep that hold, or it would be patched
          // while the feed with the older value is still to be applied, and the feed would win.
          await this.dataSource.query(
            `update stock_updates set next_attempt_at = greatest(next_attempt_at, now() + make_interval(secs => $2)) where id = any($1::uuid[]) and status = 'pending' returning id`,
            [
              ids,
              this.settings.NOTIFY_CLAIM_SECONDS,
            ],
          ),
        );
        return renewed.length > 0;
      },
      everyMs: (this.settings.NOTIFY_CLAIM_SECONDS * 1000) / 4,
      onError: (err) => this.logger.warn(`extending the claim of stock updates failed: ${err.message}`),
    });
  }
}
