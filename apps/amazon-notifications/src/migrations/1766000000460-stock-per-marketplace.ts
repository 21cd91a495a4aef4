import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stock to Amazon per ship-from warehouse: a SKU's marketplaces that ship from their own warehouse
 * have their own available quantity (`marketplace_quantities`, marketplace id → quantity; the
 * others are told `available_quantity`), and what each of them was sent last (`sent_marketplace_quantities`).
 */
export class StockPerMarketplace1766000000460 implements MigrationInterface {
  name = 'StockPerMarketplace1766000000460';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table stock_updates add column marketplace_quantities jsonb not null default '{}'`);
    await q.query(`alter table stock_updates add column sent_marketplace_quantities jsonb not null default '{}'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table stock_updates drop column sent_marketplace_quantities`);
    await q.query(`alter table stock_updates drop column marketplace_quantities`);
  }
}
