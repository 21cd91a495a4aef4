import { MigrationInterface, QueryRunner } from 'typeorm';

/** Marketplaces enabled on an account that has synced before: their orders are read from the start once. */
export class MarketplaceBackfill1764300000103 implements MigrationInterface {
  name = 'MarketplaceBackfill1764300000103';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table seller_accounts add column backfill_marketplace_ids text[] not null default '{}'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table seller_accounts drop column backfill_marketplace_ids`);
  }
}
