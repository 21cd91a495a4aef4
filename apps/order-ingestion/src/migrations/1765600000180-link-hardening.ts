import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Link with Amazon hardening: the seller a consent is meant for (another's is refused), and
 * whether a new link's first marketplaces start its sync (not for a link no seller was expected for).
 */
export class LinkHardening1765600000180 implements MigrationInterface {
  name = 'LinkHardening1765600000180';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table authorizations add column expected_seller_id text`);
    await q.query(`alter table marketplace_refreshes add column sync_discovered boolean not null default true`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table marketplace_refreshes drop column sync_discovered`);
    await q.query(`alter table authorizations drop column expected_seller_id`);
  }
}
