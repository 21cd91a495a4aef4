import { createIndexConcurrently, dropIndexConcurrently } from '@connector/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

const INDEXES: [name: string, definition: string][] = [
  ['sales_orders_account_list', 'on sales_orders (account_id, created_at, id)'],
  ['sales_orders_status_list', 'on sales_orders (status, created_at, id)'],
  ['sales_orders_amazon_order_id', 'on sales_orders (amazon_order_id)'],
  ['sales_orders_contact', 'on sales_orders (contact_id)'],
  ['sales_orders_purchased', 'on sales_orders (purchased_at)'],
  ['sales_order_lines_sku', 'on sales_order_lines (sku, order_id) where sku is not null'],
];

/**
 * GET /api/v1/orders filters (issue 16), each with an index so a page stays a few index reads
 * at 100k orders and more (figures: README "The API"). Lists page by (created_at, id): the
 * account's and the status's lists are read in that order; the rarer filters (an Amazon order id
 * without its account, a buyer's contacts, a SKU, a purchase period) find their few rows first.
 * Built concurrently, one at a time and outside a transaction: the busiest tables stay writable
 * (order sync, event projections, old replicas during an upgrade) while millions of rows are indexed.
 */
export class OrderSearch1766000000500 implements MigrationInterface {
  name = 'OrderSearch1766000000500';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    for (const [name, definition] of INDEXES) await createIndexConcurrently(q, name, definition);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [name] of [...INDEXES].reverse()) await dropIndexConcurrently(q, name);
  }
}
