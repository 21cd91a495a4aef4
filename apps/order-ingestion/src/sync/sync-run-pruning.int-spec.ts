import { IngestionDatabase, insertSellerAccount } from '../../test/ingestion-database';
import { DataSource } from 'typeorm';
import { OrderIngestionSettings } from '../order-ingestion.settings';
import { SyncRunPruning } from './sync-run-pruning';

/** Old sync runs go; the newest of each account, the recent ones and those queued or running stay. */
describe('sync run pruning on real PostgreSQL', () => {
  const database = new IngestionDatabase();
  let db: DataSource;

  beforeAll(async () => {
    db = await database.setUp();
  });

  afterAll(async () => {
    await database.tearDown();
  });

  /** `count` runs of the account, one an hour back from `hoursAgo` (the newest first), of this status. */
  const addRuns = (accountId: string, count: number, status: string, hoursAgo = 0) =>
    db.query(
      `insert into ingestion.sync_runs (id, account_id, trigger, status, replica, created_at, started_at, finished_at, orders_seen, orders_created, orders_updated, orders_unchanged, orders_quarantined, api_calls, throttled, errors)
       select gen_random_uuid(), $1, 'schedule', $2, 'r', now() - ($3::float8 + n) * interval '1 hour', now() - ($3::float8 + n) * interval '1 hour', now() - ($3::float8 + n) * interval '1 hour', 0, 0, 0, 0, 0, 1, 0, '[]'
         from generate_series(0, $4 - 1) n`,
      [accountId, status, hoursAgo, count],
    );
  const runsOf = async (accountId: string) =>
    (await db.query(`select status, round(extract(epoch from now() - created_at) / 3600)::int as hours from ingestion.sync_runs where account_id = $1 order by created_at desc`, [accountId])) as {
      status: string;
      hours: number;
    }[];

  it('deletes runs older than SYNC_RUNS_KEEP_DAYS beyond the newest SYNC_RUNS_KEEP_PER_ACCOUNT of each account, in batches', async () => {
    // 3 days of hourly runs, and one left running (its replica died) two days ago.
    const busy = await insertSellerAccount(db, { sellerId: 'A2PRUNE00001' });
    await addRuns(busy, 72, 'succeeded');
    await addRuns(busy, 1, 'running', 48.5);
    // Few runs, all old: all kept (fewer than the newest to keep).
    const quiet = await insertSellerAccount(db, { sellerId: 'A2PRUNE00002' });
    await addRuns(quiet, 5, 'failed', 100);
    // More than the newest to keep, all recent: all kept (younger than the days to keep).
    const recent = await insertSellerAccount(db, { sellerId: 'A2PRUNE00003' });
    await addRuns(recent, 11, 'succeeded');

    const pruning = new SyncRunPruning(db, { SYNC_RUNS_KEEP_DAYS: 0.5, SYNC_RUNS_KEEP_PER_ACCOUNT: 10 } as OrderIngestionSettings);
    // Kept: the 12 runs younger than 12 hours (more than the newest 10), and the one running.
    expect(await pruning.prune()).toBe(72 - 12);
    const kept = await runsOf(busy);
    expect(kept.filter((r) => r.status === 'succeeded').map((r) => r.hours)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(kept.filter((r) => r.status === 'running')).toHaveLength(1);
    expect(await runsOf(quiet)).toHaveLength(5);
    expect(await runsOf(recent)).toHaveLength(11);

    // The newest 10 are kept even when older than the days to keep.
    await db.query(`update ingestion.sync_runs set created_at = created_at - interval '30 days' where account_id = $1`, [busy]);
    expect(await pruning.prune()).toBe(2);
    expect((await runsOf(busy)).filter((r) => r.status === 'succeeded')).toHaveLength(10);
    expect(await pruning.prune()).toBe(0);
  });
});
