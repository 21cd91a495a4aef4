import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Search indexes for contacts whose name and company are now sealed: keyed hashes of the
 * normalised name and company name. Existing rows are sealed and indexed by the service at
 * start-up (a migration does not hold the keys).
 */
export class SealedPersonalData1764300000203 implements MigrationInterface {
  name = 'SealedPersonalData1764300000203';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table contacts add column name_index text, add column company_index text`);
    await q.query(`create index contacts_name_index on contacts (name_index)`);
    await q.query(`create index contacts_company_index on contacts (company_index)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table contacts drop column name_index, drop column company_index`);
  }
}
