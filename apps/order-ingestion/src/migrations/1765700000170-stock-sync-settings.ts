import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stock to Amazon, per account: off until the seller turns it on (a connector that starts telling
 * Amazon quantities nobody asked for could empty listings), no buffer, no handling time (Amazon
 * keeps the listing's own).
 */
export class StockSyncSettings1765700000170 implements MigrationInterface {
  name = 'StockSyncSettings1765700000170';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `alter table seller_accounts add column stock_sync boolean not null default false, add column stock_buffer int not null default 0, add column handling_time_days int`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table seller_accounts drop column handling_time_days, drop column stock_buffer, drop column stock_sync`);
  }
}
