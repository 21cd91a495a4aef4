import { MigrationInterface, QueryRunner } from 'typeorm';

/** The seller's carrier names and the Amazon carrier codes they stand for. */
export class CarrierMappings1764300000345 implements MigrationInterface {
  name = 'CarrierMappings1764300000345';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table carrier_mappings (
        name_key text primary key,
        name text not null,
        carrier_code text not null,
        carrier_name text,
        created_at timestamptz(3) not null default now(),
        updated_at timestamptz(3) not null default now(),
        constraint carrier_mappings_other_named check (carrier_code <> 'Other' or carrier_name is not null)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table carrier_mappings`);
  }
}
