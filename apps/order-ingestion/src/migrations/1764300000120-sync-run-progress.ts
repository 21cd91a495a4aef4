import { MigrationInterface, QueryRunner } from 'typeorm';

/** When a sync run last made progress (a page committed): health tells a stuck run from a long one. */
export class SyncRunProgress1764300000120 implements MigrationInterface {
  name = 'SyncRunProgress1764300000120';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table sync_runs add column progressed_at timestamptz`);
    await q.query(`create index sync_runs_running on sync_runs (account_id) where status = 'running'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop index sync_runs_running`);
    await q.query(`alter table sync_runs drop column progressed_at`);
  }
}
