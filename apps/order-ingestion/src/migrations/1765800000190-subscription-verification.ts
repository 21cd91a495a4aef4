import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * ORDER_CHANGE subscriptions are checked at Amazon again (getSubscription) daily and after the
 * account's credentials change: when, and for which credentials (a digest of the sealed refresh
 * token and LWA client id, never the secret). Polling relaxes only on a recent check.
 */
export class SubscriptionVerification1765800000190 implements MigrationInterface {
  name = 'SubscriptionVerification1765800000190';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table order_change_subscriptions add column verified_at timestamptz(3), add column credentials_digest text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table order_change_subscriptions drop column credentials_digest, drop column verified_at`);
  }
}
