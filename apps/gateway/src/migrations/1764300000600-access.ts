import { MigrationInterface, QueryRunner } from 'typeorm';

/** The gateway's own schema: API keys and the audit log of changes made through the API. */
export class Access1764300000600 implements MigrationInterface {
  name = 'Access1764300000600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table api_keys (
        id uuid primary key,
        name text not null,
        key_hash text not null unique,
        key_prefix text not null,
        scopes text[] not null,
        account_ids uuid[],
        created_by text not null,
        created_at timestamptz not null default now(),
        revoked_at timestamptz
      )`);
    await q.query(`
      create table audit_log (
        id uuid primary key,
        created_at timestamptz not null default now(),
        key_id uuid,
        key_name text not null,
        method text not null,
        path text not null,
        action text not null,
        status int not null,
        changes jsonb
      )`);
    await q.query(`create index audit_log_page on audit_log (created_at, id)`);
    await q.query(`create index audit_log_key on audit_log (key_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table audit_log`);
    await q.query(`drop table api_keys`);
  }
}
