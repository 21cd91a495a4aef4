import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A requested run keeps the correlation id of the request that asked for it: the request's log
 * lines carry that id, the run's carry the run's id, and the run's view links the two.
 */
export class SyncRunRequestCorrelation1765100000140 implements MigrationInterface {
  name = 'SyncRunRequestCorrelation1765100000140';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table sync_runs add column request_correlation_id text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table sync_runs drop column request_correlation_id`);
  }
}
