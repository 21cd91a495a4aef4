import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { runAlone } from '@connector/persistence';
import { SETTINGS } from '@connector/platform';
import { PeriodicWorker } from '@connector/workers';
import { DataSource } from 'typeorm';
import type { PartnerSettings } from '../partner.settings';
import { normalizeEmail } from './match-keys';
import { PersonalDataBox } from './personal-data-box';

const BATCH = 500;
const JOB = 'e-mail index backfill';

/**
 * Writes the search index of contacts' e-mails (PartnersService.find) where it is missing: rows
 * written before it existed (migration 1766000000520), and rows a replica of an older version
 * writes during a rolling upgrade. In the background, from start-up on and every
 * EMAIL_INDEX_INTERVAL_SECONDS, so the service answers meanwhile; a pass goes on until nothing is
 * left and finds the rows through a partial index (migration 1766000000540), so one with nothing
 * to do costs one index read. It opens only the e-mail and writes only its hash: no resealing.
 * One replica at a time (runAlone); each batch is one statement.
 */
@Injectable()
export class EmailIndexBackfill implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EmailIndexBackfill.name);
  private worker?: PeriodicWorker;

  constructor(
    private readonly dataSource: DataSource,
    private readonly personal: PersonalDataBox,
    @Inject(SETTINGS) private readonly settings: PartnerSettings,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = new PeriodicWorker({
      name: JOB,
      pass: async () => {
        const outcome = await runAlone(this.dataSource, JOB, () => this.run());
        if (outcome.ran && outcome.value) this.logger.log(`indexed the e-mails of ${outcome.value} contacts`);
      },
      everyMs: this.settings.EMAIL_INDEX_INTERVAL_SECONDS * 1000,
      keepsProcessAlive: false,
      onError: (message) => this.logger.warn(`${message} (tried again in ${this.settings.EMAIL_INDEX_INTERVAL_SECONDS} s)`),
    });
    this.worker.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.stop();
  }

  /** Indexes every contact's e-mail that has no index; returns how many it indexed. */
  async run(): Promise<number> {
    let indexed = 0;
    let unopened = 0;
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows: { id: string; email: string }[] = await this.dataSource.query(
        `select id, email from contacts where email is not null and email_index is null and anonymized_at is null and id > $1 order by id limit $2`,
        [after, BATCH],
      );
      if (!rows.length) break;
      const ids: string[] = [];
      const hashes: string[] = [];
      for (const row of rows) {
        let email: string;
        try {
          email = normalizeEmail(this.personal.open(row.email, 'contacts.email', row.id));
        } catch {
          unopened++; // sealed with a key no longer configured: PersonalDataSealing reports it at start-up
          continue;
        }
        if (!email) continue; // an empty e-mail is none (as when the contact is written)
        ids.push(row.id);
        hashes.push(this.personal.index(email));
      }
      // A row anonymized or indexed (by a resolve) since it was read keeps what it has.
      const [, count] = await this.dataSource.query(
        `update contacts c set email_index = v.email_index
           from unnest($1::uuid[], $2::text[]) as v(id, email_index)
          where c.id = v.id and c.email_index is null and c.anonymized_at is null`,
        [ids, hashes],
      );
      indexed += Number(count);
      after = rows[rows.length - 1].id;
    }
    if (unopened) this.logger.warn(`${unopened} contacts' e-mails left unindexed: no key of PERSONAL_DATA_KEY opens them`);
    return indexed;
  }
}
