import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cancellation notifications of a seller's units that failed for good and whose units were given
 * back to the order's lines: one row each, so a redelivered or replayed failure gives nothing back twice.
 */
export class RefusedCancellations1765500000190 implements MigrationInterface {
  name = 'RefusedCancellations1765500000190';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table refused_cancellations (
        notification_id uuid primary key,
        cancellation_id uuid not null,
        order_id uuid not null references sales_orders (id) on delete cascade,
        given_back_at timestamptz not null default now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table refused_cancellations`);
  }
}
