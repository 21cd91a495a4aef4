import { MigrationInterface, QueryRunner } from 'typeorm';

export class SkuProducts1764300000101 implements MigrationInterface {
  name = 'SkuProducts1764300000101';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table sku_products (
        account_id uuid not null,
        sku text not null,
        product_id uuid not null,
        primary key (account_id, sku)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table sku_products`);
  }
}
