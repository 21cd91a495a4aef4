import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { LocationView } from '@connector/contracts';
import { EntityManager, Repository } from 'typeorm';
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
    const existing = await manager.findOneBy(Location, { kind: 'fba', accountId });
    if (existing) {
      this.fbaLocations.set(accountId, existing.id);
      return existing.id;
    }
    // Created in the caller's transaction: not cached, as that transaction may yet roll back.
    await manager
      .createQueryBuilder()
      .insert()
      .into(Location)
      .values({ id: randomUUID(), name: `Amazon FBA (${accountId.slice(0, 8)})`, kind: 'fba', accountId })
      .orIgnore()
      .execute();
    return (await manager.findOneByOrFail(Location, { kind: 'fba', accountId })).id;
  }

  async list(): Promise<LocationView[]> {
    const rows = await this.locations.find({ order: { createdAt: 'ASC' } });
    return rows.map((l) => ({ id: l.id, name: l.name, kind: l.kind, accountId: l.accountId }));
  }
}
