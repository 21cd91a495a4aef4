import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the warehouse needs on a delivery: the order's ship-by and deliver-by windows, Prime,
 * the buyer's request to cancel and the hold it puts on the delivery. Ready deliveries are
 * listed most urgent first (latest ship date), so it is indexed.
 */
export class DeliveryWarehouseDetails1765500000380 implements MigrationInterface {
  name = 'DeliveryWarehouseDetails1765500000380';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table deliveries
      add column earliest_ship_date timestamptz,
      add column latest_ship_date timestamptz,
      add column earliest_delivery_date timestamptz,
      add column latest_delivery_date timestamptz,
      add column is_prime boolean not null default false,
      add column buyer_cancel_requested boolean not null default false,
      add column buyer_cancel_reason text,
      add column hold_reason text,
      add column held_at timestamptz,
      add column hold_released_at timestamptz`);
    await q.query(`create index deliveries_latest_ship_date on deliveries (latest_ship_date)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop index deliveries_latest_ship_date`);
    await q.query(`alter table deliveries
      drop column earliest_ship_date, drop column latest_ship_date, drop column earliest_delivery_date,
      drop column latest_delivery_date, drop column is_prime, drop column buyer_cancel_requested,
      drop column buyer_cancel_reason, drop column hold_reason, drop column held_at, drop column hold_released_at`);
  }
}
