import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SETTINGS } from '@connector/platform';
import { DataSource } from 'typeorm';
import { PartnerSettings } from '../partner.settings';

/**
 * Blanks buyers' personal data once it is no longer needed: names, street lines, phones and
 * e-mails of addresses whose orders were all shipped or cancelled more than the retention
 * period ago, then of contacts left with no live address. Country and postal code stay
 * (reporting); `anonymized_at` records it. Match keys are built from the same data, so they
 * are replaced too: that also means a buyer who orders again gets a fresh contact and address
 * holding what Amazon sends, not the blanked ones.
 */
@Injectable()
export class PersonalDataRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PersonalDataRetention.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(SETTINGS) private readonly settings: PartnerSettings,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.runSafely(), this.settings.RETENTION_INTERVAL_SECONDS * 1000);
    void this.runSafely();
  }

  private async runSafely(): Promise<void> {
    try {
      const result = await this.run();
      if (result.addresses || result.contacts) this.logger.log(`anonymized ${result.addresses} addresses and ${result.contacts} contacts`);
    } catch (err) {
      this.logger.warn(`retention run failed: ${err.message}`);
    }
  }

  async run(now = new Date()): Promise<{ addresses: number; contacts: number }> {
    const days = this.settings.PERSONAL_DATA_RETENTION_DAYS;
    return this.dataSource.transaction(async (manager) => {
      // An address is kept while one of its orders is open, and the retention period after
      // its last order closed. One no order event ever named falls back to its last order time.
      const [, addresses] = await manager.query(
        `update delivery_addresses a
            set name = null, company_name = null, address_line1 = null, address_line2 = null, address_line3 = null,
                city = null, district_or_county = null, phone = null, anonymized_at = $1,
                match_key = 'anonymized:' || a.id
          where a.anonymized_at is null
            and case when exists (select 1 from order_partners o where o.delivery_address_id = a.id)
                     then not exists (select 1 from order_partners o
                                       where o.delivery_address_id = a.id
                                         and (o.closed_at is null or o.closed_at >= $1::timestamptz - make_interval(days => $2)))
                     else a.last_ordered_at < $1::timestamptz - make_interval(days => $2) end`,
        [now, days],
      );
      const [, contacts] = await manager.query(
        `update contacts c
            set name = 'Anonymized customer', email = null, company_name = null, anonymized_at = $1,
                match_key = 'anonymized:' || c.id
          where c.anonymized_at is null
            and not exists (select 1 from delivery_addresses a where a.contact_id = c.id and a.anonymized_at is null)`,
        [now],
      );
      // Rows a replica of a version before this one anonymized during an upgrade (the migration
      // fixed those before it).
      for (const table of ['delivery_addresses', 'contacts']) {
        await manager.query(`update ${table} set match_key = 'anonymized:' || id where anonymized_at is not null and match_key not like 'anonymized:%'`);
      }
      return { addresses: Number(addresses), contacts: Number(contacts) };
    });
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
