import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `quarantined_orders.quarantined_at`: when an order was last quarantined (on insert, and again when
 * a resolved order comes back), for the gauge of new quarantines (connector_newly_quarantined_orders).
 * first_seen_at is kept from the first time, so it cannot tell a quarantine that came back.
 * The unresolved orders get their first_seen_at (none of them then counts as new); resolved ones
 * stay null (set when one comes back). Outside a transaction: the column is added at once (no
 * default, no rewrite), and the update takes only the unresolved rows' locks, not the table's.
 */
export class QuarantinedAt1766000000800 implements MigrationInterface {
  name = 'QuarantinedAt1766000000800';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table quarantined_orders add column if not exists quarantined_at timestamptz`);
    await q.query(`update quarantined_orders set quarantined_at = first_seen_at where resolved_at is null and quarantined_at is null`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table quarantined_orders drop column if exists quarantined_at`);
  }
}
