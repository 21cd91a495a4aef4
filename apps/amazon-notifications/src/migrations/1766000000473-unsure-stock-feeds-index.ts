import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The `unsure` stock feeds due for a getFeeds look are asked for on every pass of the stock sender
 * (each second, every replica), and `stock_feeds` is never pruned: a partial index keeps that
 * query (and that of the `deferred` feeds) to the few such records instead of a scan of every feed ever sent.
 */
export class UnsureStockFeedsIndex1766000000473 implements MigrationInterface {
  name = 'UnsureStockFeedsIndex1766000000473';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`create index stock_feeds_unsure on stock_feeds (next_poll_at) where status = 'unsure'`);
    // Feeds of a batch waiting for a createFeed token, made by the same pass.
    await q.query(`create index stock_feeds_deferred on stock_feeds (next_poll_at) where status = 'deferred'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop index stock_feeds_deferred`);
    await q.query(`drop index stock_feeds_unsure`);
  }
}
