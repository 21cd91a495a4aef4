import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Several FBM warehouses: a stock location may have an address (where a parcel ships from),
 * and an account ships from a location of its choice, per marketplace or by default.
 */
export class ShipFromLocations1765300000360 implements MigrationInterface {
  name = 'ShipFromLocations1765300000360';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table locations add column address jsonb`);
    // Amazon's id of the warehouse (a supply source): confirmShipment names it as shipFromSupplySourceId.
    await q.query(`alter table locations add column supply_source_id text`);
    await q.query(`
      create table ship_from_assignments (
        id uuid primary key,
        account_id uuid not null,
        marketplace_id text,
        location_id uuid not null references locations (id),
        created_at timestamptz(3) not null default now(),
        updated_at timestamptz(3) not null default now()
      )`);
    // One per account and marketplace, and one default (no marketplace) per account.
    await q.query(`create unique index ship_from_assignments_account_marketplace on ship_from_assignments (account_id, coalesce(marketplace_id, ''))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table ship_from_assignments`);
    await q.query(`alter table locations drop column supply_source_id`);
    await q.query(`alter table locations drop column address`);
  }
}
