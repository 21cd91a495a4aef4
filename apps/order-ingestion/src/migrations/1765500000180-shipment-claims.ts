import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The units each delivery claimed when inventory validated it (CLAIM_UNITS_TO_SHIP): a seller's
 * cancellation of units, under the same order lock, cannot take them, and a validation cannot
 * claim units the order cancelled. Deliveries validated before this have no claim (what inventory
 * answers for them still counts, as before).
 */
export class ShipmentClaims1765500000180 implements MigrationInterface {
  name = 'ShipmentClaims1765500000180';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table shipment_claims (
        delivery_id uuid not null,
        order_item_id text not null,
        order_id uuid not null references sales_orders (id) on delete cascade,
        quantity int not null check (quantity > 0),
        claimed_at timestamptz not null default now(),
        primary key (delivery_id, order_item_id)
      )`);
    await q.query(`create index shipment_claims_order on shipment_claims (order_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table shipment_claims`);
  }
}
