import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The schema of Amazon's quotas, shared by the services that call Amazon (order-ingestion and
 * amazon-notifications both run this migration; the first makes the tables, the second finds
 * them): one token bucket per (operation, seller, application, region), and the processes that
 * take tokens (how many share a rate while the store is away). Made once under a lock, whichever
 * service starts first. With a role per service (docker/postgres/create-service-roles.sh), only the
 * two roles given the schema reach it; its tables are open to any role that reaches the schema.
 */
export class AmazonQuotas1766000000600 implements MigrationInterface {
  name = 'AmazonQuotas1766000000600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`select pg_advisory_xact_lock(hashtext('migrations:amazon_quotas'))`);
    await q.query(`create schema if not exists amazon_quotas`);
    const [{ made }] = await q.query(`select to_regclass('amazon_quotas.buckets') is not null as made`);
    if (made) return;
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
    await q.query(`grant select, insert, update, delete on amazon_quotas.buckets, amazon_quotas.takers to public`);
  }

  async down(): Promise<void> {
    // Shared with the other service: its rows are a few seconds of pacing, left for it.
  }
}
