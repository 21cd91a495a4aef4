import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Amazon's ORDER_CHANGE notifications: the destinations made per LWA client and queue, each
 * account's subscription, and the notifications handled (by Amazon's NotificationId, so a
 * duplicate delivery changes nothing).
 */
export class OrderNotifications1765600000190 implements MigrationInterface {
  name = 'OrderNotifications1765600000190';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table notification_destinations (
        lwa_endpoint text not null,
        lwa_client_id text not null,
        queue_arn text not null,
        destination_id text not null,
        created_at timestamptz(3) not null default now(),
        primary key (lwa_endpoint, lwa_client_id, queue_arn)
      )`);
    await q.query(`
      create table order_change_subscriptions (
        account_id uuid primary key references seller_accounts(id),
        queue_arn text not null,
        status text not null,
        subscription_id text,
        destination_id text,
        last_error text,
        due_at timestamptz not null,
        subscribed_at timestamptz(3),
        last_notification_at timestamptz(3),
        updated_at timestamptz(3) not null default now()
      )`);
    await q.query(`
      create table order_notifications (
        notification_id text primary key,
        account_id uuid not null,
        amazon_order_id text not null,
        event_time timestamptz(3),
        handled_at timestamptz(3) not null default now()
      )`);
    // Pruning goes by age.
    await q.query(`create index order_notifications_handled_at on order_notifications (handled_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table order_notifications`);
    await q.query(`drop table order_change_subscriptions`);
    await q.query(`drop table notification_destinations`);
  }
}
