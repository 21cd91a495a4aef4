import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * GET /api/v1/orders filters (issue 16), each with an index so a page stays a few index reads
 * at 100k orders and more (figures: README "The API"). Lists page by (created_at, id): the
 * account's and the status's lists are read in that order; the rarer filters (an Amazon order id
 * without its account, a buyer's contacts, a SKU, a purchase period) find their few rows first.
 */
export class OrderSearch1766000000500 implements MigrationInterface {
  name = 'OrderSearch1766000000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`create index sales_orders_account_list on sales_orders (account_id, created_at, id)`);
    await q.query(`create index sales_orders_status_list on sales_orders (status, created_at, id)`);
    await q.query(`create index sales_orders_amazon_order_id on sales_orders (amazon_order_id)`);
    await q.query(`create index sales_orders_contact on sales_orders (contact_id)`);
    await q.query(`create index sales_orders_purchased on sales_orders (purchased_at)`);
    await q.query(`create index sales_order_lines_sku on sales_order_lines (sku, order_id) where sku is not null`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const index of ['sales_order_lines_sku', 'sales_orders_purchased', 'sales_orders_contact', 'sales_orders_amazon_order_id', 'sales_orders_status_list', 'sales_orders_account_list']) {
      await q.query(`drop index ${index}`);
    }
  }
}
