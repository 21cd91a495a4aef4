import { IngestionDatabase, insertSellerAccount } from '../../test/ingestion-database';
import { DataSource } from 'typeorm';
import { ManySellers1766000000700 } from './1766000000700-many-sellers';

/**
 * The upgrade to 1766000000700 on an install with history: each account gets its newest
 * successful sync, an account that never succeeded stays null, the due index is built (valid),
 * and the step can run again after a crash.
 */
describe('migration 1766000000700 (many sellers) on an install with sync history', () => {
  const database = new IngestionDatabase();
  let db: DataSource;

  beforeAll(async () => {
    db = await database.setUp();
  });

  afterAll(async () => {
    await database.tearDown();
  });

  const addRun = (accountId: string, status: string, hoursAgo: number) =>
    db.query(
      `insert into ingestion.sync_runs (id, account_id, trigger, status, replica, created_at, started_at, finished_at, orders_seen, orders_created, orders_updated, orders_unchanged, orders_quarantined, api_calls, throttled, errors)
       values (gen_random_uuid(), $1, 'schedule', $2, 'r', now() - $3 * interval '1 hour', now() - $3 * interval '1 hour', now() - $3 * interval '1 hour' + interval '1 second', 0, 0, 0, 0, 0, 1, 0, '[]')`,
      [accountId, status, hoursAgo],
    );

  it('gives each account its newest successful sync, in batches, and builds the due index', async () => {
    const synced = await insertSellerAccount(db, { sellerId: 'A2UPGRADE001' });
    await addRun(synced, 'succeeded', 30);
    await addRun(synced, 'succeeded', 5);
    await addRun(synced, 'failed', 1);
    const neverSucceeded = await insertSellerAccount(db, { sellerId: 'A2UPGRADE002' });
    await addRun(neverSucceeded, 'failed', 2);
    // More accounts than one backfill batch holds.
    const many: string[] = [];
    for (let i = 0; i < 520; i++) many.push(await insertSellerAccount(db, { sellerId: `A2UPG${String(i).padStart(7, '0')}` }));
    await db.query(
      `insert into ingestion.sync_runs (id, account_id, trigger, status, replica, created_at, started_at, finished_at, orders_seen, orders_created, orders_updated, orders_unchanged, orders_quarantined, api_calls, throttled, errors)
       select gen_random_uuid(), id, 'schedule', 'succeeded', 'r', now() - interval '3 hours', now() - interval '3 hours', now() - interval '3 hours', 0, 0, 0, 0, 0, 1, 0, '[]'
         from unnest($1::uuid[]) id`,
      [many],
    );
    // As before the migration: no column values, no index.
    await db.query(`update ingestion.seller_accounts set last_sync_succeeded_at = null`);
    await db.query(`drop index ingestion.seller_accounts_due`);

    const runner = db.createQueryRunner();
    try {
      await new ManySellers1766000000700().up(runner);
      // Again, as after a crash half-way: nothing changes, nothing fails.
      await new ManySellers1766000000700().up(runner);
    } finally {
      await runner.release();
    }

    const last = async (id: string) =>
      ((await db.query(`select last_sync_succeeded_at as at from ingestion.seller_accounts where id = $1`, [id])) as { at: Date | null }[])[0].at;
    const [newest] = await db.query(`select max(finished_at) as at from ingestion.sync_runs where account_id = $1 and status = 'succeeded'`, [synced]);
    expect(await last(synced)).toEqual(newest.at);
    expect(await last(neverSucceeded)).toBeNull();
    const [{ filled }] = await db.query(`select count(*)::int as filled from ingestion.seller_accounts where id = any($1::uuid[]) and last_sync_succeeded_at is not null`, [many]);
    expect(filled).toBe(many.length);
    const [index] = await db.query(`select indisvalid as valid from pg_index where indexrelid = to_regclass('ingestion.seller_accounts_due')`);
    expect(index).toEqual({ valid: true });
  });
});
