import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The correlation id of the work that made a notification (the validation or cancellation
 * request): its sending, whenever it happens, logs under it, and so do its outcome's events.
 */
export class NotificationCorrelationId1765100000420 implements MigrationInterface {
  name = 'NotificationCorrelationId1765100000420';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table notifications add column correlation_id text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table notifications drop column correlation_id`);
  }
}
