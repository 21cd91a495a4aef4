import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764300000200 implements MigrationInterface {
  name = 'InitialSchema1764300000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table contacts (
        id uuid primary key,
        account_id uuid not null,
        match_key text not null,
        name text not null,
        email text,
        company_name text,
        is_business boolean not null,
        anonymized_at timestamptz,
        created_at timestamptz(3) not null default now(),
        constraint contacts_match unique (account_id, match_key)
      )`);
    await q.query(`create index contacts_list on contacts (created_at, id)`);
    await q.query(`
      create table delivery_addresses (
        id uuid primary key,
        contact_id uuid not null references contacts(id),
        account_id uuid not null,
        match_key text not null,
        name text,
        company_name text,
        address_line1 text,
        address_line2 text,
        address_line3 text,
        city text,
        district_or_county text,
        state_or_region text,
        postal_code text,
        country_code text not null,
        phone text,
        address_type text,
        last_ordered_at timestamptz not null,
        anonymized_at timestamptz,
        created_at timestamptz(3) not null default now(),
        constraint delivery_addresses_match unique (contact_id, match_key)
      )`);
    await q.query(`create index delivery_addresses_retention on delivery_addresses (last_ordered_at) where anonymized_at is null`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table delivery_addresses`);
    await q.query(`drop table contacts`);
  }
}
