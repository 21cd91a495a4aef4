import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Costs flat per account (issue 18):
 * - `seller_accounts_due`: the scheduler's due query reads the due accounts in due order from an
 *   index instead of every account (its expression is the query's, see SyncScheduler.claimDue);
 * - `last_sync_succeeded_at`: when the account last synced successfully, kept on the account so
 *   sync health and the stall alert no longer read every account's run history (and runs can be pruned);
 * - `sync_replicas`: the order-ingestion replicas alive, for the scheduler's fair share.
 */
export class ManySellers1766000000700 implements MigrationInterface {
  name = 'ManySellers1766000000700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `create index seller_accounts_due on seller_accounts ((coalesce(sync_requested_at, next_sync_at, '-infinity'::timestamptz)))
        where deleted_at is null and (sync_enabled or sync_requested_at is not null)`,
    );
    await q.query(`alter table seller_accounts add column last_sync_succeeded_at timestamptz`);
    await q.query(
      `update seller_accounts a set last_sync_succeeded_at = (select max(r.finished_at) from sync_runs r where r.account_id = a.id and r.status = 'succeeded')`,
    );
    await q.query(`create table sync_replicas (replica text primary key, seen_at timestamptz not null default now())`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table sync_replicas`);
    await q.query(`alter table seller_accounts drop column last_sync_succeeded_at`);
    await q.query(`drop index seller_accounts_due`);
  }
}
