import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { CreateMarketplaceRequest, MarketplaceView, Page, PageQuery } from '@connector/contracts';
import { listPage, ServiceError } from '@connector/platform';
import { In, Repository } from 'typeorm';
import { Marketplace } from './marketplace.entity';

@Injectable()
export class MarketplacesService {
  private readonly known = new Map<string, Marketplace>();

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

  /**
   * Kept once read: a marketplace is never changed nor removed, only added (create). So a sync run
   * of an account asks the database only for a marketplace this process has not seen yet.
   */
  async findMany(ids: string[]): Promise<Marketplace[]> {
    const unseen = ids.filter((id) => !this.known.has(id));
    if (unseen.length) for (const found of await this.marketplaces.findBy({ marketplaceId: In(unseen) })) this.known.set(found.marketplaceId, found);
    return [...new Set(ids)].flatMap((id) => this.known.get(id) ?? []);
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
