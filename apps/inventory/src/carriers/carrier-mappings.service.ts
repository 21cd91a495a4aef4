import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { CarrierMappingListView, CarrierMappingName, CarrierMappingView, OTHER_CARRIER_CODE, PutCarrierMappingRequest } from '@connector/contracts';
import { ServiceError } from '@connector/platform';
import { EntityManager, Repository } from 'typeorm';
import { CarrierMapping } from './carrier-mapping.entity';
import { carrierNameKey, resolveCarrier, ResolvedCarrier } from './carrier-resolution';

/** The seller's carrier names and the Amazon carrier codes they stand for. */
@Injectable()
export class CarrierMappingsService {
  private readonly logger = new Logger(CarrierMappingsService.name);

  constructor(@InjectRepository(CarrierMapping) private readonly mappings: Repository<CarrierMapping>) {}

  async list(): Promise<CarrierMappingListView> {
    const rows = await this.mappings.find({ order: { nameKey: 'ASC' } });
    return { items: rows.map(carrierMappingView) };
  }

  async get(request: CarrierMappingName): Promise<CarrierMappingView> {
    return carrierMappingView(await this.find(request.name));
  }

  /** Creates or replaces the mapping of a name (one statement: two callers at once leave one of theirs). */
  async put(request: PutCarrierMappingRequest): Promise<CarrierMappingView> {
    const name = request.name.trim().replace(/\s+/g, ' ');
    const carrierName = request.carrierCode === OTHER_CARRIER_CODE ? (request.carrierName?.trim() ?? null) : null;
    await this.mappings.query(
      `insert into carrier_mappings (name_key, name, carrier_code, carrier_name) values ($1, $2, $3, $4)
       on conflict (name_key) do update set name = excluded.name, carrier_code = excluded.carrier_code, carrier_name = excluded.carrier_name, updated_at = now()
`,
      [carrierNameKey(name), name, request.carrierCode, carrierName],
    );
    this.logger.log(`carrier name "${name}" maps to ${request.carrierCode}${carrierName ? ` (${carrierName})` : ''}`);
    return carrierMappingView(await this.find(name));
  }

  async delete(request: CarrierMappingName): Promise<CarrierMappingView> {
    const mapping = await this.find(request.name);
    await this.mappings.delete({ nameKey: mapping.nameKey });
    this.logger.log(`carrier name "${mapping.name}" no longer mapped`);
    return carrierMappingView(mapping);
  }

  /** The carrier a seller named on a validation, read in the validation's transaction. */
  async resolve(manager: EntityManager, given: string): Promise<ResolvedCarrier> {
    const mapping = await manager.findOneBy(CarrierMapping, { nameKey: carrierNameKey(given) });
    return resolveCarrier(given, mapping);
  }

  private async find(name: string): Promise<CarrierMapping> {
    const mapping = await this.mappings.findOneBy({ nameKey: carrierNameKey(name) });
    if (!mapping) throw ServiceError.notFound(`no carrier mapping named "${name.trim()}"`);
    return mapping;
  }
}

export function carrierMappingView(m: CarrierMapping): CarrierMappingView {
  return { name: m.name, carrierCode: m.carrierCode, carrierName: m.carrierName, createdAt: m.createdAt.toISOString(), updatedAt: m.updatedAt.toISOString() };
}
