import { IngestionDatabase, insertSellerAccount } from '../../test/ingestion-database';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { SpApiClients } from '@connector/sp-api';
import { waitFor } from '@connector/testing';
import { assertLeaseHeld, LeaseLostError } from '../accounts/account-lease';
import type { AccountsService } from '../accounts/accounts.service';
import type { MarketplacesService } from '../marketplaces/marketplaces.service';
import { OrderIngestionSettings } from '../order-ingestion.settings';
import { AmazonOrderSource, SyncPass } from './amazon-order-source';
import type { OrdersV0Source } from './orders-v0.source';
import type { OrdersV2026Source } from './orders-v2026-01-01.source';
import { SyncRun } from './sync-run.entity';
import { SyncScheduler } from './sync-scheduler';
import { SyncAlerts } from './sync-alerts';
import { SyncService } from './sync.service';

/**
 * The life of a sync run on real PostgreSQL, with the real SyncService and scheduler and a
 * stand-in for Amazon's side (the order source): a run that hangs is abandoned, a stale replica
 * moves no cursor, a shutdown stops runs at a page boundary and hands the account back at once,
 * and health says when an account's sync is stuck.
 */
describe('sync runs on real PostgreSQL: stalls, stale replicas, shutdown, health', () => {
  const database = new IngestionDatabase();
  let db: DataSource;
  const schedulers: SyncScheduler[] = [];
  const settings = { SYNC_TICK_SECONDS: 0.2, SYNC_LEASE_SECONDS: 30, SYNC_OVERLAP_SECONDS: 0, SYNC_STALL_SECONDS: 1, SYNC_OVERDUE_INTERVALS: 3, SHUTDOWN_TIMEOUT_SECONDS: 4 } as OrderIngestionSettings;

  beforeAll(async () => {
    db = await database.setUp();
  });

  afterAll(async () => {
    for (const scheduler of schedulers) await scheduler.onApplicationShutdown();
    await database.tearDown();
  });

  let sellers = 0;
  const addAccount = async (fields: { syncEnabled?: boolean; createdSecondsAgo?: number } = {}) => {
    return insertSellerAccount(db, {
      name: 'run test',
      sellerId: `A2RUN${String(++sellers).padStart(6, '0')}`,
      syncEnabled: fields.syncEnabled ?? true,
      initialSyncFrom: `now() - interval '1 day'`,
      createdAt: `now() - interval '${Math.round(fields.createdSecondsAgo ?? 0)} seconds'`,
    });
  };
  const accountRow = async (id: string) =>
    (await db.query(`select lease_owner, last_synced_until, next_sync_at <= now() as due from ingestion.seller_accounts where id = $1`, [id]))[0];
  const runsOf = (id: string) => db.query(`select status, errors, progressed_at from ingestion.sync_runs where account_id = $1 order by created_at`, [id]);

  /** The real SyncService over a stand-in source; the SP-API client only counts calls (none). */
  const serviceWith = (source: Partial<AmazonOrderSource>) => {
    const full = { version: 'v2026-01-01', retryQuarantined: async () => undefined, ...source } as AmazonOrderSource;
    const clients = { for: () => ({ stats: { calls: {}, throttled: 0, rateLimitWaits: 0, rateLimitWaitMs: 0 }, waitingForQuota: () => [] }) } as unknown as SpApiClients;
    const accounts = { spApiAccess: () => ({}) } as unknown as AccountsService;
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

  it('a run that makes no progress for SYNC_STALL_SECONDS is abandoned: failed with the reason, lease released, and its late page cannot commit', async () => {
    const accountId = await addAccount();
    let hungPass: SyncPass | undefined;
    // Something under the run never settles (the hang after a NATS restart).
    start(serviceWith({ readUpdatedSince: (pass) => ((hungPass = pass), pass.steps.track('prepare page 4', new Promise<void>(() => undefined))) }));
    const [run] = await waitFor(async () => {
      const runs = await runsOf(accountId);
      return runs[0]?.status === 'failed' ? runs : undefined;
    }, { timeoutMs: 15_000, what: 'the hung run to be abandoned' });
    expect(run.errors.join(' ')).toMatch(/abandoned: no progress \(no page committed, no answer from Amazon\) for 1 s, waiting on prepare page 4;/);
    expect(await accountRow(accountId)).toMatchObject({ lease_owner: null, last_synced_until: null });
    // Its walk is called off: no further page step starts.
    expect(hungPass!.signal.aborted).toBe(true);
    // The hung work wakes up and tries to commit its page: refused, even though this replica
    // (same owner name) may hold the account's lease again by then.
    await db.query(`update ingestion.seller_accounts set lease_owner = $2, lease_expires_at = now() + interval '1 minute' where id = $1`, [accountId, hungPass!.lease.owner]);
    await expect(db.transaction((manager) => assertLeaseHeld(manager, hungPass!.lease))).rejects.toBeInstanceOf(LeaseLostError);
    await db.query(`update ingestion.seller_accounts set lease_owner = null, lease_expires_at = null, sync_enabled = false where id = $1`, [accountId]);
    await stopAll();
  });

  it('a replica whose lease was taken over during its run does not move the cursor', async () => {
    const accountId = await addAccount();
    start(
      serviceWith({
        readUpdatedSince: async ({ run }) => {
          run.windowTo = new Date();
          // Meanwhile this replica stalled past its lease and another took the account.
          await db.query(`update ingestion.seller_accounts set lease_owner = 'another-replica', lease_expires_at = now() + interval '1 minute' where id = $1`, [accountId]);
        },
      }),
    );
    const [run] = await waitFor(async () => {
      const runs = await runsOf(accountId);
      return runs[0]?.status === 'failed' ? runs : undefined;
    }, { what: 'the stale run to end' });
    expect(run.errors.join(' ')).toMatch(/lost the account lease before the cursor moved/);
    expect(await accountRow(accountId)).toMatchObject({ lease_owner: 'another-replica', last_synced_until: null });
    await db.query(`update ingestion.seller_accounts set sync_enabled = false where id = $1`, [accountId]);
    await stopAll();
  });

  it('on shutdown a run stops at its next page boundary and its lease is released at once; the account stays due for the next replica', async () => {
    const accountId = await addAccount();
    let pages = 0;
    const scheduler = start(
      serviceWith({
        // Pages go on for as long as they are let (a long initial sync).
        readUpdatedSince: async ({ run, afterPage }) => {
          run.windowTo = new Date();
          for (;;) {
            await new Promise((resolve) => setTimeout(resolve, 100));
            pages++;
            await afterPage({ seen: 1, created: 1, updated: 0, unchanged: 0, quarantined: 0, skipped: 0, committed: ['x'] });
          }
        },
      }),
    );
    await waitFor(() => pages >= 2, { what: 'the run under way' });
    const started = Date.now();
    await scheduler.beforeApplicationShutdown();
    expect(Date.now() - started).toBeLessThan(3000);
    const [run] = await runsOf(accountId);
    expect(run.status).toBe('failed');
    expect(run.errors.join(' ')).toMatch(/stopped at a page boundary: the service is shutting down/);
    expect(run.progressed_at).not.toBeNull();
    expect(await accountRow(accountId)).toMatchObject({ lease_owner: null, due: true });
    await db.query(`update ingestion.seller_accounts set sync_enabled = false where id = $1`, [accountId]);
    await stopAll();
  });

  it('on shutdown the lease of a run that cannot reach a page boundary in time is released all the same', async () => {
    const accountId = await addAccount();
    let started = false;
    const scheduler = start(serviceWith({ readUpdatedSince: () => ((started = true), new Promise<void>(() => undefined)) }));
    // Only the stall guard of the other test is too quick here.
    Object.assign(settings, { SYNC_STALL_SECONDS: 60 });
    try {
      await waitFor(() => started, { what: 'the run under way' });
      expect((await accountRow(accountId)).lease_owner).toBe(scheduler.replica);
      await scheduler.beforeApplicationShutdown();
      expect(await accountRow(accountId)).toMatchObject({ lease_owner: null });
    } finally {
      Object.assign(settings, { SYNC_STALL_SECONDS: 1 });
      await db.query(`update ingestion.seller_accounts set sync_enabled = false where id = $1`, [accountId]);
      await stopAll();
    }
  }, 20_000);

  it('health reports an account whose run is stuck and one whose last successful sync is overdue, and is green otherwise', async () => {
    await db.query(`update ingestion.seller_accounts set sync_enabled = false`);
    await db.query(`update ingestion.sync_runs set status = 'failed' where status = 'running'`);
    const scheduler = new SyncScheduler(db, serviceWith({}), settings);
    expect(await scheduler.syncHealth()).toEqual({ healthy: true, detail: 'every account synced in time' });

    const stuck = await addAccount({ syncEnabled: false });
    await db.query(
      `insert into ingestion.sync_runs (id, account_id, trigger, status, replica, created_at, window_from, orders_seen, orders_created, orders_updated, orders_unchanged, orders_quarantined, api_calls, throttled, errors, progressed_at)
       values ($1, $2, 'schedule', 'running', 'gone-replica', now() - interval '1 hour', now(), 300, 0, 0, 300, 0, 3, 0, '[]', now() - interval '50 minutes')`,
      [randomUUID(), stuck],
    );
    // Synced every hour; nothing succeeded in the 4 hours since it was created.
    const overdue = await addAccount({ createdSecondsAgo: 4 * 3600 });
    await db.query(`update ingestion.seller_accounts set next_sync_at = now() + interval '1 hour' where id = $1`, [overdue]);
    const report = await scheduler.syncHealth();
    expect(report.healthy).toBe(false);
    expect(report.detail).toContain(`account ${stuck}: sync stuck since`);
    expect(report.detail).toContain(`account ${overdue}: no successful sync since the account was created`);
  });
});
