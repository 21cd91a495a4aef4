import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { CarrierMappingKey, CarrierMappingListView, CarrierMappingView, ListCarrierMappingsRequest, OTHER_CARRIER_CODE, PutCarrierMappingRequest } from '@connector/contracts';
import { newRowId } from '@connector/persistence';
import { ServiceError } from '@connector/platform';
import { EntityManager, IsNull, Repository } from 'typeorm';
import { CarrierMapping } from './carrier-mapping.entity';
import { carrierNameKey, resolveCarrier, ResolvedCarrier } from './carrier-resolution';

/** The key every global mapping shares in the unique index (account_id is null for them). */
const GLOBAL = '00000000-0000-0000-0000-000000000000';

/** The seller's carrier names and the Amazon carrier codes they stand for: global, or for one account. */
@Injectable()
export class CarrierMappingsService {
  private readonly logger = new Logger(CarrierMappingsService.name);

  constructor(@InjectRepository(CarrierMapping) private readonly mappings: Repository<CarrierMapping>) {}

  /** The global mappings, or (with accountId) the account's own. */
  async list(request: ListCarrierMappingsRequest = {}): Promise<CarrierMappingListView> {
    const rows = await this.mappings.find({ where: { accountId: request.accountId ?? IsNull() }, order: { nameKey: 'ASC' } });
    return { items: rows.map(carrierMappingView) };
  }

  async get(request: CarrierMappingKey): Promise<CarrierMappingView> {
    return carrierMappingView(await this.find(request));
  }

  /** Creates or replaces the mapping of a name (one statement: two callers at once leave one of theirs). */
  async put(request: PutCarrierMappingRequest): Promise<CarrierMappingView> {
    const name = request.name.trim().replace(/\s+/g, ' ');
    const carrierName = request.carrierCode === OTHER_CARRIER_CODE ? (request.carrierName?.trim() ?? null) : null;
    const accountId = request.accountId ?? null;
    await this.mappings.query(
      `insert into carrier_mappings (id, account_id, name_key, name, carrier_code, carrier_name) values ($1, $2, $3, $4, $5, $6)
       on conflict (coalesce(account_id, '${GLOBAL}'::uuid), name_key)
       do update set name = excluded.name, carrier_code = excluded.carrier_code, carrier_name = excluded.carrier_name, updated_at = now()`,
      [newRowId(), accountId, carrierNameKey(name), name, request.carrierCode, carrierName],
    );
    this.logger.log({ msg: `carrier name "${name}" maps to ${request.carrierCode}${carrierName ? ` (${carrierName})` : ''}${accountId ? ` for account ${accountId}` : ''}`, ...(accountId ? { accountId } : {}) });
    return carrierMappingView(await this.find({ name, accountId: request.accountId }));
  }

  async delete(request: CarrierMappingKey): Promise<CarrierMappingView> {
    const mapping = await this.find(request);
    await this.mappings.delete({ id: mapping.id });
    this.logger.log({ msg: `carrier name "${mapping.name}" no longer mapped${mapping.accountId ? ` for account ${mapping.accountId}` : ''}`, ...(mapping.accountId ? { accountId: mapping.accountId } : {}) });
    return carrierMappingView(mapping);
  }

  /**
   * The carrier a seller named on a validation of the account's delivery, read in the
   * validation's transaction: the account's own mapping of the name first, then the global one.
   */
  async resolve(manager: EntityManager, given: string, accountId: string): Promise<ResolvedCarrier> {
    const [mapping] = await manager.find(CarrierMapping, {
      where: [{ nameKey: carrierNameKey(given), accountId }, { nameKey: carrierNameKey(given), accountId: IsNull() }],
      order: { accountId: { direction: 'ASC', nulls: 'LAST' } },
      take: 1,
    });
    return resolveCarrier(given, mapping ?? null);
  }

  private async find(key: CarrierMappingKey): Promise<CarrierMapping> {
    const mapping = await this.mappings.findOneBy({ nameKey: carrierNameKey(key.name), accountId: key.accountId ?? IsNull() });
    if (!mapping) throw ServiceError.notFound(`no carrier mapping named "${key.name.trim()}"${key.accountId ? ` for account ${key.accountId}` : ''}`);
    return mapping;
  }
}

export function carrierMappingView(m: CarrierMapping): CarrierMappingView {
  return {
    name: m.name,
    carrierCode: m.carrierCode,
    carrierName: m.carrierName,
    accountId: m.accountId,
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
  };
}
