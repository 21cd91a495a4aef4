import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { SEALED_ADDRESS_FIELDS, SEALED_CONTACT_FIELDS, PartnersService } from './partners.service';
import { PersonalDataBox } from './personal-data-box';

const BATCH = 500;
const snake = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * At start-up, before the service answers: seals the personal data of rows written before it
 * was sealed (or sealed with a key that is no longer the first of PERSONAL_DATA_KEY), replaces
 * their plain match keys by keyed hashes, and writes their search indexes. One replica at a time (advisory lock);
 * each batch is its own transaction, so a crash leaves every row either done or as it was.
 */
@Injectable()
export class PersonalDataSealing implements OnApplicationBootstrap {
  private readonly logger = new Logger(PersonalDataSealing.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly personal: PersonalDataBox,
    private readonly partners: PartnersService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      const sealed = await this.run();
      if (sealed.contacts || sealed.addresses) this.logger.log(`sealed the personal data of ${sealed.contacts} contacts and ${sealed.addresses} delivery addresses`);
    } catch (err) {
      // The service still serves; rows left as they were are tried again at the next start.
      this.logger.error(`sealing personal data written before failed, tried again at the next start: ${err.message}`);
    }
  }

  async run(): Promise<{ contacts: number; addresses: number }> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query(`select pg_advisory_lock(hashtext('partners:sealing'))`);
      // Contacts sealed already but without an e-mail index are EmailIndexBackfill's, in the background.
      const contacts = await this.eachBatch('contacts', SEALED_CONTACT_FIELDS, (manager, row, supersede) => this.sealContact(manager, row, supersede));
      const addresses = await this.eachBatch('delivery_addresses', SEALED_ADDRESS_FIELDS, (manager, row, supersede) => this.sealAddress(manager, row, supersede));
      return { contacts, addresses };
    } finally {
      await runner.query(`select pg_advisory_unlock(hashtext('partners:sealing'))`).catch(() => undefined);
      await runner.release();
    }
  }

  private async eachBatch(
    table: 'contacts' | 'delivery_addresses',
    fields: readonly string[],
    seal: (manager: EntityManager, row: Record<string, string | null>, supersede: boolean) => Promise<void>,
  ): Promise<number> {
    const columns = fields.map(snake);
    let done = 0;
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows: Record<string, string | null>[] = await this.dataSource.query(
        `select id, match_key, ${columns.join(', ')} from ${table}
          where id > $1 and anonymized_at is null
            and ((match_key not like 'h1:%' and match_key not like 'superseded:%') or ${columns.map((c) => `(${c} is not null and ${c} not like 'v2:' || $2 || ':%')`).join(' or ')})
          order by id limit $3`,
        [after, this.personal.currentKeyId, BATCH],
      );
      if (!rows.length) return done;
      await this.dataSource.transaction(async (manager) => {
        for (const row of rows) {
          // One row that cannot be sealed (a value no key opens) is left as it is, not the batch.
          // A resolve may make the hashed twin between the look and the write: then step aside.
          for (const supersede of [false, true]) {
            await manager.query('savepoint seal_row');
            try {
              await seal(manager, row, supersede);
              await manager.query('release savepoint seal_row');
              done++;
              break;
            } catch (err) {
              await manager.query('rollback to savepoint seal_row');
              const duplicate = (err as { driverError?: { code?: string } }).driverError?.code === '23505';
              if (!duplicate || supersede) {
                this.logger.warn(`${table} ${row.id} left unsealed: ${err.message}`);
                break;
              }
            }
          }
        }
      });
      after = rows[rows.length - 1].id!;
    }
  }

  /**
   * A key written before hashing is the normalised text a resolve would hash now. If a replica of
   * this version already made the hashed twin (during an upgrade), the older row steps aside:
   * its orders keep it, new orders find the twin.
   */
  private async matchKey(manager: EntityManager, table: string, scope: 'account_id' | 'contact_id', row: Record<string, string | null>, supersede: boolean): Promise<string> {
    if (row.match_key!.startsWith('h1:') || row.match_key!.startsWith('superseded:')) return row.match_key!;
    if (supersede) return `superseded:${row.id}`;
    const hashed = this.personal.index(row.match_key!);
    const [twin] = await manager.query(`select 1 from ${table} where ${scope} = (select ${scope} from ${table} where id = $1) and match_key = $2`, [row.id, hashed]);
    return twin ? `superseded:${row.id}` : hashed;
  }

  private async sealContact(manager: EntityManager, row: Record<string, string | null>, supersede: boolean): Promise<void> {
    const id = row.id!;
    const plain = {
      name: this.personal.open(row.name, 'contacts.name', id)!,
      email: this.personal.open(row.email, 'contacts.email', id),
      companyName: this.personal.open(row.company_name, 'contacts.companyName', id),
    };
    const sealed = this.partners.sealContact(id, plain);
    await manager.query(
      `update contacts set match_key = $2, name = $3, email = $4, company_name = $5, name_index = $6, company_index = $7, email_index = $8 where id = $1 and anonymized_at is null`,
      [id, await this.matchKey(manager, 'contacts', 'account_id', row, supersede), sealed.name, sealed.email, sealed.companyName, sealed.nameIndex, sealed.companyIndex, sealed.emailIndex],
    );
  }

  private async sealAddress(manager: EntityManager, row: Record<string, string | null>, supersede: boolean): Promise<void> {
    const id = row.id!;
    const plain = Object.fromEntries(SEALED_ADDRESS_FIELDS.map((field) => [field, this.personal.open(row[snake(field)], `delivery_addresses.${field}`, id)]));
    const sealed = this.partners.sealAddress(id, plain);
    await manager.query(
      `update delivery_addresses set match_key = $2, ${SEALED_ADDRESS_FIELDS.map((field, i) => `${snake(field)} = $${i + 3}`).join(', ')} where id = $1 and anonymized_at is null`,
      [id, await this.matchKey(manager, 'delivery_addresses', 'contact_id', row, supersede), ...SEALED_ADDRESS_FIELDS.map((field) => sealed[field])],
    );
  }
}
