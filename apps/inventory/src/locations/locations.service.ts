import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { LocationView } from '@connector/contracts';
import { EntityManager, Repository } from 'typeorm';
import { Location } from './location.entity';

@Injectable()
export class LocationsService {
  constructor(@InjectRepository(Location) private readonly locations: Repository<Location>) {}

  /** The account's Amazon warehouse, created the first time an FBA order needs it. */
  async fbaLocation(manager: EntityManager, accountId: string): Promise<string> {
    await manager
      .createQueryBuilder()
      .insert()
      .into(Location)
      .values({ id: randomUUID(), name: `Amazon FBA (${accountId.slice(0, 8)})`, kind: 'fba', accountId })
      .orIgnore()
      .execute();
    const row = await manager.findOneByOrFail(Location, { kind: 'fba', accountId });
    return row.id;
  }

  async list(): Promise<LocationView[]> {
    const rows = await this.locations.find({ order: { createdAt: 'ASC' } });
    return rows.map((l) => ({ id: l.id, name: l.name, kind: l.kind, accountId: l.accountId }));
  }
}
