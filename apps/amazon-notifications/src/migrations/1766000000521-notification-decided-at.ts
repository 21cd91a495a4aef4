import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When a notification's outcome was decided (sent or failed for good), for the order's timeline:
 * `sent_at` told only the successes. Earlier outcomes keep null (a sent one's time is its sent_at).
 */
export class NotificationDecidedAt1766000000521 implements MigrationInterface {
  name = 'NotificationDecidedAt1766000000521';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table notifications add column decided_at timestamptz(3)`);
    await q.query(`update notifications set decided_at = sent_at where sent_at is not null`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table notifications drop column decided_at`);
  }
}
