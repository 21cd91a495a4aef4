import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { randomUUID } from 'node:crypto';
import { PartyToResolve } from '@connector/contracts';
import { runMigrations } from '@connector/persistence';
import { loadSettings, SettingsModule } from '@connector/platform';
import { TestEnvironment, waitFor } from '@connector/testing';
import { partnersDataSource } from '../data-source';
import { AnonymizedMatchKeys1764300000202 } from '../migrations/1764300000202-anonymized-match-keys';
import { PartnerSettings } from '../partner.settings';
import { OrderClosureHandler } from '../retention/order-closure.handler';
import { BuyerAnonymization } from '../retention/buyer-anonymization';
import { addressMatchKey, contactMatchKey } from './match-keys';
import { PersonalDataBox } from './personal-data-box';
import { PersonalDataSealing } from './personal-data-sealing';
import { EmailIndexBackfill } from './email-index-backfill';
import { Contact } from './contact.entity';
import { DeliveryAddress } from './delivery-address.entity';
import { PartnersService } from './partners.service';

const DAY = 86400_000;

describe('partners on real PostgreSQL: find-or-create, de-duplication, retention', () => {
  const env = new TestEnvironment();
  let app: INestApplicationContext;
  let partners: PartnersService;
  let startWithBackfill: () => Promise<INestApplicationContext>;
  const accountId = randomUUID();

  const party = (key: string, overrides: Partial<PartyToResolve> = {}): PartyToResolve => ({
    key,
    accountId,
    orderReference: key,
    orderedAt: new Date(Date.now() - DAY).toISOString(),
    orderId: randomUUID(),
    orderClosed: false,
    buyer: { name: 'Erika Mustermann', email: 'erika@marketplace.amazon.de' },
    address: { name: 'Erika Mustermann', addressLine1: 'Heidestraße 17', city: 'Köln', postalCode: '51147', countryCode: 'DE', phone: '+49 221 1234567' },
    ...overrides,
  });

  beforeAll(async () => {
    await env.setUp();
    const options = partnersDataSource(env.databaseUrl);
    await runMigrations(options);
    const settings = loadSettings(PartnerSettings, { DATABASE_URL: env.databaseUrl, PERSONAL_DATA_RETENTION_DAYS: '30' });
    @Module({
      imports: [SettingsModule.forRoot(settings), TypeOrmModule.forRoot(options), TypeOrmModule.forFeature([Contact, DeliveryAddress])],
      providers: [PartnersService, PersonalDataBox, PersonalDataSealing, BuyerAnonymization, OrderClosureHandler],
    })
    class PartnersTestModule {}
    app = await NestFactory.createApplicationContext(PartnersTestModule, { logger: false });
    partners = app.get(PartnersService);
    /** A second replica, as partner-resolution starts it: the sealing pass, then the e-mail index loop (every second here). */
    startWithBackfill = async () => {
      const replicaSettings = loadSettings(PartnerSettings, { DATABASE_URL: env.databaseUrl, EMAIL_INDEX_INTERVAL_SECONDS: '1' });
      @Module({
        imports: [SettingsModule.forRoot(replicaSettings), TypeOrmModule.forRoot(options), TypeOrmModule.forFeature([Contact, DeliveryAddress])],
        providers: [PartnersService, PersonalDataBox, PersonalDataSealing, EmailIndexBackfill],
      })
      class ReplicaModule {}
      return NestFactory.createApplicationContext(ReplicaModule, { logger: false });
    };
  });

  afterAll(async () => {
    await app?.close();
    await env.tearDown();
  });

  /** A retention run with the 30 days these tests are set up with. */
  const anonymize = () => app.get(BuyerAnonymization).anonymize(new Date(Date.now() - 30 * DAY));

  it('a repeat buyer, written differently, is the same contact and address; a new address is a new row', async () => {
    const first = (await partners.resolve({ parties: [party('A-1')] })).parties[0];
    const again = (
      await partners.resolve({
        parties: [party('A-2', { address: { name: 'ERIKA  MUSTERMANN', addressLine1: 'heidestrasse 17', city: 'KÖLN', postalCode: '51 147', countryCode: 'DE' } })],
      })
    ).parties[0];
    expect(again).toMatchObject({ contactId: first.contactId, deliveryAddressId: first.deliveryAddressId });
    const moved = (await partners.resolve({ parties: [party('A-3', { address: { name: 'Erika Mustermann', addressLine1: 'Domplatz 1', city: 'Köln', postalCode: '50667', countryCode: 'DE' } })] })).parties[0];
    expect(moved.contactId).toBe(first.contactId);
    expect(moved.deliveryAddressId).not.toBe(first.deliveryAddressId);
    const view = await partners.get(first.contactId);
    expect(view.deliveryAddresses.map((a) => a.id)).toEqual([first.deliveryAddressId, moved.deliveryAddressId]);
  });

  it('resolvers racing on the same new buyer make one contact', async () => {
    const newcomer = party('B-1', { buyer: { name: 'Max Muster', email: 'max@marketplace.amazon.de' }, address: { name: 'Max Muster', city: 'Berlin', postalCode: '10115', countryCode: 'DE' } });
    const answers = await Promise.all([1, 2, 3, 4].map(() => partners.resolve({ parties: [newcomer] })));
    expect(new Set(answers.map((a) => a.parties[0].contactId)).size).toBe(1);
    expect(new Set(answers.map((a) => a.parties[0].deliveryAddressId)).size).toBe(1);
  });

  it('pages resolved side by side that share new buyers, listed in opposite orders, neither deadlock nor duplicate', async () => {
    const buyers = Array.from({ length: 30 }, (_, i) =>
      party(`D-${i}`, { buyer: { name: `Buyer ${i}`, email: `buyer${i}@marketplace.amazon.de` }, address: { name: `Buyer ${i}`, addressLine1: `Weg ${i}`, city: 'Bonn', postalCode: '53111', countryCode: 'DE' } }),
    );
    const pages = [buyers, [...buyers].reverse(), buyers.filter((_, i) => i % 2), [...buyers].reverse().filter((_, i) => i % 3)];
    const answers = await Promise.all(pages.map((page) => partners.resolve({ parties: page.map((b) => ({ ...b, orderId: randomUUID() })) })));
    const contactOf = new Map<string, Set<string>>();
    for (const answer of answers) for (const p of answer.parties) contactOf.set(p.key, (contactOf.get(p.key) ?? new Set()).add(p.contactId));
    expect(contactOf.size).toBe(30);
    expect([...contactOf.values()].every((ids) => ids.size === 1)).toBe(true);
  });

  it('a missing buyer name becomes a readable placeholder; a business keeps its company name', async () => {
    const [anonymous, business] = (
      await partners.resolve({
        parties: [
          party('302-1111111-1111111', { buyer: {}, address: { countryCode: 'FR', postalCode: '75001' } }),
          party('C-1', { buyer: { name: 'Jo Buyer', email: 'jo@marketplace.amazon.fr', companyName: 'ACME SARL' }, address: { name: 'Jo Buyer', companyName: 'ACME SARL', countryCode: 'FR' } }),
        ],
      })
    ).parties;
    expect((await partners.get(anonymous.contactId)).name).toBe('Amazon customer (order 302-1111111-1111111)');
    expect(await partners.get(business.contactId)).toMatchObject({ companyName: 'ACME SARL', isBusiness: true, email: 'jo@marketplace.amazon.fr' });
  });

  it('blanks personal data past the retention period, keeps country and postal code, and records it', async () => {
    const oldOrderId = randomUUID();
    const old = (await partners.resolve({
      parties: [party('D-1', { orderId: oldOrderId, orderClosed: true, orderedAt: new Date(Date.now() - 60 * DAY).toISOString(), buyer: { name: 'Old Buyer', email: 'old@marketplace.amazon.de' }, address: { name: 'Old Buyer', addressLine1: 'Altweg 1', city: 'Bonn', postalCode: '53111', countryCode: 'DE', phone: '0228 1' } })],
    })).parties[0];
    // Shipped 59 days ago.
    await app.get(DataSource).query(`update partners.order_partners set closed_at = now() - interval '59 days' where order_id = $1`, [oldOrderId]);
    const recent = (await partners.resolve({ parties: [party('E-1', { orderClosed: true, buyer: { name: 'New Buyer', email: 'new@marketplace.amazon.de' } })] })).parties[0];
    const result = await anonymize();
    expect(result.addresses).toBeGreaterThanOrEqual(1);
    const gone = await partners.get(old.contactId);
    expect(gone).toMatchObject({ name: 'Anonymized customer', email: null, anonymizedAt: expect.any(String) });
    expect(gone.deliveryAddresses[0]).toMatchObject({ name: null, addressLine1: null, city: null, phone: null, postalCode: '53111', countryCode: 'DE', anonymizedAt: expect.any(String) });
    expect(await partners.get(recent.contactId)).toMatchObject({ name: 'New Buyer', anonymizedAt: null });
    expect((await anonymize()).addresses).toBe(0);
  });

  it('a buyer who orders again after being anonymized gets a fresh contact and address; no personal data stays in match keys', async () => {
    const returning = (orderClosed: boolean, orderedAt: string) =>
      party('R-1', { orderId: randomUUID(), orderClosed, orderedAt, buyer: { name: 'Rita Return', email: 'rita@marketplace.amazon.de' }, address: { name: 'Rita Return', addressLine1: 'Rückweg 3', city: 'Köln', postalCode: '50667', countryCode: 'DE', phone: '0221 3' } });
    const longAgo = returning(true, new Date(Date.now() - 60 * DAY).toISOString());
    const first = (await partners.resolve({ parties: [longAgo] })).parties[0];
    const db = app.get(DataSource);
    await db.query(`update partners.order_partners set closed_at = now() - interval '59 days' where order_id = $1`, [longAgo.orderId]);
    await anonymize();
    const keys = await db.query(`select match_key from partners.contacts where id = $1 union all select match_key from partners.delivery_addresses where id = $2`, [first.contactId, first.deliveryAddressId]);
    expect(keys).toEqual([{ match_key: `anonymized:${first.contactId}` }, { match_key: `anonymized:${first.deliveryAddressId}` }]);

    const again = (await partners.resolve({ parties: [returning(false, new Date().toISOString())] })).parties[0];
    expect(again.contactId).not.toBe(first.contactId);
    expect(again.deliveryAddressId).not.toBe(first.deliveryAddressId);
    const contact = await partners.get(again.contactId);
    expect(contact).toMatchObject({ name: 'Rita Return', email: 'rita@marketplace.amazon.de', anonymizedAt: null });
    expect(contact.deliveryAddresses).toEqual([expect.objectContaining({ name: 'Rita Return', addressLine1: 'Rückweg 3', phone: '0221 3', anonymizedAt: null })]);
    // The old order keeps the anonymized rows.
    expect(await db.query(`select contact_id, delivery_address_id from partners.order_partners where order_id = $1`, [longAgo.orderId])).toEqual([
      { contact_id: first.contactId, delivery_address_id: first.deliveryAddressId },
    ]);
    // And the next order of the same buyer finds the fresh ones.
    const third = (await partners.resolve({ parties: [returning(false, new Date().toISOString())] })).parties[0];
    expect([third.contactId, third.deliveryAddressId]).toEqual([again.contactId, again.deliveryAddressId]);
  });

  it('a migration gives rows an older version anonymized keys without personal data', async () => {
    const db = app.get(DataSource);
    const [contact] = await db.query(`select id from partners.contacts where anonymized_at is not null limit 1`);
    const [address] = await db.query(`select id from partners.delivery_addresses where anonymized_at is not null limit 1`);
    await db.query(`update partners.contacts set match_key = 'email:former@marketplace.amazon.de' where id = $1`, [contact.id]);
    await db.query(`update partners.delivery_addresses set match_key = 'former|altweg 1|bonn|53111|DE' where id = $1`, [address.id]);
    const runner = db.createQueryRunner();
    try {
      await new AnonymizedMatchKeys1764300000202().up(runner);
    } finally {
      await runner.release();
    }
    expect(await db.query(`select count(*)::int as n from partners.contacts where anonymized_at is not null and match_key not like 'anonymized:%'`)).toEqual([{ n: 0 }]);
    expect(await db.query(`select match_key from partners.delivery_addresses where id = $1`, [address.id])).toEqual([{ match_key: `anonymized:${address.id}` }]);
    // Live rows keep their keys.
    expect((await db.query(`select count(*)::int as n from partners.contacts where anonymized_at is null and match_key like 'anonymized:%'`))[0].n).toBe(0);
    // A replica of the older version, still running during the upgrade, anonymizes another the old way: the next retention run mends it.
    await db.query(`update partners.contacts set match_key = 'email:late@marketplace.amazon.de' where id = $1`, [contact.id]);
    await anonymize();
    expect(await db.query(`select match_key from partners.contacts where id = $1`, [contact.id])).toEqual([{ match_key: `anonymized:${contact.id}` }]);
  });

  it('keeps an address while one of its orders is open, and blanks it a retention period after the order closed', async () => {
    const manager = app.get(DataSource).manager;
    const longAgo = new Date(Date.now() - 90 * DAY).toISOString();
    const orderId = randomUUID();
    const slowShipper = (orderClosed: boolean) =>
      party('F-1', { orderId, orderClosed, orderedAt: longAgo, buyer: { name: 'Slow Shipper', email: 'slow@marketplace.amazon.de' }, address: { name: 'Slow Shipper', addressLine1: 'Langweg 9', postalCode: '20095', countryCode: 'DE' } });
    const buyer = (await partners.resolve({ parties: [slowShipper(false)] })).parties[0];
    expect(await manager.query(`select contact_id, delivery_address_id, closed_at from partners.order_partners where order_id = $1`, [orderId])).toEqual([
      { contact_id: buyer.contactId, delivery_address_id: buyer.deliveryAddressId, closed_at: null },
    ]);
    await anonymize();
    expect((await partners.get(buyer.contactId)).deliveryAddresses[0].addressLine1).toBe('Langweg 9');

    // The next sync finds it shipped: closed from now, so still kept.
    await partners.resolve({ parties: [slowShipper(true)] });
    await anonymize();
    expect((await partners.get(buyer.contactId)).deliveryAddresses[0].addressLine1).toBe('Langweg 9');

    // A closed order stays closed at its first closing time, whatever a later resolve says.
    await manager.query(`update partners.order_partners set closed_at = now() - interval '31 days' where order_id = $1`, [orderId]);
    await partners.resolve({ parties: [slowShipper(false)] });
    await anonymize();
    expect((await partners.get(buyer.contactId)).deliveryAddresses[0]).toMatchObject({ addressLine1: null, postalCode: '20095', anonymizedAt: expect.any(String) });
  });

  it('an order cancelled by hand closes it for retention', async () => {
    const orderId = randomUUID();
    await partners.resolve({ parties: [party('G-1', { orderId })] });
    const manager = app.get(DataSource).manager;
    await app.get(OrderClosureHandler).onOrderCanceled({ orderId } as never, { manager, eventId: 'e', subject: 's' });
    const [row] = await manager.query(`select closed_at from partners.order_partners where order_id = $1`, [orderId]);
    expect(row.closed_at).toBeInstanceOf(Date);
  });

  it('keeps names, streets, phones and e-mails sealed at rest, and keys and search indexes hashed', async () => {
    const secretive = (await partners.resolve({
      parties: [party('S-1', { buyer: { name: 'Sigrid Sealed', email: 'sigrid@marketplace.amazon.de', companyName: 'Siegel GmbH' }, address: { name: 'Sigrid Sealed', addressLine1: 'Geheimweg 7', city: 'Hamburg', postalCode: '20095', countryCode: 'DE', phone: '040 777' } })],
    })).parties[0];
    const db = app.get(DataSource);
    const rows = JSON.stringify([
      ...(await db.query(`select * from partners.contacts where id = $1`, [secretive.contactId])),
      ...(await db.query(`select * from partners.delivery_addresses where id = $1`, [secretive.deliveryAddressId])),
    ]);
    expect(rows).not.toMatch(/sigrid|siegel|geheimweg|hamburg|040 777/i);
    expect(rows).toContain('20095');
    // Read back through the service: the same as Amazon sent.
    expect(await partners.get(secretive.contactId)).toMatchObject({ name: 'Sigrid Sealed', email: 'sigrid@marketplace.amazon.de', companyName: 'Siegel GmbH' });
    expect((await partners.get(secretive.contactId)).deliveryAddresses[0]).toMatchObject({ addressLine1: 'Geheimweg 7', city: 'Hamburg', phone: '040 777' });
    // Search takes the whole name or company, in any case or accents; not a part of it.
    expect((await partners.list({ search: 'SIGRID sealed' })).items.map((p) => p.id)).toEqual([secretive.contactId]);
    expect((await partners.list({ search: 'siegel gmbh' })).items.map((p) => p.id)).toEqual([secretive.contactId]);
    expect((await partners.list({ search: 'Sigrid' })).items).toEqual([]);
    // A sealed value copied into another row does not open there.
    await db.query(`update partners.contacts set email = (select email from partners.contacts where id = $1) where id = (select id from partners.contacts where id <> $1 and anonymized_at is null limit 1)`, [secretive.contactId]);
    const [other] = await db.query(`select id from partners.contacts where id <> $1 and anonymized_at is null and email = (select email from partners.contacts where id = $1)`, [secretive.contactId]);
    await expect(partners.get(other.id)).rejects.toThrow(/does not open/);
    await db.query(`update partners.contacts set email = null where id = $1`, [other.id]);
  });

  it('seals rows written before sealing at start-up, and a returning buyer still finds them', async () => {
    const db = app.get(DataSource);
    const contactId = randomUUID();
    const addressId = randomUUID();
    const buyer = { name: 'Legacy Lotte', email: 'lotte@marketplace.amazon.de' };
    const address = { name: 'Legacy Lotte', addressLine1: 'Altbau 1', city: 'Bremen', postalCode: '28195', countryCode: 'DE' };
    // As the version before sealing wrote them: plain text, plain match keys.
    await db.query(
      `insert into partners.contacts (id, account_id, match_key, name, email, is_business) values ($1, $2, $3, $4, $5, false)`,
      [contactId, accountId, contactMatchKey(buyer, address, 'x'), buyer.name, buyer.email],
    );
    await db.query(
      `insert into partners.delivery_addresses (id, contact_id, account_id, match_key, name, address_line1, city, postal_code, country_code, last_ordered_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())`,
      [addressId, contactId, accountId, addressMatchKey(address), address.name, address.addressLine1, address.city, address.postalCode, address.countryCode],
    );
    const sealed = await app.get(PersonalDataSealing).run();
    expect(sealed.contacts).toBeGreaterThanOrEqual(1);
    const raw = JSON.stringify([
      ...(await db.query(`select * from partners.contacts where id = $1`, [contactId])),
      ...(await db.query(`select * from partners.delivery_addresses where id = $1`, [addressId])),
    ]);
    expect(raw).not.toMatch(/lotte|altbau|bremen/i);
    expect(await app.get(PersonalDataSealing).run()).toEqual({ contacts: 0, addresses: 0 });
    const again = (await partners.resolve({ parties: [party('L-1', { buyer, address })] })).parties[0];
    expect([again.contactId, again.deliveryAddressId]).toEqual([contactId, addressId]);
    expect((await partners.get(contactId)).deliveryAddresses[0]).toMatchObject({ addressLine1: 'Altbau 1', city: 'Bremen' });
  });

  it('lets an older row step aside when its hashed twin exists (an upgrade with replicas of both versions), and skips a row it cannot open', async () => {
    const db = app.get(DataSource);
    const buyer = { name: 'Twin Tobias', email: 'tobias@marketplace.amazon.de' };
    const address = { name: 'Twin Tobias', addressLine1: 'Doppelweg 2', city: 'Ulm', postalCode: '89073', countryCode: 'DE' };
    const fresh = (await partners.resolve({ parties: [party('T-1', { buyer, address })] })).parties[0];
    const legacyId = randomUUID();
    await db.query(`insert into partners.contacts (id, account_id, match_key, name, email, is_business) values ($1, $2, $3, $4, $5, false)`, [legacyId, accountId, contactMatchKey(buyer, address, 'x'), buyer.name, buyer.email]);
    const brokenId = randomUUID();
    await db.query(`insert into partners.contacts (id, account_id, match_key, name, is_business) values ($1, $2, 'name:broken', 'v2:00000000:AAAA:BBBB:CCCC', false)`, [brokenId, accountId]);
    const sealed = await app.get(PersonalDataSealing).run();
    expect(sealed.contacts).toBe(1);
    const [legacy] = await db.query(`select match_key, name from partners.contacts where id = $1`, [legacyId]);
    expect(legacy.match_key).toBe(`superseded:${legacyId}`);
    expect(legacy.name).toMatch(/^v2:/);
    expect((await partners.get(legacyId)).name).toBe('Twin Tobias');
    // New orders of the buyer find the hashed twin.
    expect((await partners.resolve({ parties: [party('T-2', { buyer, address })] })).parties[0].contactId).toBe(fresh.contactId);
    await db.query(`delete from partners.contacts where id = $1`, [brokenId]);
    expect(await app.get(PersonalDataSealing).run()).toEqual({ contacts: 0, addresses: 0 });
  });

  it('finds a buyer by whole name or e-mail through keyed hashes, in any case and spacing', async () => {
    const db = app.get(DataSource);
    const otherAccount = randomUUID();
    const buyer = { name: 'José Müller-Lüdenscheidt', email: 'Jose.M@Marketplace.Amazon.de' };
    const [here, there] = (
      await partners.resolve({
        parties: [party('S-1', { buyer }), party('S-2', { accountId: otherAccount, buyer: { name: 'José Müller-Lüdenscheidt', email: 'other@marketplace.amazon.de' } })],
      })
    ).parties;
    expect((await partners.find({ buyer: '  jose   MULLER ludenscheidt ' })).contactIds.sort()).toEqual([here.contactId, there.contactId].sort());
    expect(await partners.find({ buyer: 'José Müller-Lüdenscheidt', accountId })).toEqual({ contactIds: [here.contactId], more: false });
    expect((await partners.find({ buyer: ' jose.m@marketplace.amazon.DE' })).contactIds).toEqual([here.contactId]);
    // Exact only: a part of the name or of the address finds nothing.
    expect((await partners.find({ buyer: 'Jose' })).contactIds).toEqual([]);
    expect((await partners.find({ buyer: 'jose.m@marketplace' })).contactIds).toEqual([]);
    const [row] = await db.query(`select email, email_index from partners.contacts where id = $1`, [here.contactId]);
    expect(row.email).toMatch(/^v2:/);
    expect(row.email_index).toMatch(/^h1:[0-9a-f]{64}$/);
  });

  it('gives a name of punctuation alone no name hash, and a search that normalises to nothing finds no one', async () => {
    const db = app.get(DataSource);
    const [dash, dot] = (
      await partners.resolve({
        parties: [
          party('P-1', { buyer: { name: '-', email: 'dash@marketplace.amazon.de' }, address: { name: '-', city: 'Kiel', countryCode: 'DE' } }),
          party('P-2', { buyer: { name: '.', email: 'dot@marketplace.amazon.de', companyName: '--' }, address: { name: '.', city: 'Kiel', countryCode: 'DE' } }),
        ],
      })
    ).parties;
    const rows = await db.query(`select name_index, company_index, email_index from partners.contacts where id = any($1::uuid[])`, [[dash.contactId, dot.contactId]]);
    expect(rows).toEqual([
      { name_index: null, company_index: null, email_index: expect.stringMatching(/^h1:/) },
      { name_index: null, company_index: null, email_index: expect.stringMatching(/^h1:/) },
    ]);
    // As an earlier version wrote it: the hash of the empty name.
    await db.query(`update partners.contacts set name_index = $2 where id = $1`, [dash.contactId, app.get(PersonalDataBox).index('')]);
    for (const buyer of ['-', '.', ',,', ' - ']) expect(await partners.find({ buyer })).toEqual({ contactIds: [], more: false });
    expect((await partners.list({ search: '-', limit: 10 })).items).toEqual([]);
    expect((await partners.find({ buyer: 'DASH@marketplace.amazon.de' })).contactIds).toEqual([dash.contactId]);
  });

  it('indexes the e-mails of contacts written without the index (before it, or by an older replica) in the background, once the service runs', async () => {
    const db = app.get(DataSource);
    const buyer = { name: 'Upgrade Ute', email: 'Ute.Upgrade@Marketplace.Amazon.de' };
    const { contactId } = (await partners.resolve({ parties: [party('U-1', { buyer })] })).parties[0];
    const [before] = await db.query(`select name, email, company_name, match_key from partners.contacts where id = $1`, [contactId]);
    // As the version before the e-mail index wrote it.
    await db.query(`update partners.contacts set email_index = null where id = $1`, [contactId]);
    expect((await partners.find({ buyer: buyer.email })).contactIds).toEqual([]);
    // Not the start-up sealing pass's work (it would hold the service's start).
    expect(await app.get(PersonalDataSealing).run()).toEqual({ contacts: 0, addresses: 0 });

    // A write holding the row while the service starts: a start that waited for the index would wait for it.
    const holder = db.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    await holder.query(`select 1 from partners.contacts where id = $1 for update`, [contactId]);
    let running: INestApplicationContext | undefined;
    try {
      running = await startWithBackfill();
      const [row] = await db.query(`select email_index from partners.contacts where id = $1`, [contactId]);
      expect(row.email_index).toBeNull();
    } finally {
      await holder.rollbackTransaction();
      await holder.release();
    }
    try {
      await waitFor(async () => (await partners.find({ buyer: ' ute.upgrade@MARKETPLACE.amazon.de ' })).contactIds.includes(contactId), {
        timeoutMs: 15_000,
        what: 'the background loop to index the e-mail',
      });
      // Only the hash is written: the sealed values and the match key are as they were.
      expect(await db.query(`select name, email, company_name, match_key from partners.contacts where id = $1`, [contactId])).toEqual([before]);

      // An older replica writes another contact after the first pass: the loop's next pass indexes it.
      const late = (await partners.resolve({ parties: [party('U-2', { buyer: { name: 'Late Lars', email: 'lars@marketplace.amazon.de' } })] })).parties[0];
      await db.query(`update partners.contacts set email_index = null where id = $1`, [late.contactId]);
      await waitFor(async () => (await partners.find({ buyer: 'lars@marketplace.amazon.de' })).contactIds.includes(late.contactId), {
        timeoutMs: 15_000,
        what: 'a later pass to index the e-mail',
      });
      // Nothing left: the partial index of leftovers is empty.
      expect(await db.query(`select id from partners.contacts where email is not null and email_index is null and anonymized_at is null`)).toEqual([]);
      expect(await running!.get(EmailIndexBackfill).run()).toBe(0);
    } finally {
      await running?.close();
    }
  });
});
