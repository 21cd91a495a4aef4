import { createIndexConcurrently, dropIndexConcurrently } from '@connector/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Orders searched by the buyer's e-mail (GET /api/v1/orders?buyer=): a keyed hash of the
 * normalised e-mail beside the sealed one. Existing contacts are indexed by the service in the
 * background (EmailIndexBackfill: a migration does not hold the hash key). The index is built
 * concurrently (contacts are written by every order sync), so each step stands alone and may be run again.
 */
export class ContactEmailIndex1766000000520 implements MigrationInterface {
  name = 'ContactEmailIndex1766000000520';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table contacts add column if not exists email_index text`);
    await createIndexConcurrently(q, 'contacts_email_index', 'on contacts (email_index)');
  }

  async down(q: QueryRunner): Promise<void> {
    await dropIndexConcurrently(q, 'contacts_email_index');
    await q.query(`alter table contacts drop column email_index`);
  }
}
