import { createIndexConcurrently, dropIndexConcurrently } from '@connector/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The contacts whose e-mail has no search index yet (written before it, or by an older replica
 * during an upgrade), for EmailIndexBackfill: a pass with nothing to do is one read of an empty
 * index. Built concurrently: contacts are written by every order sync.
 */
export class ContactsWithoutEmailIndex1766000000540 implements MigrationInterface {
  name = 'ContactsWithoutEmailIndex1766000000540';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await createIndexConcurrently(q, 'contacts_email_unindexed', 'on contacts (id) where email is not null and email_index is null');
  }

  async down(q: QueryRunner): Promise<void> {
    await dropIndexConcurrently(q, 'contacts_email_unindexed');
  }
}
