import { IngestionDatabase, insertSellerAccount } from '../../test/ingestion-database';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Logger } from '@nestjs/common';
import { ServiceError } from '@connector/platform';
import type { SpApiClients } from '@connector/sp-api';
import { waitFor } from '@connector/testing';
import { inNewWorkContext, workContext, WorkContext } from '@connector/workers';
import type { AccountsService } from '../accounts/accounts.service';
import type { MarketplacesService } from '../marketplaces/marketplaces.service';
import { OrderIngestionSettings } from '../order-ingestion.settings';
import { PageOutcome } from '../orders/sales-order-page';
import { AmazonOrderSource } from './amazon-order-source';
import type { OrdersV0Source } from './orders-v0.source';
import type { OrdersV2026Source } from './orders-v2026-01-01.source';
import { SyncRun } from './sync-run.entity';
import { SyncAlerts } from './sync-alerts';
import { SyncScheduler } from './sync-scheduler';
import { SyncService } from './sync.service';

/**
 * A gate a test opens by hand: the stand-in for Amazon holds each page until it is let through.
 * Each open lets one waiter through, or the next one to come when none waits yet.
 */
class Gate {
  private waiting: (() => void)[] = [];
  private permits = 0;
  wait(): Promise<void> {
    if (this.permits > 0) {
      this.permits--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }
  get held(): number {
    return this.waiting.length;
  }
  open(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.permits++;
  }
}

const PAGE: PageOutcome = { seen: 10, created: 6, updated: 2, unchanged: 1, quarantined: 1, skipped: 0, committed: [] };

/**
 * Sync progress on real PostgreSQL with the real SyncService and scheduler, Amazon's side a
 * stand-in whose pages the test lets through one by one: the id a request answers is the run
 * that runs, a second request while it runs answers the same id, progress is written while the
 * run goes (pages, orders, calls, rate-limit waits, the step) and the counts are right at the end.
 */
describe('sync progress on real PostgreSQL: the run a request answers, progress as it goes', () => {
  const database = new IngestionDatabase();
  let db: DataSource;
  const schedulers: SyncScheduler[] = [];
  const settings = { SYNC_TICK_SECONDS: 0.2, SYNC_LEASE_SECONDS: 30, SYNC_OVERLAP_SECONDS: 0, SYNC_STALL_SECONDS: 60, SYNC_OVERDUE_INTERVALS: 3, SHUTDOWN_TIMEOUT_SECONDS: 4 } as OrderIngestionSettings;
  /** The account's SP-API client as the run sees it: its counters are the test's to move. */
  const client = { stats: { calls: {} as Record<string, number>, throttled: 0, retried: 0, rateLimitWaits: 0, rateLimitWaitMs: 0 }, waiting: [] as string[], waitingForQuota: () => client.waiting };

  beforeAll(async () => {
    db = await database.setUp();
  });

  afterAll(async () => {
    for (const scheduler of schedulers) await scheduler.onApplicationShutdown();
    await database.tearDown();
  });

  let sellers = 0;
  /** An account that syncs only when asked (its interval is far off). */
  const addAccount = async () => {
    return insertSellerAccount(db, { name: 'progress test', sellerId: `A2PRG${String(++sellers).padStart(6, '0')}`, syncIntervalSeconds: 86400, initialSyncFrom: `now() - interval '1 day'`, nextSyncAt: `now() + interval '1 day'` });
  };

  const serviceWith = (source: Partial<AmazonOrderSource>) => {
    const full = { version: 'v2026-01-01', retryQuarantined: async () => undefined, ...source } as AmazonOrderSource;
    const clients = { for: () => client } as unknown as SpApiClients;
    const accounts = { spApiAccess: () => ({}), get: async (id: string) => ({ id }) } as unknown as AccountsService;
    const marketplaces = { findMany: async () => [] } as unknown as MarketplacesService;
    return new SyncService(db, db.getRepository(SyncRun), accounts, marketplaces, clients, settings, full as OrdersV0Source, full as OrdersV2026Source, new SyncAlerts(db, settings));
  };
  const start = (service: SyncService) => {
    const scheduler = new SyncScheduler(db, service, settings);
    schedulers.push(scheduler);
    scheduler.onApplicationBootstrap();
    return scheduler;
  };
  const stopAll = async () => {
    for (const scheduler of schedulers.splice(0)) await scheduler.onApplicationShutdown();
  };
  const runsOf = (accountId: string) => db.query(`select id, status, trigger from ingestion.sync_runs where account_id = $1 order by created_at`, [accountId]);

  /**
   * Three pages; each is fetched (a call to Amazon, part of it waiting for the quota) and
   * committed only when the test opens the gate, so the test sees the run between pages.
   */
  const pagedSource = (fetchGate: Gate, commitGate: Gate): Partial<AmazonOrderSource> => ({
    readUpdatedSince: async ({ run, steps, pageFetched, afterPage }) => {
      run.windowTo = new Date();
      for (let page = 1; page <= 3; page++) {
        client.waiting = ['searchOrders'];
        await steps.track(`fetch page ${page}`, fetchGate.wait());
        client.waiting = [];
        client.stats.calls.searchOrders = (client.stats.calls.searchOrders ?? 0) + 1;
        client.stats.rateLimitWaits += 1;
        client.stats.rateLimitWaitMs += 1500;
        if (page === 2) client.stats.throttled += 1;
        pageFetched();
        await steps.track(`commit page ${page}`, commitGate.wait());
        await afterPage(PAGE);
      }
    },
  });

  it('answers the id of the run that then runs, the same id to a second request while it runs, and shows its progress page by page', async () => {
    const accountId = await addAccount();
    const service = serviceWith(pagedSource(new Gate(), new Gate()));
    const fetchGate = new Gate();
    const commitGate = new Gate();
    const progressing = serviceWith(pagedSource(fetchGate, commitGate));

    // Asked before any replica runs: reserved as queued, and asked again it is the same run.
    const asked = await service.request(accountId);
    expect(asked).toMatchObject({ accountId, status: 'queued', alreadyRunning: false });
    expect(await service.request(accountId)).toMatchObject({ runId: asked.runId, status: 'queued', alreadyRunning: false });
    const queued = await service.get(accountId, asked.runId);
    expect(queued).toMatchObject({ id: asked.runId, status: 'queued', trigger: 'manual', replica: null, startedAt: null, windowFrom: null, pagesFetched: 0 });

    const scheduler = start(progressing);
    // The replica takes the account: the queued run is the one that runs (no second row).
    const running = await waitFor(async () => {
      const run = await service.get(accountId, asked.runId);
      return run.status === 'running' && fetchGate.held === 1 ? run : undefined;
    }, { what: 'the asked-for run running' });
    expect(running).toMatchObject({ trigger: 'manual', replica: scheduler.replica });
    expect(running.startedAt).not.toBeNull();
    expect(await runsOf(accountId)).toEqual([{ id: asked.runId, status: 'running', trigger: 'manual' }]);

    // A second request while it runs: that run's id, no second run queued.
    const again = await service.request(accountId);
    expect(again).toEqual({ accountId, runId: asked.runId, requestedAt: expect.any(String), status: 'running', alreadyRunning: true });
    expect(await runsOf(accountId)).toHaveLength(1);

    // While page 1 waits for Amazon's quota, the step says so (written between pages).
    const waiting = await waitFor(async () => {
      const run = await service.get(accountId, asked.runId);
      return run.step?.includes('waiting for the searchOrders quota') ? run : undefined;
    }, { what: 'the step of a run waiting for the quota' });
    expect(waiting.step).toContain('fetch page 1');

    // Page 1 fetched, not yet committed: fetched shows before the commit does.
    fetchGate.open();
    const fetched = await waitFor(async () => {
      const run = await service.get(accountId, asked.runId);
      return run.pagesFetched === 1 ? run : undefined;
    }, { what: 'the first page fetched' });
    expect(fetched).toMatchObject({ pagesCommitted: 0, ordersSeen: 0, apiCalls: 1, rateLimitWaits: 1, rateLimitWaitSeconds: 1.5 });
    expect(fetched.step).toContain('commit page 1');

    // Each committed page is visible at once, while the run goes on.
    const seen: number[] = [];
    for (let page = 1; page <= 2; page++) {
      commitGate.open();
      const after = await waitFor(async () => {
        const run = await service.get(accountId, asked.runId);
        return run.pagesCommitted === page ? run : undefined;
      }, { what: `page ${page} committed` });
      expect(after.status).toBe('running');
      expect(after.ordersSeen).toBe(10 * page);
      seen.push(after.ordersSeen);
      fetchGate.open();
    }
    expect(seen).toEqual([10, 20]);

    // Runs across accounts: this one is running.
    const everyRunning = await service.search({ status: 'running' });
    expect(everyRunning.items.map((r) => r.id)).toContain(asked.runId);
    expect((await service.search({ status: 'running', accountIds: [randomUUID()] })).items).toEqual([]);

    commitGate.open();
    const done = await waitFor(async () => {
      const run = await service.get(accountId, asked.runId);
      return run.status === 'succeeded' ? run : undefined;
    }, { what: 'the run to succeed' });
    expect(done).toMatchObject({
      pagesFetched: 3,
      pagesCommitted: 3,
      ordersSeen: 30,
      ordersCreated: 18,
      ordersUpdated: 6,
      ordersUnchanged: 3,
      ordersQuarantined: 3,
      apiCalls: 3,
      throttled: 1,
      rateLimitWaits: 3,
      rateLimitWaitSeconds: 4.5,
      step: null,
      errors: [],
    });
    expect(done.finishedAt).not.toBeNull();
    expect(await runsOf(accountId)).toEqual([{ id: asked.runId, status: 'succeeded', trigger: 'manual' }]);
    // The request is done: the account is no longer asked for, and no run is left queued.
    expect((await db.query(`select sync_requested_at from ingestion.seller_accounts where id = $1`, [accountId]))[0].sync_requested_at).toBeNull();
    expect((await service.search({ status: 'running', accountId })).items).toEqual([]);
    await stopAll();
  });

  it("a read's last page is written at once when another read (a backfill) follows it; only the run's final read leaves it to the run's end", async () => {
    const accountId = await addAccount();
    // A marketplace enabled after the cursor moved: the run reads it from the start after the incremental read.
    await db.query(`update ingestion.seller_accounts set last_synced_until = now() - interval '1 hour', backfill_marketplace_ids = '{A1PA6795UKMFR9}' where id = $1`, [accountId]);
    const committedWhenReadStarts: number[] = [];
    const service = serviceWith({
      readUpdatedSince: async ({ run, afterPage }) => {
        committedWhenReadStarts.push((await db.query(`select pages_committed from ingestion.sync_runs where id = $1`, [run.id]))[0].pages_committed);
        run.windowTo ??= new Date();
        await afterPage(PAGE, true);
      },
    });
    const asked = await service.request(accountId);
    start(service);
    const done = await waitFor(async () => {
      const run = await service.get(accountId, asked.runId);
      return run.status === 'succeeded' ? run : undefined;
    }, { what: 'the run with a backfill read to succeed' });
    // The backfill read started with the first read's page recorded; the final read's page went with the run's end.
    expect(committedWhenReadStarts).toEqual([0, 1]);
    expect(done).toMatchObject({ pagesCommitted: 2, ordersSeen: 20 });
    await stopAll();
  });

  it('answers 404 for another account\'s run and for a run that is not there', async () => {
    const mine = await addAccount();
    const other = await addAccount();
    const service = serviceWith({});
    const { runId } = await service.request(mine);
    await expect(service.get(other, runId)).rejects.toMatchObject({ body: { statusCode: 404 } });
    await expect(service.get(mine, randomUUID())).rejects.toBeInstanceOf(ServiceError);
    expect((await service.get(mine, runId)).id).toBe(runId);
    // Limited to other accounts: none of this account's runs.
    expect((await service.search({ accountIds: [other] })).items).toEqual([]);
    expect((await service.search({ accountIds: [mine], status: 'queued' })).items.map((r) => r.id)).toEqual([runId]);
  });

  it('a run still marked running by a replica that lost the account is not answered as under way: a new run is queued', async () => {
    const accountId = await addAccount();
    const service = serviceWith({});
    const stale = randomUUID();
    await db.query(
      `insert into ingestion.sync_runs (id, account_id, trigger, status, replica, created_at, started_at, window_from, errors) values ($1, $2, 'schedule', 'running', 'gone-replica', now() - interval '1 hour', now() - interval '1 hour', now(), '[]')`,
      [stale, accountId],
    );
    // Its replica died; its lease ran out.
    await db.query(`update ingestion.seller_accounts set lease_owner = 'gone-replica', lease_expires_at = now() - interval '1 minute' where id = $1`, [accountId]);
    const asked = await service.request(accountId);
    expect(asked).toMatchObject({ status: 'queued', alreadyRunning: false });
    expect(asked.runId).not.toBe(stale);
    // The lease held by another replica than the one that marked it: not under way either.
    await db.query(`update ingestion.seller_accounts set lease_owner = 'new-replica', lease_expires_at = now() + interval '1 minute' where id = $1`, [accountId]);
    expect(await service.request(accountId)).toMatchObject({ runId: asked.runId, status: 'queued' });
    // The replica holding the lease marked it running: that is the run under way.
    await db.query(`update ingestion.sync_runs set replica = 'new-replica' where id = $1`, [stale]);
    expect(await service.request(accountId)).toMatchObject({ runId: stale, status: 'running', alreadyRunning: true });
  });

  it('a scheduled run that meets a queued request takes it: the run answered is the one that ran', async () => {
    const accountId = await addAccount();
    const service = serviceWith({ readUpdatedSince: async ({ run, afterPage, pageFetched }) => ((run.windowTo = new Date()), pageFetched(), afterPage(PAGE)) });
    const { runId } = await service.request(accountId);
    // The interval came due at the same time: the scheduler's run is the requested one.
    await db.query(`update ingestion.seller_accounts set next_sync_at = now() where id = $1`, [accountId]);
    start(service);
    const done = await waitFor(async () => {
      const run = await service.get(accountId, runId);
      return run.status === 'succeeded' ? run : undefined;
    }, { what: 'the requested run to succeed' });
    expect(done).toMatchObject({ trigger: 'manual', pagesFetched: 1, pagesCommitted: 1, ordersSeen: 10 });
    expect(await runsOf(accountId)).toHaveLength(1);
    await stopAll();
  });

  it('links a request to its run: one line under the request\'s correlation id names the run, the run keeps that id, and a run already running is answered with its own requestedAt', async () => {
    const accountId = await addAccount();
    let letFinish!: () => void;
    const finish = new Promise<void>((resolve) => (letFinish = resolve));
    const service = serviceWith({ readUpdatedSince: async ({ run }) => ((run.windowTo = new Date()), finish) });
    const lines: { message: string; context: WorkContext }[] = [];
    const spy = jest.spyOn(Logger.prototype, 'log').mockImplementation((message: unknown) => void lines.push({ message: String(message), context: workContext() }));
    try {
      // As the request server runs a request: in a work context of the caller's X-Correlation-Id.
      const asked = await inNewWorkContext({ correlationId: 'trial-123' }, () => service.request(accountId));
      expect(lines.filter((l) => l.context.correlationId === 'trial-123')).toEqual([
        { message: `sync run ${asked.runId} queued for account ${accountId} (manual)`, context: { correlationId: 'trial-123', accountId } },
      ]);
      expect(await service.get(accountId, asked.runId)).toMatchObject({ requestCorrelationId: 'trial-123', trigger: 'manual' });
      // Asked again while it waits: the same run, with its own requestedAt; the first request's id stays on it.
      const queuedAgain = await inNewWorkContext({ correlationId: 'trial-124' }, () => service.request(accountId));
      expect(queuedAgain).toEqual({ accountId, runId: asked.runId, requestedAt: asked.requestedAt, status: 'queued', alreadyRunning: false });
      expect(lines.find((l) => l.context.correlationId === 'trial-124')?.message).toBe(`sync run ${asked.runId} already queued for account ${accountId} (manual)`);

      start(service);
      await waitFor(async () => (await service.get(accountId, asked.runId)).status === 'running', { what: 'the requested run running' });
      // The run's own lines (under the run's id) name the request that asked for it.
      expect(lines.find((l) => l.context.correlationId === asked.runId && l.message.includes('started'))?.message).toContain('(manual, asked for by request trial-123)');

      const again = await inNewWorkContext({ correlationId: 'trial-456' }, () => service.request(accountId));
      const run = await service.get(accountId, asked.runId);
      expect(again).toEqual({ accountId, runId: asked.runId, requestedAt: run.requestedAt, status: 'running', alreadyRunning: true });
      expect(again.requestedAt).toBe(asked.requestedAt);
      expect(lines.filter((l) => l.context.correlationId === 'trial-456').map((l) => l.message)).toEqual([`sync run ${asked.runId} already running for account ${accountId} (manual)`]);
      expect(run.requestCorrelationId).toBe('trial-123');
    } finally {
      spy.mockRestore();
      letFinish();
    }
    // A scheduled run has none. Made due once: a next sync brought forward while the requested run
    // still ends is kept by its release (asking again on every poll would start run after run).
    await db.query(`update ingestion.seller_accounts set next_sync_at = now() where id = $1`, [accountId]);
    const scheduled = await waitFor(async () => {
      const runs = await runsOf(accountId);
      return runs.length >= 2 && runs[1].status === 'succeeded' ? runs[1] : undefined;
    }, { what: 'a scheduled run' });
    expect(await service.get(accountId, scheduled.id)).toMatchObject({ trigger: 'schedule', requestCorrelationId: null });
    await stopAll();
  });
});
