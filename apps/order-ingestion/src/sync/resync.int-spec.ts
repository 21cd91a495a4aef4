import { IngestionDatabase, insertSellerAccount } from '../../test/ingestion-database';
import type { SpApiClients } from '@connector/sp-api';
import { waitFor } from '@connector/testing';
import type { AccountsService } from '../accounts/accounts.service';
import { SellerAccount } from '../accounts/seller-account.entity';
import type { MarketplacesService } from '../marketplaces/marketplaces.service';
import { OrderIngestionSettings } from '../order-ingestion.settings';
import { AmazonOrderSource } from './amazon-order-source';
import type { OrdersV0Source } from './orders-v0.source';
import type { OrdersV2026Source } from './orders-v2026-01-01.source';
import { SyncAlerts } from './sync-alerts';
import { SyncRun } from './sync-run.entity';
import { SyncScheduler } from './sync-scheduler';
import { SyncService } from './sync.service';
import { DataSource } from 'typeorm';

/**
 * A resync on real PostgreSQL with the real SyncService and scheduler, Amazon's side stood in: the
 * cursor goes back, the date is checked, and a resync while a run is under way is not undone by
 * that run's end (it moves the cursor only from where it found it); the run the resync queued
 * reads from the date.
 */
describe('resync a period on real PostgreSQL', () => {
  const database = new IngestionDatabase();
  let db: DataSource;
  let scheduler: SyncScheduler | undefined;
  const settings = { SYNC_TICK_SECONDS: 0.2, SYNC_LEASE_SECONDS: 30, SYNC_OVERLAP_SECONDS: 0, SYNC_STALL_SECONDS: 30, SYNC_OVERDUE_INTERVALS: 3, SHUTDOWN_TIMEOUT_SECONDS: 4 } as OrderIngestionSettings;

  beforeAll(async () => {
    db = await database.setUp();
  });

  afterAll(async () => {
    await scheduler?.onApplicationShutdown();
    await database.tearDown();
  });

  const serviceWith = (source: Partial<AmazonOrderSource>) => {
    const full = { version: 'v2026-01-01', retryQuarantined: async () => undefined, ...source } as AmazonOrderSource;
    const clients = { for: () => ({ stats: { calls: {}, throttled: 0, rateLimitWaits: 0, rateLimitWaitMs: 0 }, waitingForQuota: () => [] }) } as unknown as SpApiClients;
    const accounts = {
      spApiAccess: () => ({}),
      get: async (id: string) => db.getRepository(SellerAccount).findOneByOrFail({ id }),
    } as unknown as AccountsService;
    const marketplaces = { findMany: async () => [] } as unknown as MarketplacesService;
    return new SyncService(db, db.getRepository(SyncRun), accounts, marketplaces, clients, settings, full as OrdersV0Source, full as OrdersV2026Source, new SyncAlerts(db, settings));
  };
  const cursorOf = async (id: string): Promise<Date | null> => (await db.query(`select last_synced_until from ingestion.seller_accounts where id = $1`, [id]))[0].last_synced_until;

  it('refuses a date in the future or before initialSyncFrom, naming `from`, and changes nothing', async () => {
    const accountId = await insertSellerAccount(db, { name: 'resync', sellerId: 'A2RESYNC0001', syncEnabled: false, initialSyncFrom: `now() - interval '2 days'` });
    await db.query(`update ingestion.seller_accounts set last_synced_until = now() - interval '1 hour' where id = $1`, [accountId]);
    const cursor = await cursorOf(accountId);
    const service = serviceWith({});
    for (const from of [new Date(Date.now() + 60_000), new Date(Date.now() - 3 * 86_400_000)]) {
      await expect(service.resync(accountId, from.toISOString())).rejects.toMatchObject({ body: { statusCode: 400, details: [expect.objectContaining({ field: 'from' })] } });
    }
    expect(await cursorOf(accountId)).toEqual(cursor);
    expect(await db.query(`select id from ingestion.sync_runs where account_id = $1`, [accountId])).toEqual([]);
  });

  it('a resync while a run is under way: that run leaves the reset cursor, and the queued run reads from the date', async () => {
    const accountId = await insertSellerAccount(db, { name: 'resync', sellerId: 'A2RESYNC0002', syncEnabled: true, initialSyncFrom: `now() - interval '2 days'` });
    const reads: Date[] = [];
    let release: () => void = () => undefined;
    const firstHeld = new Promise<void>((resolve) => (release = resolve));
    const service = serviceWith({
      readUpdatedSince: async ({ run }, from) => {
        reads.push(from);
        run.windowTo = new Date(Date.now() - 120_000);
        if (reads.length === 1) await firstHeld;
      },
    });
    scheduler = new SyncScheduler(db, service, settings);
    scheduler.onApplicationBootstrap();
    await waitFor(() => reads.length === 1, { what: 'the first run under way' });

    const from = new Date(Date.now() - 86_400_000);
    const answer = await service.resync(accountId, from.toISOString());
    expect(answer).toMatchObject({ accountId, status: 'queued', alreadyRunning: false, cursor: from.toISOString(), previousCursor: null });
    release();

    await waitFor(() => reads.length === 2, { what: 'the run the resync queued' });
    expect(reads[1]).toEqual(from);
    const runs = await waitFor(async () => {
      const rows: { id: string; status: string }[] = await db.query(`select id, status from ingestion.sync_runs where account_id = $1 order by created_at`, [accountId]);
      return rows.length === 2 && rows.every((r) => r.status === 'succeeded') ? rows : undefined;
    }, { what: 'both runs ended' });
    expect(runs[1].id).toBe(answer.runId);
    // The queued run moved the cursor on from the date, as any run does.
    expect((await cursorOf(accountId))!.getTime()).toBeGreaterThan(from.getTime());
  });
});
