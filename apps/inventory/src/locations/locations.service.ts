import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { ListLocationsRequest, LocationView, Page } from '@connector/contracts';
import { listPage } from '@connector/platform';
import { EntityManager, Repository } from 'typeorm';
import { newRowId } from '@connector/persistence';
import { Location } from './location.entity';

@Injectable()
export class LocationsService {
  constructor(@InjectRepository(Location) private readonly locations: Repository<Location>) {}

  /** Location ids never change: one lookup per account and process. */
  private readonly fbaLocations = new Map<string, string>();

  /** The account's Amazon warehouse, created the first time an FBA order needs it. */
  async fbaLocation(manager: EntityManager, accountId: string): Promise<string> {
    const cached = this.fbaLocations.get(accountId);
    if (cached) return cached;
    // Only a committed row is cached: one this transaction created (or saw created by it)
    // would be gone if the transaction rolls back.
    const committed = await this.locations.findOneBy({ kind: 'fba', accountId });
    if (committed) {
      this.fbaLocations.set(accountId, committed.id);
      return committed.id;
    }
    await manager
      .createQueryBuilder()
      .insert()
      .into(Location)
      .values({ id: newRowId(), name: `Amazon FBA (account ${accountId})`, kind: 'fba', accountId })
      .orIgnore()
      .execute();
    return (await manager.findOneByOrFail(Location, { kind: 'fba', accountId })).id;
  }

  list(request: ListLocationsRequest): Promise<Page<LocationView>> {
    return listPage(this.locations.createQueryBuilder('l'), request, (l) => ({ id: l.id, name: l.name, kind: l.kind, accountId: l.accountId }));
  }
}
