import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { OrdersApiVersion, Page, ResyncRequestedView, SearchSyncRunsRequest, SyncRequestedView, SyncRunView } from '@connector/contracts';
import { listPage, ServiceError, SETTINGS } from '@connector/platform';
import { isAmazonAway, SpApiClient, SpApiClients } from '@connector/sp-api';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { currentCorrelationId, inNewWorkContext, inWorkContext, isConnectionOutage, isDependencyOutage, isServiceAway, retry, returnedRows } from '@connector/workers';
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
import { newSyncRun, SyncRun } from './sync-run.entity';
import { countSyncedOrders, countSyncRun, countSyncRunStart } from './sync.metrics';

export { LeaseLostError };

/** Why a run is stopped from outside (see SyncService.run's `control`). */
export class RunStoppedError extends Error {}

/** What the scheduler may tell a run under way. */
export interface RunControl {
  /** True once the service is shutting down: the run stops at its next page boundary. */
  stopRequested: () => boolean;
}

/**
 * What the scheduler learned of the account as it took its lease (see SyncScheduler.claimDue), so
 * a run skips what has nothing to do without asking the database. A run without hints asks.
 */
export interface RunHints {
  /** A run row queued (a request) or left running (its replica died): the run's start takes the account's lock. */
  runRowPending: boolean;
  /** Quarantined orders not yet resolved: retried first. */
  quarantined: boolean;
  /** Amazon refusing the credentials is an open alert episode: a success ends it. */
  credentialsRefused: boolean;
}

/** How a run ended, for the scheduler: `outage` when a dependency going away (PostgreSQL, NATS, a service, Amazon's network) failed it. */
export interface SyncRunEnd {
  run: SyncRun;
  outage: boolean;
}

/**
 * Whether what failed a run was a dependency away (a connection to PostgreSQL or NATS lost, a service
 * not answering, Amazon's connection lost or a 503/504 of Amazon's): the run is tried again soon. The
 * narrow check, not isDependencyOutage: a statement timeout, a protocol violation or a heavy request
 * timing out repeat on every retry, and wait the account's interval like any failure of the run's own.
 */
export function isRunOutage(err: unknown): boolean {
  return isConnectionOutage(err) || isServiceAway(err) || isAmazonAway(err);
}

/** How often a run's progress is looked at (and never less often than a tenth of the stall time). */
const STALL_CHECK_MS = 5000;
/**
 * How often a run's progress is written while it waits between pages (Amazon's quota can hold a
 * page for minutes): pages fetched, calls, rate-limit waits, the step. Committed pages write it too.
 */
const PROGRESS_WRITE_MS = 2000;
/** How long the end of a run is tried again through a database outage before the next run marks it interrupted. */
const RECORD_END_WITHIN_MS = 30_000;

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
   * shutdown stops it at its next page boundary. Says whether an outage cut it short (its
   * scheduler tries again soon rather than a whole interval later).
   */
  async run(account: SellerAccount, replica: string, renewLease: () => Promise<boolean>, control?: RunControl, hints?: RunHints): Promise<SyncRunEnd> {
    const windowFrom = account.lastSyncedUntil
      ? new Date(account.lastSyncedUntil.getTime() - this.settings.SYNC_OVERLAP_SECONDS * 1000)
      : account.initialSyncFrom;
    const run = hints && !hints.runRowPending ? await this.startScheduled(account, replica, windowFrom) : await this.start(account, replica, windowFrom);
    countSyncRunStart(run);
    // The run's id is its correlation id: its log lines, its requests to other services and the
    // events it writes carry it.
    return inNewWorkContext({ correlationId: run.id, accountId: account.id }, () => this.carryOut(run, account, windowFrom, replica, renewLease, control, hints));
  }

  private async carryOut(
    run: SyncRun,
    account: SellerAccount,
    windowFrom: Date,
    replica: string,
    renewLease: () => Promise<boolean>,
    control?: RunControl,
    hints?: RunHints,
  ): Promise<SyncRunEnd> {
    const requestedBy = run.requestCorrelationId ? `, asked for by request ${run.requestCorrelationId}` : '';
    this.logger.log(`sync run ${run.id} started (${run.trigger}${requestedBy}), reading orders updated since ${windowFrom.toISOString()}`);
    let client: SpApiClient | undefined;
    const before = { calls: 0, throttled: 0, rateLimitWaits: 0, rateLimitWaitMs: 0 };
    // Set once the run is abandoned (stalled): whatever of it still runs may not commit.
    let abandoned = false;
    const lease = { accountId: account.id, owner: replica, revoked: () => abandoned };
    const progress = { at: Date.now(), calls: 0 };
    const steps = new StepsInFlight();
    const calledOff = new AbortController();
    let watchdog: NodeJS.Timeout | undefined;
    let progressWriter: NodeJS.Timeout | undefined;
    // The run's row is written by one write at a time, in order: a progress write never lands
    // after (and over) a later one or the run's end.
    const writes = new SerialWrites((err) => this.logger.warn(`could not record the progress of sync run ${run.id}: ${describeError(err)}`));
    let failure: unknown;
    try {
      client = this.clients.for(this.accounts.spApiAccess(account));
      Object.assign(before, { calls: totalCalls(client), throttled: client.stats.throttled, rateLimitWaits: client.stats.rateLimitWaits, rateLimitWaitMs: client.stats.rateLimitWaitMs });
      const spApi = client;
      progress.calls = before.calls;
      // Progress between pages: a run that waits minutes for Amazon's quota still shows what it
      // fetched, called and waited for, and on which step.
      progressWriter = setInterval(() => {
        this.takeCallStats(run, spApi, before);
        run.step = describeStep(steps, spApi);
        void writes.push(() => this.writeProgress(run));
      }, PROGRESS_WRITE_MS);
      progressWriter.unref();
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
      const afterPage = async (outcome: PageOutcome, last: boolean) => {
        // The run is recorded as failed already; its stragglers change nothing of it.
        if (abandoned) throw new RunStoppedError('abandoned while a page was committing');
        progress.at = Date.now();
        run.progressedAt = new Date(progress.at);
        this.count(run, outcome);
        run.pagesCommitted++;
        this.takeCallStats(run, spApi, before);
        run.step = describeStep(steps, spApi);
        // The last page's counts are written by the run's end, a few statements later: one write
        // less per run, most of which (nothing new at Amazon) have one page only (issue 18).
        if (!last) await writes.push(() => this.writeProgress(run), { rethrow: true });
        if (!(await renewLease())) throw new LeaseLostError('lost the account lease; another replica carries on');
        if (control?.stopRequested()) throw new RunStoppedError('stopped at a page boundary: the service is shutting down; the next run reads on from the cursor');
      };
      const source = this.sourceFor(account.ordersApi);
      const pass: SyncPass = {
        account,
        client,
        marketplaces,
        run,
        lease,
        steps,
        signal: calledOff.signal,
        quarantinedThisRun: new Set(),
        count: (outcome) => this.count(run, outcome),
        pageFetched: () => void run.pagesFetched++,
        afterPage,
      };
      // Only the run's final read may leave its last page's counts to the run's end: after any
      // other read, more pages (and seconds) come before that end.
      const read = (from: Date, marketplaceIds: string[], final: boolean) =>
        source.readUpdatedSince({ ...pass, afterPage: (outcome, last) => afterPage(outcome, last && final) }, from, marketplaceIds);
      const work = async () => {
        if (hints?.quarantined !== false) await source.retryQuarantined(pass);
        // Marketplaces enabled after the cursor had moved: read from the start once. After the
        // incremental read, so new orders of the others do not wait for it. (A first run reads
        // everything from initialSyncFrom anyway.)
        const backfill = account.lastSyncedUntil ? account.backfillMarketplaceIds.filter((id) => account.marketplaceIds.includes(id)) : [];
        await read(windowFrom, account.marketplaceIds, backfill.length === 0);
        if (backfill.length) await read(account.initialSyncFrom, backfill, true);
        if (abandoned) throw new RunStoppedError('abandoned before the cursor moved');
        // Every page is committed: only now does the cursor move, and only while the lease is
        // still ours (a replica that stalled past it must not move another's cursor). The
        // backfills this run did are done; marketplaces enabled while it ran wait for one.
        // The cursor moves only from where this run found it: a resync that set it back meanwhile
        // (see resync) stays, and the run it queued reads from there.
        const moved = await this.dataSource.query(
          `update seller_accounts
              set last_synced_until = case when last_synced_until is not distinct from $6 then $2 else last_synced_until end,
                  last_sync_succeeded_at = now(),
                  backfill_marketplace_ids = array(
                    (select unnest(backfill_marketplace_ids) except select unnest($3::text[]))
                    union
                    (select unnest(marketplace_ids) except select unnest($4::text[])))
            where id = $1 and lease_owner = $5 and lease_expires_at > now()
            returning id`,
          [account.id, run.windowTo, account.backfillMarketplaceIds, account.marketplaceIds, replica, account.lastSyncedUntil],
        );
        if (returnedRows(moved).length === 0) throw new LeaseLostError('lost the account lease before the cursor moved; another replica carries on');
      };
      await Promise.race([work(), stalled]);
      run.status = 'succeeded';
      this.logger.log(
        `sync run ${run.id} succeeded: ${run.ordersSeen} orders seen, ${run.ordersCreated} created, ${run.ordersUpdated} updated, ${run.ordersUnchanged} unchanged, ${run.ordersQuarantined} quarantined`,
      );
    } catch (err) {
      run.status = 'failed';
      failure = err;
      run.errors = [...run.errors, describeError(err)];
      this.logger.warn(`sync of account ${account.id} failed: ${describeError(err)}`);
    } finally {
      clearInterval(watchdog);
      clearInterval(progressWriter);
      if (client) this.takeCallStats(run, client, before);
      run.finishedAt = new Date();
      run.step = null;
      countSyncRun(run);
      // The run's end is recorded even through a short database outage; should it still fail,
      // the account's next run marks this one as interrupted.
      await writes.push(() => retry(() => this.recordEnd(run), { withinMs: RECORD_END_WITHIN_MS, baseMs: 500, maxMs: 5000, retriable: isDependencyOutage }), { rethrow: true }).catch((err) =>
        this.logger.warn(`could not record the end of sync run ${run.id}: ${describeError(err)}`),
      );
    }
    await this.alerts.afterRun(account, { succeeded: run.status === 'succeeded', error: failure }, hints && { credentialsRefused: hints.credentialsRefused });
    return { run, outage: run.status === 'failed' && isRunOutage(failure) };
  }

  /**
   * The run's row at its start, in one transaction under the account's row lock (the same lock a
   * sync request takes, see request): the run a request queued becomes this run (same id, trigger
   * manual), else a scheduled run is made. Under the lease no other replica runs this account, so
   * a run still marked running was cut short: its replica died (or stalled) and the lease ran
   * out. It is said so rather than shown running forever. (A stalled replica that wakes up finds
   * its lease gone and stops.)
   */
  private async start(account: SellerAccount, replica: string, windowFrom: Date): Promise<SyncRun> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`select id from seller_accounts where id = $1 for update`, [account.id]);
      const runs = manager.getRepository(SyncRun);
      const queued = await runs.findOne({ where: { accountId: account.id, status: 'queued' }, order: { createdAt: 'ASC' } });
      const now = new Date();
      const run =
        queued ??
        runs.create(newSyncRun({ accountId: account.id, trigger: 'schedule', createdAt: now, requestCorrelationId: null }));
      Object.assign(run, { status: 'running', replica, startedAt: now, windowFrom, step: 'starting' });
      await manager.query(
        `update sync_runs set status = 'failed', finished_at = now(), step = null, errors = errors || $2::jsonb where account_id = $1 and status = 'running'`,
        [account.id, JSON.stringify([`interrupted: the lease expired before the run ended (its replica stopped); run ${run.id} read the window again`])],
      );
      await runs.save(run);
      return run;
    });
  }

  /**
   * The run's row at its start when the scheduler saw no run row of the account queued or left
   * running as it took the lease: one insert, no lock. (A request that queues a run meanwhile is
   * the next run's: the lease's release keeps the account asked for while a run waits queued.)
   */
  private async startScheduled(account: SellerAccount, replica: string, windowFrom: Date): Promise<SyncRun> {
    const now = new Date();
    const run = this.runs.create(newSyncRun({ accountId: account.id, trigger: 'schedule', createdAt: now, requestCorrelationId: null }));
    Object.assign(run, { status: 'running', replica, startedAt: now, windowFrom, step: 'starting' });
    // Plain SQL: one of a few statements of every run, where TypeORM's query building cost more than the insert (issue 18).
    await this.dataSource.query(
      RUN_START_SQL,
      [run.id, run.accountId, run.trigger, run.status, run.replica, run.createdAt, run.requestCorrelationId, run.startedAt, run.windowFrom, run.step],
    );
    return run;
  }

  /**
   * The run's end: what a run changes after its start, in one update (the row exists since the
   * start, which wrote the rest). Plain SQL, as the insert above.
   */
  private async recordEnd(run: SyncRun): Promise<void> {
    await this.dataSource.query(
      RUN_END_SQL,
      [
        run.id, run.status, run.finishedAt, run.progressedAt, run.windowTo, run.step, JSON.stringify(run.errors),
        run.pagesFetched, run.pagesCommitted, run.ordersSeen, run.ordersCreated, run.ordersUpdated, run.ordersUnchanged,
        run.ordersQuarantined, run.apiCalls, run.throttled, run.rateLimitWaits, Math.round(run.rateLimitWaitMs),
      ],
    );
  }

  /**
   * POST /accounts/:id/sync: the run that will do it. A run under way (its replica still holds
   * the account's lease) is answered as it is, without queueing a second; a run already queued
   * is answered again; else a run is reserved as `queued` and the account marked as asked for.
   * The account's row lock orders this against a run's start: either the request sees the run
   * running, or the run sees the queued row and takes it.
   */
  async request(accountId: string): Promise<SyncRequestedView> {
    await this.accounts.get(accountId);
    // Under the request's own correlation id (the gateway's, or the caller's X-Correlation-Id): the
    // line below is what leads from the request to the run, whose own lines carry the run's id.
    const requestCorrelationId = currentCorrelationId() ?? null;
    const { answer, outcome } = await this.dataSource.transaction(async (manager) => {
      const holder = await lockAccount(manager, accountId);
      return this.queueRun(manager, accountId, holder, requestCorrelationId, { behindRunning: false });
    });
    inWorkContext({ accountId }, () => this.logger.log(`sync run ${answer.runId} ${outcome} for account ${accountId} (manual)`));
    return answer;
  }

  /**
   * POST /accounts/:id/resync: the account's cursor goes back to `from`, and a run is queued to
   * read from there (behind a run under way, which then leaves the cursor as set: see carryOut).
   * Orders read again that did not change write nothing (their content hash). `from` may be
   * neither in the future nor before the account's initialSyncFrom: what lies before that is not
   * the connector's to read (an earlier initialSyncFrom is a change of the account).
   */
  async resync(accountId: string, fromIso: string): Promise<ResyncRequestedView> {
    const account = await this.accounts.get(accountId);
    const from = new Date(fromIso);
    if (from.getTime() > Date.now()) throw ServiceError.badRequest('Validation failed', [{ field: 'from', errors: ['from must not be in the future'] }]);
    if (from.getTime() < account.initialSyncFrom.getTime()) {
      throw ServiceError.badRequest('Validation failed', [{ field: 'from', errors: [`from must not be before the account's initialSyncFrom (${account.initialSyncFrom.toISOString()})`] }]);
    }
    const requestCorrelationId = currentCorrelationId() ?? null;
    const { answer, outcome, previous } = await this.dataSource.transaction(async (manager) => {
      const holder = await lockAccount(manager, accountId);
      const [row]: { last_synced_until: Date | null }[] = await manager.query(`select last_synced_until from seller_accounts where id = $1`, [accountId]);
      await manager.query(`update seller_accounts set last_synced_until = $2 where id = $1`, [accountId, from]);
      return { ...(await this.queueRun(manager, accountId, holder, requestCorrelationId, { behindRunning: true })), previous: row.last_synced_until };
    });
    inWorkContext({ accountId }, () =>
      this.logger.log(`account ${accountId} resynced: cursor set back from ${previous?.toISOString() ?? '(none)'} to ${from.toISOString()}; sync run ${answer.runId} ${outcome}`),
    );
    return { ...answer, cursor: from.toISOString(), previousCursor: previous?.toISOString() ?? null };
  }

  /**
   * In the caller's transaction, under the account's row lock (lockAccount): the run that will
   * sync the account. A run under way (its replica still holds the lease) is answered as it is,
   * unless `behindRunning` (a resync: the run under way read from the old cursor); a run already
   * queued is answered again; else a run is reserved as `queued` and the account marked as asked for.
   */
  private async queueRun(
    manager: EntityManager,
    accountId: string,
    holder: string | null,
    requestCorrelationId: string | null,
    { behindRunning }: { behindRunning: boolean },
  ): Promise<{ answer: SyncRequestedView; outcome: string }> {
    const requestedAt = new Date();
    const runs = manager.getRepository(SyncRun);
    // Only the run of the replica holding the lease is under way: one marked running by a replica
    // that died is not (the next run marks it interrupted), and a request then queues a run.
    const running = holder && !behindRunning ? await runs.findOne({ where: { accountId, status: 'running', replica: holder }, order: { createdAt: 'DESC' } }) : null;
    // A run already running or queued is answered with its own requestedAt (when it was asked for or started), not this request's.
    if (running) return { outcome: 'already running', answer: { accountId, runId: running.id, requestedAt: running.createdAt.toISOString(), status: 'running', alreadyRunning: true } };
    // Due at once by the database's clock (the scheduler compares with now()), whatever this host's clock says.
    await manager.query(`update seller_accounts set sync_requested_at = least($2::timestamptz, now()) where id = $1`, [accountId, requestedAt]);
    const queued = await runs.findOne({ where: { accountId, status: 'queued' } });
    if (queued) return { outcome: 'already queued', answer: { accountId, runId: queued.id, requestedAt: queued.createdAt.toISOString(), status: 'queued', alreadyRunning: false } };
    const run = runs.create(newSyncRun({ accountId, trigger: 'manual', createdAt: requestedAt, requestCorrelationId }));
    await runs.insert(run);
    return { outcome: 'queued', answer: { accountId, runId: run.id, requestedAt: requestedAt.toISOString(), status: 'queued', alreadyRunning: false } };
  }

  /** The run's calls, throttles and rate-limit waits: what the account's client counted since the run began. */
  private takeCallStats(run: SyncRun, client: SpApiClient, before: { calls: number; throttled: number; rateLimitWaits: number; rateLimitWaitMs: number }): void {
    run.apiCalls = totalCalls(client) - before.calls;
    run.throttled = client.stats.throttled - before.throttled;
    run.rateLimitWaits = client.stats.rateLimitWaits - before.rateLimitWaits;
    run.rateLimitWaitMs = client.stats.rateLimitWaitMs - before.rateLimitWaitMs;
  }

  /** The progress columns only (never the status: only the run's end writes that). */
  private async writeProgress(run: SyncRun): Promise<void> {
    await this.runs.update(
      { id: run.id, status: 'running' },
      {
        progressedAt: run.progressedAt,
        windowTo: run.windowTo,
        pagesFetched: run.pagesFetched,
        pagesCommitted: run.pagesCommitted,
        ordersSeen: run.ordersSeen,
        ordersCreated: run.ordersCreated,
        ordersUpdated: run.ordersUpdated,
        ordersUnchanged: run.ordersUnchanged,
        ordersQuarantined: run.ordersQuarantined,
        apiCalls: run.apiCalls,
        throttled: run.throttled,
        rateLimitWaits: run.rateLimitWaits,
        rateLimitWaitMs: run.rateLimitWaitMs,
        step: run.step,
      },
    );
  }

  private count(run: SyncRun, outcome: PageOutcome): void {
    run.ordersSeen += outcome.seen;
    run.ordersCreated += outcome.created;
    run.ordersUpdated += outcome.updated;
    run.ordersUnchanged += outcome.unchanged;
    run.ordersQuarantined += outcome.quarantined;
    countSyncedOrders(outcome);
  }

  async list(accountId: string, query: { limit?: number; cursor?: string }): Promise<Page<SyncRunView>> {
    await this.accounts.get(accountId);
    // Newest first: a run history is read from its latest end.
    return listPage(this.runs.createQueryBuilder('r').where('r.accountId = :accountId', { accountId }), query, runView, { newestFirst: true });
  }

  /** One run of the account; another account's run is not found, as an unknown one. */
  async get(accountId: string, runId: string): Promise<SyncRunView> {
    const run = await this.runs.findOneBy({ id: runId, accountId });
    if (!run) throw ServiceError.notFound(`sync run ${runId} of account ${accountId} not found`);
    return runView(run);
  }

  /** Runs across accounts (of the caller's accounts only, when its key is limited), newest first. */
  async search(request: SearchSyncRunsRequest): Promise<Page<SyncRunView>> {
    const query = this.runs.createQueryBuilder('r');
    if (request.status) query.andWhere('r.status = :status', { status: request.status });
    if (request.accountId) query.andWhere('r.accountId = :accountId', { accountId: request.accountId });
    if (request.accountIds) query.andWhere('r.accountId = any(:accountIds::uuid[])', { accountIds: request.accountIds });
    return listPage(query, request, runView, { newestFirst: true });
  }
}

/**
 * Serialises the writes of one run's row. `push` answers when its write is done; a failed
 * progress write is reported and the run goes on (the next write carries the same counts), unless
 * the caller asks for the error (`rethrow`).
 */
class SerialWrites {
  private last: Promise<unknown> = Promise.resolve();

  constructor(private readonly onError: (err: unknown) => void) {}

  push(write: () => Promise<unknown>, options: { rethrow?: boolean } = {}): Promise<void> {
    const done = this.last.then(write);
    this.last = done.catch(() => undefined);
    return done.then(
      () => undefined,
      (err) => {
        if (options.rethrow) throw err;
        this.onError(err);
      },
    );
  }
}

/**
 * The account's row, locked for the caller's transaction (the lock a run's start takes too), and
 * the replica whose lease on it is still good; a removed or unknown account is a 404.
 */
async function lockAccount(manager: EntityManager, accountId: string): Promise<string | null> {
  const [account]: { holder: string | null }[] = await manager.query(
    `select case when lease_expires_at > now() then lease_owner end as holder from seller_accounts where id = $1 and deleted_at is null for update`,
    [accountId],
  );
  if (!account) throw ServiceError.notFound(`account ${accountId} not found`);
  return account.holder;
}

/** The step a running run is on, and which operations wait for Amazon's quota right now. */
function describeStep(steps: StepsInFlight, client: SpApiClient): string {
  const waiting = client.waitingForQuota();
  const doing = steps.describe();
  return waiting.length ? `${doing}; waiting for the ${waiting.join(', ')} quota` : doing;
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
    replica: run.replica,
    requestedAt: run.createdAt.toISOString(),
    requestCorrelationId: run.requestCorrelationId,
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    windowFrom: run.windowFrom?.toISOString() ?? null,
    windowTo: run.windowTo?.toISOString() ?? null,
    step: run.status === 'running' ? run.step : null,
    pagesFetched: run.pagesFetched,
    pagesCommitted: run.pagesCommitted,
    ordersSeen: run.ordersSeen,
    ordersCreated: run.ordersCreated,
    ordersUpdated: run.ordersUpdated,
    ordersUnchanged: run.ordersUnchanged,
    ordersQuarantined: run.ordersQuarantined,
    apiCalls: run.apiCalls,
    throttled: run.throttled,
    rateLimitWaits: run.rateLimitWaits,
    rateLimitWaitSeconds: Math.round(run.rateLimitWaitMs) / 1000,
    errors: run.errors,
  };
}

/**
 * A run's row at its start. Its columns and RUN_END_SQL's are listed by hand (plain SQL, issue 18):
 * sync-run-columns.int-spec checks them against SyncRun's, so a column added later is not left unwritten.
 */
export const RUN_START_SQL = `insert into sync_runs (id, account_id, trigger, status, replica, created_at, request_correlation_id, started_at, window_from, step,
                              pages_fetched, pages_committed, orders_seen, orders_created, orders_updated, orders_unchanged, orders_quarantined,
                              api_calls, throttled, rate_limit_waits, rate_limit_wait_ms, errors)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '[]'::jsonb)`;

/** The columns only a run's start writes: RUN_END_SQL sets every other one. */
export const RUN_START_ONLY_COLUMNS = ['id', 'account_id', 'trigger', 'replica', 'created_at', 'request_correlation_id', 'started_at', 'window_from'];

/** A run's end: everything a run changes after its start, in one update. */
export const RUN_END_SQL = `update sync_runs set status = $2, finished_at = $3, progressed_at = $4, window_to = $5, step = $6, errors = $7::jsonb,
              pages_fetched = $8, pages_committed = $9, orders_seen = $10, orders_created = $11, orders_updated = $12, orders_unchanged = $13,
              orders_quarantined = $14, api_calls = $15, throttled = $16, rate_limit_waits = $17, rate_limit_wait_ms = $18
        where id = $1`;
