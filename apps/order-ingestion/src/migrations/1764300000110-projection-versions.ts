import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The projections of other services' events on a sales order remember which event they show
 * (the order's delivery event version, the notification outcome's time), so an older event
 * arriving after a newer one changes nothing.
 */
export class ProjectionVersions1764300000110 implements MigrationInterface {
  name = 'ProjectionVersions1764300000110';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table sales_orders add column delivery_state_version int, add column amazon_notification_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table sales_orders drop column amazon_notification_at, drop column delivery_state_version`);
  }
}
