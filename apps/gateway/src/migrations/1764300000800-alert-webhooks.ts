import { MigrationInterface, QueryRunner } from 'typeorm';

/** Alert webhooks and their delivery log. */
export class AlertWebhooks1764300000800 implements MigrationInterface {
  name = 'AlertWebhooks1764300000800';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table alert_webhooks (
        id uuid primary key,
        url text not null,
        kinds text[] not null,
        account_ids uuid[],
        api_key_id uuid,
        encrypted_secret text not null,
        created_by text not null,
        created_at timestamptz(3) not null default now(),
        deleted_at timestamptz
      )`);
    await q.query(`
      create table alert_deliveries (
        id uuid primary key,
        webhook_id uuid not null references alert_webhooks (id),
        alert_id uuid not null,
        kind text not null,
        body jsonb not null,
        attempts int not null default 0,
        last_status int,
        last_error text,
        next_attempt_at timestamptz,
        claimed_until timestamptz,
        delivered_at timestamptz,
        given_up_at timestamptz,
        created_at timestamptz(3) not null default now(),
        unique (webhook_id, alert_id)
      )`);
    // The sender's claim looks only at what is still to send.
    await q.query(`create index alert_deliveries_due on alert_deliveries (next_attempt_at) where next_attempt_at is not null`);
    await q.query(`create index alert_deliveries_of_webhook on alert_deliveries (webhook_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table alert_deliveries`);
    await q.query(`drop table alert_webhooks`);
  }
}
