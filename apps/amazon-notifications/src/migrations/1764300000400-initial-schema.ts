import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764300000400 implements MigrationInterface {
  name = 'InitialSchema1764300000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table notifications (
        id uuid primary key,
        kind text not null,
        state text not null,
        account_id uuid not null,
        marketplace_id text not null,
        order_id uuid not null,
        amazon_order_id text not null,
        delivery_id uuid,
        payload jsonb not null,
        attempts int not null default 0,
        next_attempt_at timestamptz,
        last_error text,
        amazon_response jsonb,
        feed_id text,
        sent_at timestamptz,
        created_at timestamptz(3) not null default now()
      )`);
    await q.query(`create unique index notifications_key on notifications (kind, order_id, coalesce(delivery_id, '00000000-0000-0000-0000-000000000000'))`);
    await q.query(`create index notifications_due on notifications (next_attempt_at) where state = 'pending'`);
    await q.query(`create index notifications_list on notifications (created_at, id)`);
    await q.query(`create index notifications_order on notifications (order_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table notifications`);
  }
}
