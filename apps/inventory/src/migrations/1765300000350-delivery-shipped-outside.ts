import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A delivery Amazon reported shipped without the connector confirming it (Seller Central, Buy
 * Shipping) records when: it is done, and validating it is refused with that date.
 */
export class DeliveryShippedOutside1765300000350 implements MigrationInterface {
  name = 'DeliveryShippedOutside1765300000350';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table deliveries add column shipped_outside_at timestamptz`);
    // For the metric of the last day's: few rows, most deliveries are validated here.
    await q.query(`create index deliveries_shipped_outside_at on deliveries (shipped_outside_at) where shipped_outside_at is not null`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop index deliveries_shipped_outside_at`);
    await q.query(`alter table deliveries drop column shipped_outside_at`);
  }
}
