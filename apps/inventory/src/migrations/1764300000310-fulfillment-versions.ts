import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each order counts its delivery events (validated, cancelled), so that their consumers can
 * tell an older one that arrives late from a newer one (DeliveryValidatedEvent.fulfillmentVersion).
 */
export class FulfillmentVersions1764300000310 implements MigrationInterface {
  name = 'FulfillmentVersions1764300000310';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table order_states add column fulfillment_version int not null default 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table order_states drop column fulfillment_version`);
  }
}
