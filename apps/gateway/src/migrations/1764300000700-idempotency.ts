import { MigrationInterface, QueryRunner } from 'typeorm';

/** POSTs sent with an Idempotency-Key, kept 24 hours to replay their answer. */
export class Idempotency1764300000700 implements MigrationInterface {
  name = 'Idempotency1764300000700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table idempotent_requests (
        caller text not null,
        idempotency_key text not null,
        fingerprint text not null,
        claim_token uuid not null,
        status int,
        response jsonb,
        created_at timestamptz not null default now(),
        primary key (caller, idempotency_key)
      )`);
    await q.query(`create index idempotent_requests_age on idempotent_requests (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table idempotent_requests`);
  }
}
