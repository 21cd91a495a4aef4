import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The schema of Amazon's quotas, shared by the services that call Amazon (order-ingestion and
 * amazon-notifications both run this migration; the first makes the tables, the second finds
 * them): one token bucket per (operation, seller, application, region), and the processes that
 * take tokens (how many share a rate while the store is away). Made once under a lock, whichever
 * service starts first.
 *
 * With a role per service (docker/postgres/create-service-roles.sh):
 * - the script makes the schema, owned by a role of its own (`<prefix>amazon_quotas`, NOLOGIN)
 *   that both service roles are members of; the tables are made as that role, so either service
 *   may change them in a later migration;
 * - an install whose roles were made by an older script (no such schema): the first service makes
 *   schema and tables as its own role and grants them to the other service's role (same prefix),
 *   so the second finds them usable. Re-running the script later moves them to the shared owner.
 */
export class AmazonQuotas1766000000600 implements MigrationInterface {
  name = 'AmazonQuotas1766000000600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`select pg_advisory_xact_lock(hashtext('migrations:amazon_quotas'))`);
    await q.query(`create schema if not exists amazon_quotas`);
    const [schema] = await q.query(`
      select has_schema_privilege(n.oid, 'usage') as usable, pg_get_userbyid(n.nspowner) as owner,
             n.nspowner <> (select oid from pg_roles where rolname = current_user) and pg_has_role(n.nspowner, 'member') as shared
        from pg_namespace n where n.nspname = 'amazon_quotas'`);
    if (!schema.usable) {
      throw new Error(
        `amazon_quotas: the schema exists but ${schema.owner} did not grant it to this service's role: run docker/postgres/create-service-roles.sh on this database (PGHOST, PGUSER: a superuser)`,
      );
    }
    const [{ made }] = await q.query(`select to_regclass('amazon_quotas.buckets') is not null as made`);
    if (made) return;
    // The schema's own role (the roles script) owns the tables: both services may alter them later.
    if (schema.shared) await q.query(`set local role ${quoted(schema.owner)}`);
    try {
      // Unlogged: a take is a write per call to Amazon, and this is soft state. Its commit waits for
      // no WAL flush; after a crash the tables are empty, every bucket full again (as after a day idle).
      await q.query(`
        create unlogged table amazon_quotas.buckets (
          bucket text primary key,
          tokens float8 not null,
          refilled_at timestamptz not null,
          rate float8 not null
        )`);
      await q.query(`create unlogged table amazon_quotas.takers (taker text primary key, seen_at timestamptz not null)`);
    } finally {
      if (schema.shared) await q.query(`reset role`);
    }
    if (schema.shared) return;
    // Made as this service's role (older roles script, or one role for every service): the other
    // service's role, named alike (<prefix>ingestion, <prefix>notifications), gets them too.
    const [{ other }] = await q.query(`
      select (select r.rolname from pg_roles r
               where current_user ~ '(ingestion|notifications)$'
                 and r.rolname = regexp_replace(current_user, '(ingestion|notifications)$', '')
                                 || case when current_user ~ 'ingestion$' then 'notifications' else 'ingestion' end) as other`);
    if (!other) return;
    await q.query(`grant usage on schema amazon_quotas to ${quoted(other)}`);
    await q.query(`grant select, insert, update, delete on amazon_quotas.buckets, amazon_quotas.takers to ${quoted(other)}`);
  }

  async down(): Promise<void> {
    // Shared with the other service: its rows are a few seconds of pacing, left for it.
  }
}

function quoted(role: string): string {
  return `"${role.replaceAll('"', '""')}"`;
}
