import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { CreateMarketplaceRequest, MarketplaceView } from '@connector/contracts';
import { ServiceError } from '@connector/platform';
import { In, Repository } from 'typeorm';
import { Marketplace } from './marketplace.entity';

@Injectable()
export class MarketplacesService {
  constructor(@InjectRepository(Marketplace) private readonly marketplaces: Repository<Marketplace>) {}

  async list(): Promise<MarketplaceView[]> {
    const rows = await this.marketplaces.find({ order: { builtIn: 'DESC', marketplaceId: 'ASC' } });
    return rows.map(toView);
  }

  async create(request: CreateMarketplaceRequest): Promise<MarketplaceView> {
    const existing = await this.marketplaces.findOneBy({ marketplaceId: request.marketplaceId });
    if (existing) throw ServiceError.conflict(`marketplace ${request.marketplaceId} already exists`);
    const row = this.marketplaces.create({ ...request, builtIn: false });
    await this.marketplaces.insert(row);
    return toView(row);
  }

  async findMany(ids: string[]): Promise<Marketplace[]> {
    return this.marketplaces.findBy({ marketplaceId: In(ids) });
  }
}

function toView(m: Marketplace): MarketplaceView {
  return {
    marketplaceId: m.marketplaceId,
    name: m.name,
    countryCode: m.countryCode,
    region: m.region,
    currency: m.currency,
    domain: m.domain,
    taxIncluded: m.taxIncluded,
    builtIn: m.builtIn,
  };
}
