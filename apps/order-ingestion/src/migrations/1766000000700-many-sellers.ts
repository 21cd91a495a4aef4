import { createIndexConcurrently, dropIndexConcurrently } from '@connector/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/** Accounts given their last successful sync per statement (each its own commit). */
const BACKFILL_BATCH = 500;

/**
 * Costs flat per account (issue 18):
 * - `seller_accounts_due`: the scheduler's due query reads the due accounts in due order from an
 *   index instead of every account (its expression is the query's, see SyncScheduler.claimDue);
 * - `last_sync_succeeded_at`: when the account last synced successfully, kept on the account so
 *   sync health and the stall alert no longer read every account's run history (and runs can be pruned);
 * - `sync_replicas`: the order-ingestion replicas alive, for the scheduler's fair share.
 * Outside a transaction, each step its own commit: seller_accounts is written all the time (leases,
 * cursors, old replicas still syncing during an upgrade), so the index is built concurrently and the
 * backfill goes a batch of accounts at a time, reading each account's newest succeeded run from
 * sync_runs_account (never all of a long history). Each step may be run again after a crash.
 */
export class ManySellers1766000000700 implements MigrationInterface {
  name = 'ManySellers1766000000700';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table seller_accounts add column if not exists last_sync_succeeded_at timestamptz`);
    await q.query(`create table if not exists sync_replicas (replica text primary key, seen_at timestamptz not null default now())`);
    await createIndexConcurrently(
      q,
      'seller_accounts_due',
      `on seller_accounts ((coalesce(sync_requested_at, next_sync_at, '-infinity'::timestamptz)))
        where deleted_at is null and (sync_enabled or sync_requested_at is not null)`,
    );
    // Accounts walked in id order; one that never succeeded stays null (as a new account's is).
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const batch: { id: string }[] = await q.query(`select id from seller_accounts where id > $1 order by id limit $2`, [after, BACKFILL_BATCH]);
      if (batch.length === 0) return;
      await q.query(
        `update seller_accounts a
            set last_sync_succeeded_at = (select r.finished_at from sync_runs r
                                           where r.account_id = a.id and r.status = 'succeeded'
                                           order by r.created_at desc limit 1)
          where a.id = any($1::uuid[]) and a.last_sync_succeeded_at is null`,
        [batch.map((row) => row.id)],
      );
      after = batch[batch.length - 1].id;
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await dropIndexConcurrently(q, 'seller_accounts_due');
    await q.query(`drop table if exists sync_replicas`);
    await q.query(`alter table seller_accounts drop column if exists last_sync_succeeded_at`);
  }
}
