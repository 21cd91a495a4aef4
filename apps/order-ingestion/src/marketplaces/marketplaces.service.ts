import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { CreateMarketplaceRequest, MarketplaceView, Page, PageQuery } from '@connector/contracts';
import { listPage, ServiceError } from '@connector/platform';
import { In, Repository } from 'typeorm';
import { Marketplace } from './marketplace.entity';

@Injectable()
export class MarketplacesService {
  constructor(@InjectRepository(Marketplace) private readonly marketplaces: Repository<Marketplace>) {}

  /** Like every list: paged, in the order they were added (the built-in ones first). */
  async list(request: PageQuery): Promise<Page<MarketplaceView>> {
    return listPage(this.marketplaces.createQueryBuilder('m'), request, toView, { key: 'marketplaceId' });
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
