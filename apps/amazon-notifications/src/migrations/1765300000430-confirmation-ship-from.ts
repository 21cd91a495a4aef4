import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The warehouse a confirmed package shipped from, address included: confirmShipment takes only
 * its supply source id, so the rest is kept beside the confirmation for the seller to see.
 */
export class ConfirmationShipFrom1765300000430 implements MigrationInterface {
  name = 'ConfirmationShipFrom1765300000430';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table notifications add column ship_from jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table notifications drop column ship_from`);
  }
}
