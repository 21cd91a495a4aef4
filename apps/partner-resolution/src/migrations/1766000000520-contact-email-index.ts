import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Orders searched by the buyer's e-mail (GET /api/v1/orders?buyer=): a keyed hash of the
 * normalised e-mail beside the sealed one. Existing contacts are indexed by the service at
 * start-up (PersonalDataSealing: a migration does not hold the hash key).
 */
export class ContactEmailIndex1766000000520 implements MigrationInterface {
  name = 'ContactEmailIndex1766000000520';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table contacts add column email_index text`);
    await q.query(`create index contacts_email_index on contacts (email_index)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table contacts drop column email_index`);
  }
}
