import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Partial cancellation: a line keeps the units cancelled of what was ordered, and the units
 * Amazon's amounts are for (Amazon lowers an item's quantity and proceeds once it applied a
 * unit cancellation; `quantity` stays what was ordered, so a re-sync never counts a cancellation
 * twice). Existing lines: nothing cancelled, amounts for their quantity.
 */
export class LineQuantityCancelled1765500000150 implements MigrationInterface {
  name = 'LineQuantityCancelled1765500000150';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table sales_order_lines add column quantity_cancelled int not null default 0, add column priced_quantity int`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table sales_order_lines drop column priced_quantity, drop column quantity_cancelled`);
  }
}
