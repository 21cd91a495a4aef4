import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cancellations go to Amazon in POST_ORDER_ACKNOWLEDGEMENT_DATA feeds: each notification
 * remembers its message in the feed (MessageID), the uploaded document, and the feed's last
 * processing status, so a restarted sender polls the feed again instead of re-submitting.
 */
export class CancellationFeeds1764300000401 implements MigrationInterface {
  name = 'CancellationFeeds1764300000401';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table notifications add column feed_message_id int`);
    await q.query(`alter table notifications add column feed_document_id text`);
    await q.query(`alter table notifications add column feed_status text`);
    await q.query(`alter table notifications add column feed_submitted_at timestamptz`);
    await q.query(`create index notifications_feed on notifications (feed_id) where feed_id is not null`);
    await q.query(
      `create index notifications_cancellations_due on notifications (account_id, marketplace_id, next_attempt_at)
        where state = 'pending' and kind = 'cancellation' and feed_id is null`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop index notifications_cancellations_due`);
    await q.query(`drop index notifications_feed`);
    await q.query(`alter table notifications drop column feed_submitted_at, drop column feed_status, drop column feed_document_id, drop column feed_message_id`);
  }
}
