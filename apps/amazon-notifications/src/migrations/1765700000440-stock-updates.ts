import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stock to Amazon: one row per account and SKU, the "last value wins" record of what to tell
 * Amazon. A newer announced quantity (higher version) replaces an unsent older one; what was last
 * sent, when, and Amazon's answer (status, issues) stay beside it for the API.
 */
export class StockUpdates1765700000440 implements MigrationInterface {
  name = 'StockUpdates1765700000440';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table stock_updates (
        id uuid primary key,
        account_id uuid not null,
        sku text not null,
        product_id uuid not null,
        available_quantity int not null,
        version bigint not null,
        changed_at timestamptz(3) not null,
        status text not null,
        sent_version bigint,
        sent_quantity int,
        sent_at timestamptz(3),
        sent_via text,
        feed_batch_id uuid,
        issues jsonb not null default '[]',
        last_error text,
        attempts int not null default 0,
        next_attempt_at timestamptz(3) not null,
        created_at timestamptz(3) not null default now(),
        updated_at timestamptz(3) not null default now(),
        unique (account_id, sku)
      )`);
    await q.query(`create index stock_updates_due on stock_updates (next_attempt_at) where status = 'pending'`);
    await q.query(`create index stock_updates_list on stock_updates (account_id, created_at, id)`);
    await q.query(`create index stock_updates_feed_batch on stock_updates (feed_batch_id) where feed_batch_id is not null`);
    // JSON_LISTINGS_FEEDs of many SKUs at once: one per marketplace of a batch, recorded before
    // createFeed (its document id) and right after (its feed id), then polled for its report.
    await q.query(`
      create table stock_feeds (
        id uuid primary key,
        account_id uuid not null,
        marketplace_id text not null,
        batch_id uuid not null,
        status text not null,
        feed_document_id text,
        feed_id text,
        messages jsonb not null,
        issues jsonb not null default '[]',
        last_error text,
        next_poll_at timestamptz(3) not null,
        created_at timestamptz(3) not null default now(),
        updated_at timestamptz(3) not null default now()
      )`);
    await q.query(`create index stock_feeds_open on stock_feeds (next_poll_at) where status in ('submitting', 'submitted')`);
    await q.query(`create index stock_feeds_batch on stock_feeds (batch_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table stock_feeds`);
    await q.query(`drop table stock_updates`);
  }
}
