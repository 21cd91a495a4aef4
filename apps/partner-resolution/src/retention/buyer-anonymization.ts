import { Injectable } from '@nestjs/common';
import { RetentionTask } from '@connector/platform';
import { DataSource } from 'typeorm';

/**
 * Blanks buyers' personal data once it is no longer needed: names, street lines, phones and
 * e-mails of addresses whose orders were all shipped or cancelled before the cutoff, then of
 * contacts left with no live address. Region, country and postal code stay (reporting);
 * `anonymized_at` records it. Match keys and search indexes come from the same data, so they
 * go too: a buyer who orders again gets a fresh contact and address holding what Amazon sends.
 */
@Injectable()
export class BuyerAnonymization implements RetentionTask {
  readonly what = 'buyers (contacts and delivery addresses)';

  constructor(private readonly dataSource: DataSource) {}

  async forget(cutoff: Date): Promise<number> {
    const { addresses, contacts } = await this.anonymize(cutoff);
    return addresses + contacts;
  }

  async anonymize(cutoff: Date): Promise<{ addresses: number; contacts: number }> {
    return this.dataSource.transaction(async (manager) => {
      // An address is kept while one of its orders is open, and the retention period after
      // its last order closed. One no order event ever named falls back to its last order time.
      const [, addresses] = await manager.query(
        `update delivery_addresses a
            set name = null, company_name = null, address_line1 = null, address_line2 = null, address_line3 = null,
                city = null, district_or_county = null, phone = null, anonymized_at = now(),
                match_key = 'anonymized:' || a.id
          where a.anonymized_at is null
            and case when exists (select 1 from order_partners o where o.delivery_address_id = a.id)
                     then not exists (select 1 from order_partners o
                                       where o.delivery_address_id = a.id
                                         and (o.closed_at is null or o.closed_at >= $1::timestamptz))
                     else a.last_ordered_at < $1::timestamptz end`,
        [cutoff],
      );
      const [, contacts] = await manager.query(
        `update contacts c
            set name = 'Anonymized customer', email = null, company_name = null, name_index = null, email_index = null, company_index = null,
                anonymized_at = now(), match_key = 'anonymized:' || c.id
          where c.anonymized_at is null
            and not exists (select 1 from delivery_addresses a where a.contact_id = c.id and a.anonymized_at is null)`,
      );
      // Rows a replica of an older version anonymized during an upgrade (the migration fixed those before it).
      for (const table of ['delivery_addresses', 'contacts']) {
        await manager.query(`update ${table} set match_key = 'anonymized:' || id where anonymized_at is not null and match_key not like 'anonymized:%'`);
      }
      return { addresses: Number(addresses), contacts: Number(contacts) };
    });
  }
}
