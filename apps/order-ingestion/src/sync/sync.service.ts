import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { OrdersApiVersion, Page, SyncRunView } from '@connector/contracts';
import { listPage, SETTINGS } from '@connector/platform';
import { SpApiClient, SpApiClients } from '@connector/sp-api';
import { DataSource, Repository } from 'typeorm';
import { newRowId } from '@connector/persistence';
import { isDependencyOutage, retry, returnedRows } from '@connector/workers';
import { LeaseLostError } from '../accounts/account-lease';
import { AccountsService } from '../accounts/accounts.service';
import { SellerAccount } from '../accounts/seller-account.entity';
import { OrderIngestionSettings } from '../order-ingestion.settings';
import { MarketplacesService } from '../marketplaces/marketplaces.service';
import { PageOutcome } from '../orders/sales-order-page';
import { AmazonOrderSource, describeError, SyncPass } from './amazon-order-source';
import { StepsInFlight } from './each-page';
import { OrdersV0Source } from './orders-v0.source';
import { OrdersV2026Source } from './orders-v2026-01-01.source';
import { SyncAlerts } from './sync-alerts';
import { SyncRun } from './sync-run.entity';

export { LeaseLostError };

/** Why a run is stopped from outside (see SyncService.run's `control`). */
export class RunStoppedError extends Error {}

/** What the scheduler may tell a run under way. */
export interface RunControl {
  /** True once the service is shutting down: the run stops at its next page boundary. */
  stopRequested: () => boolean;
}

/** How often a run's progress is looked at (and never less often than a tenth of the stall time). */
const STALL_CHECK_MS = 5000;

/**
 * One sync pass over an account: retry quarantined orders, then read every order updated
 * since the cursor (minus the overlap), page by page, and move the cursor only after the
 * last page is committed. A crash re-reads the window; writes are idempotent. The reading
 * is the account's Orders API version's (AmazonOrderSource).
 */
@Injectable()
export class SyncService {
  private readonly logger = new Logger(SyncService.name);

  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(SyncRun) private readonly runs: Repository<SyncRun>,
    private readonly accounts: AccountsService,
    private readonly marketplaces: MarketplacesService,
    private readonly clients: SpApiClients,
    @Inject(SETTINGS) private readonly settings: OrderIngestionSettings,
    private readonly v0: OrdersV0Source,
    private readonly v2026: OrdersV2026Source,
    private readonly alerts: SyncAlerts,
  ) {}

  /** v0 for accounts that say so; every other account reads v2026-01-01. */
  private sourceFor(version: OrdersApiVersion): AmazonOrderSource {
    return version === OrdersApiVersion.V0 ? this.v0 : this.v2026;
  }

  /**
   * Runs one sync of the account under this replica's lease. It always ends with the run
   * recorded as succeeded or failed: a failure of any step fails the run, a run that makes no
   * progress for SYNC_STALL_SECONDS is abandoned (its late work can no longer commit), and a
   * shutdown stops it at its next page boundary.
   */
  async run(account: SellerAccount, trigger: SyncRun['trigger'], replica: string, renewLease: () => Promise<boolean>, control?: RunControl): Promise<SyncRun> {
    const windowFrom = account.lastSyncedUntil
      ? new Date(account.lastSyncedUntil.getTime() - this.settings.SYNC_OVERLAP_SECONDS * 1000)
      : account.initialSyncFrom;
    const run = this.runs.create({
      id: newRowId(),
      accountId: account.id,
      trigger,
      status: 'running',
      replica,
      createdAt: new Date(),
      finishedAt: null,
      progressedAt: null,
      windowFrom,
      windowTo: null,
      ordersSeen: 0,
      ordersCreated: 0,
      ordersUpdated: 0,
      ordersUnchanged: 0,
      ordersQuarantined: 0,
      apiCalls: 0,
      throttled: 0,
      errors: [],
    });
    // Under the lease no other replica runs this account, so a run still marked running was
    // cut short: its replica died (or stalled) and the lease ran out. Say so rather than show it
    // running forever. (A stalled replica that wakes up finds its lease gone and stops.)
    await this.runs.query(
      `update sync_runs set status = 'failed', finished_at = now(), errors = errors || $2::jsonb where account_id = $1 and status = 'running'`,
      [account.id, JSON.stringify([`interrupted: the lease expired before the run ended (its replica stopped); run ${run.id} read the window again`])],
    );
    await this.runs.insert(run);
    let client: SpApiClient | undefined;
    const before = { calls: 0, throttled: 0 };
    // Set once the run is abandoned (stalled): whatever of it still runs may not commit.
    let abandoned = false;
    const lease = { accountId: account.id, owner: replica, revoked: () => abandoned };
    const progress = { at: Date.now(), calls: 0 };
    const steps = new StepsInFlight();
    const calledOff = new AbortController();
    let watchdog: NodeJS.Timeout | undefined;
    let failure: unknown;
    try {
      client = this.clients.for(this.accounts.spApiAccess(account));
      before.calls = totalCalls(client);
      before.throttled = client.stats.throttled;
      const spApi = client;
      progress.calls = before.calls;
      // No page committed and no answer from Amazon (a call counted) for SYNC_STALL_SECONDS:
      // something under the run never settles. Abandon it rather than hold the account forever.
      const stallMs = this.settings.SYNC_STALL_SECONDS * 1000;
      const stalled = new Promise<never>((_, reject) => {
        watchdog = setInterval(() => {
          const calls = totalCalls(spApi);
          if (calls !== progress.calls) Object.assign(progress, { at: Date.now(), calls });
          if (Date.now() - progress.at >= stallMs) {
            abandoned = true;
            const reason = new RunStoppedError(
              `abandoned: no progress (no page committed, no answer from Amazon) for ${this.settings.SYNC_STALL_SECONDS} s, waiting on ${steps.describe()}; the lease is released and the next run reads the window again`,
            );
            calledOff.abort(reason);
            reject(reason);
          }
        }, Math.min(STALL_CHECK_MS, Math.max(100, stallMs / 10)));
        watchdog.unref();
      });
      stalled.catch(() => undefined);
      const marketplaces = new Map((await this.marketplaces.findMany(account.marketplaceIds)).map((m) => [m.marketplaceId, m]));
      const afterPage = async (outcome: PageOutcome) => {
        // The run is recorded as failed already; its stragglers change nothing of it.
        if (abandoned) throw new RunStoppedError('abandoned while a page was committing');
        progress.at = Date.now();
        run.progressedAt = new Date(progress.at);
        this.count(run, outcome);
        run.apiCalls = totalCalls(spApi) - before.calls;
        run.throttled = spApi.stats.throttled - before.throttled;
        await this.runs.save(run);
        if (!(await renewLease())) throw new LeaseLostError('lost the account lease; another replica carries on');
        if (control?.stopRequested()) throw new RunStoppedError('stopped at a page boundary: the service is shutting down; the next run reads on from the cursor');
      };
      const source = this.sourceFor(account.ordersApi);
      const pass: SyncPass = { account, client, marketplaces, run, lease, steps, signal: calledOff.signal, count: (outcome) => this.count(run, outcome), afterPage };
      const read = (from: Date, marketplaceIds: string[]) => source.readUpdatedSince(pass, from, marketplaceIds);
      const work = async () => {
        await source.retryQuarantined(pass);
        await read(windowFrom, account.marketplaceIds);
        // Marketplaces enabled after the cursor had moved: read from the start once. After the
        // incremental read, so new orders of the others do not wait for it. (A first run reads
        // everything from initialSyncFrom anyway.)
        const backfill = account.lastSyncedUntil ? account.backfillMarketplaceIds.filter((id) => account.marketplaceIds.includes(id)) : [];
        if (backfill.length) await read(account.initialSyncFrom, backfill);
        if (abandoned) throw new RunStoppedError('abandoned before the cursor moved');
        // Every page is committed: only now does the cursor move, and only while the lease is
        // still ours (a replica that stalled past it must not move another's cursor). The
        // backfills this run did are done; marketplaces enabled while it ran wait for one.
        const moved = await this.dataSource.query(
          `update seller_accounts
              set last_synced_until = $2,
                  backfill_marketplace_ids = array(
                    (select unnest(backfill_marketplace_ids) except select unnest($3::text[]))
                    union
                    (select unnest(marketplace_ids) except select unnest($4::text[])))
            where id = $1 and lease_owner = $5 and lease_expires_at > now()
            returning id`,
          [account.id, run.windowTo, account.backfillMarketplaceIds, account.marketplaceIds, replica],
        );
        if (returnedRows(moved).length === 0) throw new LeaseLostError('lost the account lease before the cursor moved; another replica carries on');
      };
      await Promise.race([work(), stalled]);
      run.status = 'succeeded';
    } catch (err) {
      run.status = 'failed';
      failure = err;
      run.errors = [...run.errors, describeError(err)];
      this.logger.warn(`sync of account ${account.id} failed: ${describeError(err)}`);
    } finally {
      clearInterval(watchdog);
      if (client) {
        run.apiCalls = totalCalls(client) - before.calls;
        run.throttled = client.stats.throttled - before.throttled;
      }
      run.finishedAt = new Date();
      // The run's end is recorded even through a short database outage; should it still fail,
      // the account's next run marks this one as interrupted.
      await retry(() => this.runs.save(run), { attempts: 6, baseMs: 500, maxMs: 5000, retriable: isDependencyOutage }).catch((err) =>
        this.logger.warn(`could not record the end of sync run ${run.id}: ${describeError(err)}`),
      );
    }
    await this.alerts.afterRun(account, { succeeded: run.status === 'succeeded', error: failure });
    return run;
  }

  private count(run: SyncRun, outcome: PageOutcome): void {
    run.ordersSeen += outcome.seen;
    run.ordersCreated += outcome.created;
    run.ordersUpdated += outcome.updated;
    run.ordersUnchanged += outcome.unchanged;
    run.ordersQuarantined += outcome.quarantined;
  }

  async list(accountId: string, query: { limit?: number; cursor?: string }): Promise<Page<SyncRunView>> {
    await this.accounts.get(accountId);
    // Newest first: a run history is read from its latest end.
    return listPage(this.runs.createQueryBuilder('r').where('r.accountId = :accountId', { accountId }), query, runView, { newestFirst: true });
  }
}

function totalCalls(client: SpApiClient): number {
  return Object.values(client.stats.calls).reduce((sum, n) => sum + n, 0);
}

export function runView(run: SyncRun): SyncRunView {
  return {
    id: run.id,
    accountId: run.accountId,
    trigger: run.trigger,
    status: run.status,
    startedAt: run.createdAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    windowFrom: run.windowFrom.toISOString(),
    windowTo: run.windowTo?.toISOString() ?? null,
    ordersSeen: run.ordersSeen,
    ordersCreated: run.ordersCreated,
    ordersUpdated: run.ordersUpdated,
    ordersUnchanged: run.ordersUnchanged,
    ordersQuarantined: run.ordersQuarantined,
    apiCalls: run.apiCalls,
    throttled: run.throttled,
    errors: run.errors,
  };
}
