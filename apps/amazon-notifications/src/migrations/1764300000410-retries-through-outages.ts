import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A notification rides out an outage of Amazon: it remembers since when its tries have met
 * nothing but outages (the give-up horizon, NOTIFY_RETRY_HOURS) and how many did, so they do
 * not count among the tries Amazon answered (NOTIFY_MAX_ATTEMPTS).
 */
export class RetriesThroughOutages1764300000410 implements MigrationInterface {
  name = 'RetriesThroughOutages1764300000410';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table notifications add column retrying_since timestamptz, add column outage_tries int not null default 0`);
    // The bulk retry through the API looks for failed ones of an account (and kind).
    await q.query(`create index notifications_failed on notifications (account_id, kind, created_at) where state = 'failed'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop index notifications_failed`);
    await q.query(`alter table notifications drop column outage_tries, drop column retrying_since`);
  }
}
