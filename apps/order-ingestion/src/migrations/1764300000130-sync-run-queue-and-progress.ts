import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sync progress through the API: a requested sync reserves its run as `queued` (no replica, no
 * window yet) so the request can answer the id of the run that will do it; runs record when they
 * started, pages fetched and committed, rate-limit waits and the step they are on, written as
 * they go.
 */
export class SyncRunQueueAndProgress1764300000130 implements MigrationInterface {
  name = 'SyncRunQueueAndProgress1764300000130';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table sync_runs alter column replica drop not null, alter column window_from drop not null`);
    await q.query(`
      alter table sync_runs
        add column started_at timestamptz(3),
        add column pages_fetched int not null default 0,
        add column pages_committed int not null default 0,
        add column rate_limit_waits int not null default 0,
        add column rate_limit_wait_ms bigint not null default 0,
        add column step text`);
    await q.query(`update sync_runs set started_at = created_at`);
    // At most one queued run per account: a second request while one waits answers that one.
    await q.query(`create unique index sync_runs_queued on sync_runs (account_id) where status = 'queued'`);
    // GET /sync-runs?status=running across accounts.
    await q.query(`create index sync_runs_status on sync_runs (status, created_at, id) where status in ('queued', 'running')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop index sync_runs_status`);
    await q.query(`drop index sync_runs_queued`);
    await q.query(`delete from sync_runs where status = 'queued'`);
    await q.query(`alter table sync_runs drop column started_at, drop column pages_fetched, drop column pages_committed, drop column rate_limit_waits, drop column rate_limit_wait_ms, drop column step`);
    await q.query(`update sync_runs set replica = '' where replica is null`);
    await q.query(`alter table sync_runs alter column replica set not null, alter column window_from set not null`);
  }
}
