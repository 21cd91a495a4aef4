import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stock to Amazon, review fixes: rows of accounts with stock sync off are `off` (not due, found
 * per account when it turns stock sync on), and the marketplaces where Amazon said a SKU is not
 * listed are remembered (marketplace id → when), so it is not patched there again for a day.
 */
export class StockSenderFixes1765800000450 implements MigrationInterface {
  name = 'StockSenderFixes1765800000450';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table stock_updates add column unlisted_in jsonb not null default '{}'`);
    await q.query(`create index stock_updates_off on stock_updates (account_id) where status = 'off'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`update stock_updates set status = 'pending', next_attempt_at = now() where status = 'off'`);
    await q.query(`drop index stock_updates_off`);
    await q.query(`alter table stock_updates drop column unlisted_in`);
  }
}
