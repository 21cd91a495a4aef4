import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A quarantined order keeps the reason it was quarantined for: a retry that failed for something
 * not of the order's own (refused credentials, Amazon's 404 or 5xx, an outage) is kept apart, as
 * its last retry error.
 */
export class QuarantineLastRetryError1765100000141 implements MigrationInterface {
  name = 'QuarantineLastRetryError1765100000141';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table quarantined_orders add column last_retry_error text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table quarantined_orders drop column last_retry_error`);
  }
}
