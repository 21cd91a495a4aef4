import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `seller_accounts.outage_runs`: the account's runs an outage cut short in a row, whatever replica ran
 * them, for the back-off of the next try (SyncScheduler). Kept on the account rather than in a
 * replica's memory, so any other end on any replica starts the count again. A constant default: the
 * column is added at once, without a rewrite of the table.
 */
export class SyncOutageStreak1766000000910 implements MigrationInterface {
  name = 'SyncOutageStreak1766000000910';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table seller_accounts add column if not exists outage_runs integer not null default 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table seller_accounts drop column if exists outage_runs`);
  }
}
