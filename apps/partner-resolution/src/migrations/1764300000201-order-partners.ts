import { MigrationInterface, QueryRunner } from 'typeorm';

export class OrderPartners1764300000201 implements MigrationInterface {
  name = 'OrderPartners1764300000201';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table order_partners (
        order_id uuid primary key,
        contact_id uuid not null,
        delivery_address_id uuid not null,
        closed_at timestamptz
      )`);
    await q.query(`create index order_partners_address on order_partners (delivery_address_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table order_partners`);
  }
}
