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
 * A SKU's new value waits this long before it is sent: many changes of one stock movement (a
 * product sold under many SKUs, a big adjustment) arrive as separate events, and are sent together.
 */
const SETTLE_MS = 1000;
/** An account with stock sync off looks again this much later (turning it on is picked up within it). */
const OFF_RECHECK_MS = 30_000;

/** The quantity Amazon is told: the available one less the account's buffer, never below 0. */
export function quantityToPublish(available: number, buffer: number | undefined): number {
  return Math.max(0, available - Math.max(0, buffer ?? 0));
}

/**
 * Sends due stock updates, per account: each SKU by patchListingsItem, in every marketplace of
 * the account (Amazon's listing is per marketplace), paced by the client's bucket for the
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
    for (;;) {
      if (this.stopped) return;
      const ids = await claimDueRows(this.dataSource, {
        table: 'stock_updates',
        where: `status = 'pending' and updated_at <= now() - make_interval(secs => $1)`,
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

  private async sendAccount(accountId: string, updates: StockUpdate[]): Promise<void> {
    let access: AccountAccess;
    try {
      access = await this.amazon.access(accountId);
    } catch (err) {
      await Promise.all(updates.map((u) => this.failed(u, err)));
      return;
    }
    if (!access.stockSync) {
      await this.dataSource.query(
        `update stock_updates set next_attempt_at = now() + make_interval(secs => $2), attempts = 0, last_error = 'stock sync is off for this account: nothing is sent', updated_at = now()
          where id = any($1::uuid[]) and status = 'pending'`,
        [updates.map((u) => u.id), OFF_RECHECK_MS / 1000],
      );
      return;
    }
    const marketplaceIds = access.marketplaceIds ?? [];
    if (updates.length > FEED_THRESHOLD) {
      try {
        await this.feeds.submit(access, marketplaceIds, updates.map((update) => ({ update, availability: this.availability(access, update) })));
      } catch (err) {
        await Promise.all(updates.map((u) => this.failed(u, err)));
      }
      return;
    }
    await Promise.all(updates.map((update) => this.patch(access, marketplaceIds, update)));
  }

  /** One SKU in each marketplace; any ERROR issue makes it `error` (what Amazon took elsewhere stays taken). */
  private async patch(access: AccountAccess, marketplaceIds: string[], update: StockUpdate): Promise<void> {
    const availability = this.availability(access, update);
    const quantity = availability.quantity;
    try {
      const client = await this.amazon.client(access.accountId);
      const issues: StockSyncIssue[] = [];
      let invalid = false;
      for (const marketplaceId of marketplaceIds) {
        const answer = await patchListingAvailability(client, access.sellerId, update.sku, marketplaceId, availability);
        if (answer.status === 'INVALID') invalid = true;
        for (const issue of answer.issues ?? []) issues.push({ code: issue.code, message: issue.message, severity: issue.severity, marketplaceId, ...(issue.attributeNames ? { attributeNames: issue.attributeNames } : {}) });
      }
      await this.record(update, { status: invalid ? 'error' : 'accepted', quantity, issues, via: 'patchListingsItem', error: null });
    } catch (err) {
      await this.failed(update, err, quantity);
    }
  }

  private availability(access: AccountAccess, update: StockUpdate): MerchantAvailability {
    const quantity = quantityToPublish(update.availableQuantity, access.stockBuffer);
    return { quantity, ...(access.handlingTimeDays !== null && access.handlingTimeDays !== undefined ? { leadTimeToShipMaxDays: access.handlingTimeDays } : {}) };
  }

  /**
   * What a send came to, for the version it sent. A newer version that came in meanwhile stays
   * pending and due now; the older send's outcome is still kept as the last sent.
   */
  private async record(update: StockUpdate, outcome: { status: 'accepted' | 'error' | 'sent'; quantity: number; issues: StockSyncIssue[]; via: StockUpdate['sentVia']; error: string | null }): Promise<void> {
    await this.dataSource.query(
      `update stock_updates
          set sent_version = $2, sent_quantity = $3, sent_at = now(), sent_via = $4, issues = $5::jsonb, updated_at = now(),
              last_error = case when status = 'skipped' then last_error else $6 end,
              status = case when status = 'skipped' then 'skipped' when version = $2 then $7 else 'pending' end,
              attempts = case when version = $2 then attempts else 0 end,
              next_attempt_at = now()
        where id = $1`,
      [update.id, update.version, outcome.quantity, outcome.via, JSON.stringify(outcome.issues), outcome.error, outcome.status],
    );
  }

  /** Amazon away: try again with back-off. Amazon refusing the request itself (a 4xx): `error`, with its errors as issues. */
  private async failed(update: StockUpdate, err: unknown, quantity?: number): Promise<void> {
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
    if (quantity === undefined) {
      // Nothing went to Amazon (the account's access was refused, the account is gone): no "last sent" to record.
      await this.dataSource.query(
        `update stock_updates set status = case when version = $2 then 'error' else 'pending' end, issues = $3::jsonb, last_error = $4, next_attempt_at = now(), updated_at = now() where id = $1 and status <> 'skipped'`,
        [update.id, update.version, JSON.stringify(issues), message],
      );
      return;
    }
    await this.record(update, { status: 'error', quantity, issues, via: 'patchListingsItem', error: message });
  }

  private keepClaimed() {
    return keepLeaseAlive({
      renew: async () => {
        const ids = [...this.inFlight];
        if (ids.length === 0) return true;
        const renewed = returnedRows(
          await this.dataSource.query(`update stock_updates set next_attempt_at = now() + make_interval(secs => $2) where id = any($1::uuid[]) and status = 'pending' returning id`, [
            ids,
            this.settings.NOTIFY_CLAIM_SECONDS,
          ]),
        );
        return renewed.length > 0;
      },
      everyMs: (this.settings.NOTIFY_CLAIM_SECONDS * 1000) / 4,
      onError: (err) => this.logger.warn(`extending the claim of stock updates failed: ${err.message}`),
    });
  }
}
