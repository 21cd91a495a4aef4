import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Link with Amazon: the consents asked for (each state used once), and the marketplaces the
 * Sellers API names per account with when they are asked next (every account, existing ones at
 * once).
 */
export class LinkWithAmazon1765500000160 implements MigrationInterface {
  name = 'LinkWithAmazon1765500000160';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table authorizations (
        id uuid primary key,
        region text not null,
        account_id uuid references seller_accounts(id),
        name text,
        orders_api text,
        api_endpoint text not null,
        lwa_endpoint text not null,
        requested_by_key_id uuid,
        requested_by_key_name text not null,
        expires_at timestamptz not null,
        used_at timestamptz,
        selling_partner_id text,
        result_account_id uuid,
        outcome text,
        failure text,
        created_at timestamptz(3) not null default now()
      )`);
    await q.query(`
      create table marketplace_participations (
        account_id uuid not null references seller_accounts(id),
        marketplace_id text not null,
        country_code text not null,
        name text not null,
        currency text not null,
        language text not null,
        domain text not null,
        store_name text not null,
        is_participating boolean not null,
        has_suspended_listings boolean not null,
        first_seen_at timestamptz(3) not null default now(),
        updated_at timestamptz(3) not null default now(),
        primary key (account_id, marketplace_id)
      )`);
    await q.query(`
      create table marketplace_refreshes (
        account_id uuid primary key references seller_accounts(id),
        due_at timestamptz not null default now(),
        refreshed_at timestamptz,
        last_error text,
        enable_discovered boolean not null default false
      )`);
    await q.query(`create index marketplace_refreshes_due on marketplace_refreshes (due_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table marketplace_refreshes`);
    await q.query(`drop table marketplace_participations`);
    await q.query(`drop table authorizations`);
  }
}
