import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Account episodes kept per reporting service (order-ingestion and amazon-notifications each
 * see an account's credentials refused, and each ends its own episode), and deliveries that end
 * canceled (their webhook deleted, or its key revoked, before they went).
 */
export class AlertEpisodeSources1765400000900 implements MigrationInterface {
  name = 'AlertEpisodeSources1765400000900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table alert_episode_sources (
        kind text not null,
        account_id uuid not null,
        service text not null,
        opened_at timestamptz not null default now(),
        primary key (kind, account_id, service)
      )`);
    // The one-row-per-account episodes kept before: which services saw them is unknown, so
    // they are dropped; the next alert of each service opens its own again.
    await q.query(`delete from alert_episodes where kind in ('account.credentials_refused', 'account.sync_stalled')`);
    await q.query(`alter table alert_deliveries add column canceled_at timestamptz`);
    await q.query(`update alert_deliveries set canceled_at = now() where next_attempt_at is null and delivered_at is null and given_up_at is null`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table alert_deliveries drop column canceled_at`);
    await q.query(`drop table alert_episode_sources`);
  }
}
