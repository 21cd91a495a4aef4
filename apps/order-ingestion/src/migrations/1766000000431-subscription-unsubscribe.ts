import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An account deleted or with its sync off has its ORDER_CHANGE subscription deleted at Amazon
 * (deleteSubscriptionById); its row stays, `unsubscribing`, until Amazon confirms, tried again
 * with back-off (the count of failed tries here).
 */
export class SubscriptionUnsubscribe1766000000431 implements MigrationInterface {
  name = 'SubscriptionUnsubscribe1766000000431';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table order_change_subscriptions add column unsubscribe_attempts int not null default 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table order_change_subscriptions drop column unsubscribe_attempts`);
  }
}
