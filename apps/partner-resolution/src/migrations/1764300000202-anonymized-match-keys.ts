import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rows anonymized before match keys were replaced too still hold names, streets and e-mails in
 * their keys, and a returning buyer would be matched to them: give them the keys the retention
 * job gives now.
 */
export class AnonymizedMatchKeys1764300000202 implements MigrationInterface {
  name = 'AnonymizedMatchKeys1764300000202';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`update contacts set match_key = 'anonymized:' || id where anonymized_at is not null and match_key not like 'anonymized:%'`);
    await q.query(`update delivery_addresses set match_key = 'anonymized:' || id where anonymized_at is not null and match_key not like 'anonymized:%'`);
  }

  async down(): Promise<void> {
    // The personal data the old keys held is gone on purpose.
  }
}
