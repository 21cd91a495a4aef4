import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Partial cancellations applied to deliveries, one row per cancellation: a redelivered or
 * replayed `order.items-canceled` finds its row and shrinks nothing a second time.
 */
export class OrderCancellations1765500000370 implements MigrationInterface {
  name = 'OrderCancellations1765500000370';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table order_cancellations (
        cancellation_id uuid primary key,
        order_id uuid not null,
        applied_at timestamptz(3) not null default now()
      )`);
    await q.query(`create index order_cancellations_order on order_cancellations (order_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table order_cancellations`);
  }
}
