import { MigrationInterface, QueryRunner } from 'typeorm';
import { BUILT_IN_MARKETPLACES } from '../marketplaces/built-in-marketplaces';

export class InitialSchema1764300000100 implements MigrationInterface {
  name = 'InitialSchema1764300000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table marketplaces (
        marketplace_id text primary key,
        name text not null,
        country_code text not null,
        region text not null,
        currency text not null,
        domain text not null,
        tax_included boolean not null,
        built_in boolean not null default false,
        created_at timestamptz(3) not null default now()
      )`);
    for (const m of BUILT_IN_MARKETPLACES) {
      await q.query(
        `insert into marketplaces (marketplace_id, name, country_code, region, currency, domain, tax_included, built_in)
         values ($1, $2, $3, $4, $5, $6, $7, true)`,
        [m.marketplaceId, m.name, m.countryCode, m.region, m.currency, m.domain, m.taxIncluded],
      );
    }
    await q.query(`
      create table seller_accounts (
        id uuid primary key,
        name text not null,
        seller_id text not null,
        region text not null,
        lwa_client_id text not null,
        encrypted_client_secret text not null,
        encrypted_refresh_token text not null,
        marketplace_ids text[] not null,
        orders_api text not null,
        api_endpoint text not null,
        lwa_endpoint text not null,
        sync_enabled boolean not null,
        sync_interval_seconds int not null,
        initial_sync_from timestamptz not null,
        default_product_id uuid,
        last_synced_until timestamptz,
        next_sync_at timestamptz,
        sync_requested_at timestamptz,
        lease_owner text,
        lease_expires_at timestamptz,
        deleted_at timestamptz,
        created_at timestamptz(3) not null default now(),
        updated_at timestamptz(3) not null default now()
      )`);
    await q.query(`create unique index seller_accounts_seller on seller_accounts (seller_id, region) where deleted_at is null`);
    await q.query(`
      create table sales_orders (
        id uuid primary key,
        account_id uuid not null references seller_accounts(id),
        marketplace_id text not null,
        amazon_order_id text not null,
        channel text not null,
        status text not null,
        amazon_status text not null,
        currency text not null,
        purchased_at timestamptz not null,
        amazon_updated_at timestamptz not null,
        contact_id uuid not null,
        delivery_address_id uuid not null,
        is_business_order boolean not null,
        gift_message text,
        amazon_total numeric(14,2),
        lines_total numeric(14,2) not null,
        reconciled boolean not null,
        cancel_reason text,
        canceled_by text,
        cancel_error text,
        delivery_state text,
        amazon_notification_state text,
        amazon_notification_error text,
        content_hash text not null,
        version int not null,
        created_at timestamptz(3) not null default now(),
        updated_at timestamptz(3) not null default now(),
        constraint sales_orders_amazon_key unique (account_id, amazon_order_id)
      )`);
    await q.query(`create index sales_orders_list on sales_orders (created_at, id)`);
    await q.query(`create index sales_orders_updated on sales_orders (updated_at)`);
    await q.query(`
      create table sales_order_lines (
        id uuid primary key,
        order_id uuid not null references sales_orders(id) on delete cascade,
        line_key text not null,
        kind text not null,
        sequence int not null,
        order_item_id text,
        sku text,
        asin text,
        product_id uuid,
        name text not null,
        description text,
        quantity int not null,
        quantity_shipped int not null,
        unit_price_tax_included numeric(14,2) not null,
        unit_price_tax_excluded numeric(14,2) not null,
        amount_tax_included numeric(14,2) not null,
        amount_tax_excluded numeric(14,2) not null,
        discount_tax_included numeric(14,2) not null,
        discount_tax_excluded numeric(14,2) not null,
        total_tax_included numeric(14,2) not null,
        total_tax_excluded numeric(14,2) not null,
        tax_amount numeric(14,2) not null,
        promotion_ids text[] not null default '{}',
        gift_wrap_level text,
        gift_message text,
        constraint sales_order_lines_key unique (order_id, line_key)
      )`);
    await q.query(`
      create table quarantined_orders (
        id uuid primary key,
        account_id uuid not null references seller_accounts(id),
        amazon_order_id text not null,
        marketplace_id text not null,
        reason text not null,
        payload jsonb,
        attempts int not null,
        first_seen_at timestamptz not null,
        last_attempt_at timestamptz not null,
        resolved_at timestamptz,
        created_at timestamptz(3) not null default now(),
        constraint quarantined_orders_key unique (account_id, amazon_order_id)
      )`);
    await q.query(`
      create table sync_runs (
        id uuid primary key,
        account_id uuid not null references seller_accounts(id),
        trigger text not null,
        status text not null,
        replica text not null,
        created_at timestamptz(3) not null default now(),
        finished_at timestamptz,
        window_from timestamptz not null,
        window_to timestamptz,
        orders_seen int not null default 0,
        orders_created int not null default 0,
        orders_updated int not null default 0,
        orders_unchanged int not null default 0,
        orders_quarantined int not null default 0,
        api_calls int not null default 0,
        throttled int not null default 0,
        errors jsonb not null default '[]'
      )`);
    await q.query(`create index sync_runs_account on sync_runs (account_id, created_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['sync_runs', 'quarantined_orders', 'sales_order_lines', 'sales_orders', 'seller_accounts', 'marketplaces']) {
      await q.query(`drop table ${table}`);
    }
  }
}
