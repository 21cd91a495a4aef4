import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Partial cancellations: an order may have several (one per `order.items-canceled`), each named
 * by its cancellation id, which joins the notification's key; unit cancellations
 * (POST_PAYMENT_ADJUSTMENT_DATA feeds) are due and batched like whole-order ones.
 */
export class PartialCancellations1765500000430 implements MigrationInterface {
  name = 'PartialCancellations1765500000430';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table notifications add column cancellation_id uuid`);
    await q.query(`drop index notifications_key`);
    await q.query(
      `create unique index notifications_key on notifications
        (kind, order_id, coalesce(delivery_id, '00000000-0000-0000-0000-000000000000'), coalesce(cancellation_id, '00000000-0000-0000-0000-000000000000'))`,
    );
    await q.query(`drop index notifications_cancellations_due`);
    await q.query(
      `create index notifications_cancellations_due on notifications (account_id, marketplace_id, next_attempt_at)
        where state = 'pending' and kind in ('cancellation', 'unit_cancellation') and feed_id is null`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop index notifications_cancellations_due`);
    await q.query(
      `create index notifications_cancellations_due on notifications (account_id, marketplace_id, next_attempt_at)
        where state = 'pending' and kind = 'cancellation' and feed_id is null`,
    );
    await q.query(`drop index notifications_key`);
    await q.query(`create unique index notifications_key on notifications (kind, order_id, coalesce(delivery_id, '00000000-0000-0000-0000-000000000000'))`);
    await q.query(`alter table notifications drop column cancellation_id`);
  }
}
