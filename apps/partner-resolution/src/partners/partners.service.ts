import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  DeliveryAddressView,
  FIND_CONTACTS_LIMIT,
  FindContactsRequest,
  FindContactsResponse,
  ListPartnersRequest,
  Page,
  PartnerView,
  PartyToResolve,
  ResolvedParty,
  ResolvePartnersRequest,
  ResolvePartnersResponse,
} from '@connector/contracts';
import { bulkInsert, findByKeys, inLockOrder, newRowId } from '@connector/persistence';
import { listPage, ServiceError } from '@connector/platform';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { Contact } from './contact.entity';
import { DeliveryAddress } from './delivery-address.entity';
import { addressMatchKey, contactMatchKey, normalizeEmail, normalizeText } from './match-keys';
import { PersonalDataBox } from './personal-data-box';

/** The sealed columns of each table (see PersonalDataBox). */
export const SEALED_CONTACT_FIELDS = ['name', 'email', 'companyName'] as const;
export const SEALED_ADDRESS_FIELDS = ['name', 'companyName', 'addressLine1', 'addressLine2', 'addressLine3', 'city', 'districtOrCounty', 'phone'] as const;

/** Readable stand-in when Amazon gives no buyer name (FBA orders often have none). */
export const placeholderName = (orderReference: string) => `Amazon customer (order ${orderReference})`;

@Injectable()
export class PartnersService {
  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(Contact) private readonly contacts: Repository<Contact>,
    private readonly personal: PersonalDataBox,
  ) {}

  /**
   * Finds or creates the contact and delivery address of every party, in one transaction
   * and a handful of statements for the whole batch. Concurrent resolvers of the same new
   * buyer meet on the unique keys: insert-or-ignore, then read back.
   */
  async resolve(request: ResolvePartnersRequest): Promise<ResolvePartnersResponse> {
    return this.dataSource.transaction(async (manager) => {
      // Keyed hashes: the keys find a returning buyer without holding who they are.
      const parties = request.parties.map((party) => ({
        party,
        contactKey: this.personal.index(contactMatchKey(party.buyer, party.address, placeholderName(party.orderReference))),
        addressKey: this.personal.index(addressMatchKey(party.address)),
      }));
      const contactIds = await this.ensureContacts(manager, parties);
      const addressIds = await this.ensureAddresses(
        manager,
        parties.map((p) => ({ ...p, contactId: contactIds.get(`${p.party.accountId}|${p.contactKey}`)! })),
      );
      const resolved: ResolvedParty[] = parties.map((p) => {
        const contactId = contactIds.get(`${p.party.accountId}|${p.contactKey}`)!;
        return { key: p.party.key, contactId, deliveryAddressId: addressIds.get(`${contactId}|${p.addressKey}`)! };
      });
      await this.recordOrders(manager, request.parties, resolved);
      return { parties: resolved };
    });
  }

  /**
   * Which partners each order uses and since when it is closed (shipped or cancelled), for the
   * retention job. A closed order stays closed at its first closing time.
   */
  private async recordOrders(manager: EntityManager, parties: PartyToResolve[], resolved: ResolvedParty[]): Promise<void> {
    const byOrder = new Map(parties.map((party, i) => [party.orderId, { party, partners: resolved[i] }]));
    const rows = inLockOrder([...byOrder.values()], (r) => r.party.orderId);
    await manager.query(
      `insert into order_partners (order_id, contact_id, delivery_address_id, closed_at)
       select o.order_id, o.contact_id, o.delivery_address_id, case when o.closed then now() end
         from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::boolean[]) as o(order_id, contact_id, delivery_address_id, closed)
       on conflict (order_id) do update set contact_id = excluded.contact_id, delivery_address_id = excluded.delivery_address_id,
         closed_at = coalesce(order_partners.closed_at, excluded.closed_at)`,
      [rows.map((r) => r.party.orderId), rows.map((r) => r.partners.contactId), rows.map((r) => r.partners.deliveryAddressId), rows.map((r) => r.party.orderClosed)],
    );
  }

  private async ensureContacts(manager: EntityManager, parties: { party: PartyToResolve; contactKey: string }[]): Promise<Map<string, string>> {
    const rows = new Map<string, Partial<Contact>>();
    for (const { party, contactKey } of parties) {
      const key = `${party.accountId}|${contactKey}`;
      if (rows.has(key)) continue;
      const companyName = party.buyer.companyName ?? party.address.companyName ?? null;
      const name = party.buyer.name || party.address.name || placeholderName(party.orderReference);
      const id = newRowId();
      rows.set(key, {
        id,
        accountId: party.accountId,
        matchKey: contactKey,
        ...this.sealContact(id, { name, email: party.buyer.email ?? null, companyName }),
        isBusiness: !!companyName,
        anonymizedAt: null,
      });
    }
    // The sync resolves pages side by side, and pages share new buyers: see inLockOrder.
    const values = inLockOrder([...rows.values()], (r) => `${r.accountId}|${r.matchKey}`);
    await bulkInsert(manager, Contact, values, { onConflict: 'ignore' });
    const found = await findByKeys<{ id: string; account_id: string; match_key: string }>(manager, 'contacts', ['id', 'account_id', 'match_key'], {
      account_id: { type: 'uuid', values: values.map((r) => r.accountId) },
      match_key: { type: 'text', values: values.map((r) => r.matchKey) },
    });
    return new Map(found.map((row) => [`${row.account_id}|${row.match_key}`, row.id]));
  }

  private async ensureAddresses(
    manager: EntityManager,
    parties: { party: PartyToResolve; addressKey: string; contactId: string }[],
  ): Promise<Map<string, string>> {
    const rows = new Map<string, Partial<DeliveryAddress>>();
    for (const { party, addressKey, contactId } of parties) {
      const key = `${contactId}|${addressKey}`;
      const orderedAt = new Date(party.orderedAt);
      const known = rows.get(key);
      if (known) {
        if (orderedAt > known.lastOrderedAt!) known.lastOrderedAt = orderedAt;
        continue;
      }
      const a = party.address;
      const id = newRowId();
      rows.set(key, {
        id,
        contactId,
        accountId: party.accountId,
        matchKey: addressKey,
        ...this.sealAddress(id, a),
        stateOrRegion: a.stateOrRegion ?? null,
        postalCode: a.postalCode ?? null,
        countryCode: a.countryCode,
        addressType: a.addressType ?? null,
        lastOrderedAt: orderedAt,
        anonymizedAt: null,
      });
    }
    // An address used again keeps its row; only its last order time moves on. Either way the
    // statement returns the row, so no second look-up is needed.
    const values = inLockOrder([...rows.values()], (r) => `${r.contactId}|${r.matchKey}`);
    const found = await bulkInsert<DeliveryAddress, { id: string; contact_id: string; match_key: string }>(manager, DeliveryAddress, values, {
      onConflict: { target: ['contactId', 'matchKey'], set: 'last_ordered_at = greatest(delivery_addresses.last_ordered_at, excluded.last_ordered_at)' },
      returning: ['id', 'contact_id', 'match_key'],
    });
    return new Map(found.map((row) => [`${row.contact_id}|${row.match_key}`, row.id]));
  }

  async list(request: ListPartnersRequest): Promise<Page<PartnerView>> {
    const query = this.contacts.createQueryBuilder('c');
    if (request.accountId) query.andWhere('c.accountId = :accountId', { accountId: request.accountId });
    // Names are sealed: search finds the whole name or company name (any case, accents or
    // punctuation), through their keyed hashes.
    if (request.search) query.andWhere('(c.nameIndex = :search OR c.companyIndex = :search)', { search: this.textIndex(request.search) });
    const page = await listPage(query, request, (c) => c);
    const addresses = page.items.length
      ? await this.dataSource.getRepository(DeliveryAddress).find({ where: page.items.map((c) => ({ contactId: c.id })), order: { createdAt: 'ASC' } })
      : [];
    return { items: page.items.map((c) => this.partnerView(c, addresses.filter((a) => a.contactId === c.id))), nextCursor: page.nextCursor };
  }

  /**
   * The contacts of a buyer search: the whole name or e-mail address through their keyed hashes
   * (both indexed). The oldest first, at most FIND_CONTACTS_LIMIT.
   */
  async find(request: FindContactsRequest): Promise<FindContactsResponse> {
    const email = normalizeEmail(request.buyer);
    const rows: { id: string }[] = await this.dataSource.query(
      `select id from contacts where (name_index = $1 or email_index = $2) and ($3::uuid is null or account_id = $3) order by created_at, id limit $4`,
      [this.textIndex(request.buyer), email ? this.personal.index(email) : null, request.accountId ?? null, FIND_CONTACTS_LIMIT + 1],
    );
    return { contactIds: rows.slice(0, FIND_CONTACTS_LIMIT).map((row) => row.id), more: rows.length > FIND_CONTACTS_LIMIT };
  }

  /** A contact by id, or the contact owning a delivery address of that id. */
  async get(id: string): Promise<PartnerView> {
    let contact = await this.contacts.findOne({ where: { id }, relations: { deliveryAddresses: true } });
    if (!contact) {
      const address = await this.dataSource.getRepository(DeliveryAddress).findOneBy({ id });
      if (address) contact = await this.contacts.findOne({ where: { id: address.contactId }, relations: { deliveryAddresses: true } });
    }
    if (!contact) throw ServiceError.notFound(`partner ${id} not found`);
    return this.partnerView(contact, contact.deliveryAddresses ?? []);
  }

  /** A contact's sealed columns and search indexes. */
  sealContact(
    id: string,
    plain: { name: string; email: string | null; companyName: string | null },
  ): Pick<Contact, 'name' | 'email' | 'companyName' | 'nameIndex' | 'emailIndex' | 'companyIndex'> {
    return {
      name: this.personal.seal(plain.name, 'contacts.name', id)!,
      email: this.personal.seal(plain.email, 'contacts.email', id),
      companyName: this.personal.seal(plain.companyName, 'contacts.companyName', id),
      nameIndex: this.textIndex(plain.name),
      emailIndex: plain.email ? this.personal.index(normalizeEmail(plain.email)) : null,
      companyIndex: this.textIndex(plain.companyName),
    };
  }

  /**
   * The keyed hash a name or company name is found by; none for one that normalises to nothing
   * ("-", "."): such names are not one buyer's, and a search for "-" must not find them all.
   */
  private textIndex(value: string | null): string | null {
    const text = normalizeText(value);
    return text ? this.personal.index(text) : null;
  }

  /** An address's sealed columns. */
  sealAddress(id: string, plain: Partial<Record<(typeof SEALED_ADDRESS_FIELDS)[number], string | null>>): Pick<DeliveryAddress, (typeof SEALED_ADDRESS_FIELDS)[number]> {
    return Object.fromEntries(SEALED_ADDRESS_FIELDS.map((field) => [field, this.personal.seal(plain[field] ?? null, `delivery_addresses.${field}`, id)])) as Pick<
      DeliveryAddress,
      (typeof SEALED_ADDRESS_FIELDS)[number]
    >;
  }

  private addressView(a: DeliveryAddress): DeliveryAddressView {
    const open = (field: (typeof SEALED_ADDRESS_FIELDS)[number]) => this.personal.open(a[field], `delivery_addresses.${field}`, a.id);
    return {
      id: a.id,
      contactId: a.contactId,
      name: open('name'),
      companyName: open('companyName'),
      addressLine1: open('addressLine1'),
      addressLine2: open('addressLine2'),
      addressLine3: open('addressLine3'),
      city: open('city'),
      stateOrRegion: a.stateOrRegion,
      postalCode: a.postalCode,
      countryCode: a.countryCode,
      phone: open('phone'),
      anonymizedAt: a.anonymizedAt?.toISOString() ?? null,
    };
  }

  private partnerView(c: Contact, addresses: DeliveryAddress[]): PartnerView {
    return {
      id: c.id,
      accountId: c.accountId,
      name: this.personal.open(c.name, 'contacts.name', c.id)!,
      email: this.personal.open(c.email, 'contacts.email', c.id),
      companyName: this.personal.open(c.companyName, 'contacts.companyName', c.id),
      isBusiness: c.isBusiness,
      anonymizedAt: c.anonymizedAt?.toISOString() ?? null,
      deliveryAddresses: [...addresses].sort((x, y) => x.createdAt.getTime() - y.createdAt.getTime()).map((a) => this.addressView(a)),
      createdAt: c.createdAt.toISOString(),
    };
  }
}
