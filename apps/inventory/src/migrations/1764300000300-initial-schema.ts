import { MigrationInterface, QueryRunner } from 'typeorm';
import { ADJUSTMENT_LOCATION_ID, CUSTOMERS_LOCATION_ID, STOCK_LOCATION_ID } from '../locations/location.entity';

export class InitialSchema1764300000300 implements MigrationInterface {
  name = 'InitialSchema1764300000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table products (
        id uuid primary key,
        name text not null,
        internal_reference text,
        created_at timestamptz(3) not null default now()
      )`);
    await q.query(`create index products_list on products (created_at, id)`);
    await q.query(`
      create table offers (
        id uuid primary key,
        account_id uuid not null,
        sku text not null,
        product_id uuid not null references products(id),
        created_at timestamptz(3) not null default now(),
        constraint offers_sku unique (account_id, sku)
      )`);
    await q.query(`
      create table locations (
        id uuid primary key,
        name text not null,
        kind text not null,
        account_id uuid,
        created_at timestamptz(3) not null default now()
      )`);
    await q.query(`create unique index locations_fba on locations (account_id) where kind = 'fba'`);
    await q.query(
      `insert into locations (id, name, kind) values ($1, 'Stock', 'stock'), ($2, 'Customers', 'customers'), ($3, 'Inventory adjustment', 'inventory_adjustment')`,
      [STOCK_LOCATION_ID, CUSTOMERS_LOCATION_ID, ADJUSTMENT_LOCATION_ID],
    );
    await q.query(`
      create table deliveries (
        id uuid primary key,
        order_id uuid not null,
        account_id uuid not null,
        marketplace_id text not null,
        amazon_order_id text not null,
        contact_id uuid not null,
        delivery_address_id uuid not null,
        sequence int not null,
        backorder_of_id uuid references deliveries(id),
        state text not null,
        gift_message text,
        carrier_code text,
        carrier_name text,
        tracking_number text,
        shipping_method text,
        ship_date timestamptz,
        created_at timestamptz(3) not null default now(),
        constraint deliveries_package unique (order_id, sequence)
      )`);
    await q.query(`create index deliveries_list on deliveries (created_at, id)`);
    await q.query(`
      create table stock_moves (
        id uuid primary key,
        order_id uuid,
        order_line_id uuid,
        order_item_id text,
        delivery_id uuid references deliveries(id),
        product_id uuid not null references products(id),
        quantity int not null check (quantity > 0),
        from_location_id uuid not null references locations(id),
        to_location_id uuid not null references locations(id),
        state text not null,
        reason text not null,
        done_at timestamptz,
        created_at timestamptz(3) not null default now()
      )`);
    // Exactly one FBA sale (and at most one reversal) per order line, whatever the redeliveries.
    await q.query(`create unique index stock_moves_fba_line on stock_moves (order_line_id, reason) where reason in ('fba_sale', 'fba_sale_reversal')`);
    await q.query(`create index stock_moves_list on stock_moves (created_at, id)`);
    await q.query(`create index stock_moves_order on stock_moves (order_id)`);
    await q.query(`create index stock_moves_delivery on stock_moves (delivery_id)`);
    await q.query(`
      create table order_states (
        order_id uuid primary key,
        version int not null,
        status text not null,
        channel text not null
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['order_states', 'stock_moves', 'deliveries', 'locations', 'offers', 'products']) await q.query(`drop table ${table}`);
  }
}
