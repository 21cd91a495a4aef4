import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the warehouse needs of an order: Amazon's ship-by and deliver-by windows, Prime, the
 * replacement of an earlier order, and the buyer's request to cancel (per item and for the
 * order). Orders stored before get them when Amazon's next change of them is synced.
 */
export class WarehouseDetails1765500000170 implements MigrationInterface {
  name = 'WarehouseDetails1765500000170';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table sales_orders
      add column is_prime boolean not null default false,
      add column is_replacement_order boolean not null default false,
      add column replaced_order_id text,
      add column earliest_ship_date timestamptz,
      add column latest_ship_date timestamptz,
      add column earliest_delivery_date timestamptz,
      add column latest_delivery_date timestamptz,
      add column buyer_cancel_requested boolean not null default false,
      add column buyer_cancel_reason text`);
    await q.query(`alter table sales_order_lines
      add column buyer_cancel_requested boolean not null default false,
      add column buyer_cancel_reason text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table sales_order_lines drop column buyer_cancel_requested, drop column buyer_cancel_reason`);
    await q.query(`alter table sales_orders
      drop column is_prime, drop column is_replacement_order, drop column replaced_order_id,
      drop column earliest_ship_date, drop column latest_ship_date, drop column earliest_delivery_date,
      drop column latest_delivery_date, drop column buyer_cancel_requested, drop column buyer_cancel_reason`);
  }
}
