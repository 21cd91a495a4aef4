import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { CreateLocationRequest, ListLocationsRequest, LocationView, Page, StockMoveState, UpdateLocationRequest } from '@connector/contracts';
import { newRowId } from '@connector/persistence';
import { listPage, ServiceError } from '@connector/platform';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { ShipFromAssignment } from '../ship-from/ship-from-assignment.entity';
import { Location, STOCK_LOCATION_ID } from './location.entity';

@Injectable()
export class LocationsService {
  private readonly logger = new Logger(LocationsService.name);

  constructor(
    @InjectRepository(Location) private readonly locations: Repository<Location>,
    private readonly dataSource: DataSource,
  ) {}

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
    return listPage(this.locations.createQueryBuilder('l'), request, locationView);
  }

  async get(id: string): Promise<LocationView> {
    return locationView(await this.find(this.dataSource.manager, id));
  }

  /** A warehouse of the seller: a stock location with the address it ships from. */
  async create(request: CreateLocationRequest): Promise<LocationView> {
    const id = newRowId();
    await this.uniqueSupplySource(() =>
      this.locations.insert({ id, name: request.name.trim(), kind: 'stock', accountId: null, address: request.address, supplySourceId: request.supplySourceId ?? null }),
    );
    this.logger.log(`warehouse location ${id} "${request.name.trim()}" made${request.supplySourceId ? ` (Amazon supply source ${request.supplySourceId})` : ''}`);
    return this.get(id);
  }

  /** Name, address and supply source id of a stock location; deliveries validated later ship with the new ones. */
  async update(request: UpdateLocationRequest): Promise<LocationView> {
    const { changes } = request;
    await this.uniqueSupplySource(() =>
      this.dataSource.transaction(async (manager) => {
        const location = await this.find(manager, request.id, 'pessimistic_write');
        if (location.kind !== 'stock') throw ServiceError.conflict(`location ${location.id} is a ${location.kind} location: only stock locations (warehouses) are changed through the API`);
        if (location.archivedAt) throw ServiceError.conflict(`location ${location.id} is archived`);
        const set: Partial<Location> = {};
        if (changes.name !== undefined) set.name = changes.name.trim();
        if (changes.address !== undefined) set.address = changes.address;
        if (changes.supplySourceId !== undefined) set.supplySourceId = changes.supplySourceId;
        if (Object.keys(set).length) await manager.update(Location, { id: location.id }, set);
      }),
    );
    this.logger.log(`location ${request.id} changed (${Object.keys(changes).join(', ') || 'nothing'})`);
    return this.get(request.id);
  }

  /**
   * Archives a warehouse: its stock moves keep naming it (so it is never deleted), but no
   * account may ship from it. One an account still ships from is refused: its assignment
   * goes first (or is replaced), so no delivery is left without a warehouse. So is one a ready
   * delivery still ships from (it is validated or cancelled first).
   */
  async archive(id: string): Promise<LocationView> {
    await this.dataSource.transaction(async (manager) => {
      // Locked: an assignment made meanwhile waits (it locks the location too), then sees it archived.
      const location = await this.find(manager, id, 'pessimistic_write');
      if (location.kind !== 'stock') throw ServiceError.conflict(`location ${id} is a ${location.kind} location: only stock locations (warehouses) are archived`);
      if (location.id === STOCK_LOCATION_ID) throw ServiceError.conflict('the shared Stock location is where accounts without an assignment ship from: it cannot be archived');
      if (location.archivedAt) return;
      const assigned = await manager.find(ShipFromAssignment, { where: { locationId: id }, order: { createdAt: 'ASC' } });
      if (assigned.length) {
        const uses = assigned.map((a) => `account ${a.accountId} ${a.marketplaceId ? `marketplace ${a.marketplaceId}` : '(default)'}`);
        throw ServiceError.conflict(`location ${id} is assigned as ship-from location to ${uses.join(', ')}: remove or replace those assignments first`);
      }
      // A ready delivery reads its warehouse when validated: archived, the supply source id would
      // be free for another warehouse, and the package would be confirmed as shipped from that one.
      const waiting: { delivery_id: string; total: number }[] = await manager.query(
        `select delivery_id, count(*) over ()::int as total from stock_moves
          where from_location_id = $1 and state = $2 and delivery_id is not null
          group by delivery_id order by min(created_at), delivery_id limit 5`,
        [id, StockMoveState.Ready],
      );
      if (waiting.length) {
        const more = waiting[0].total > waiting.length ? ` and ${waiting[0].total - waiting.length} more` : '';
        throw ServiceError.conflict(
          `location ${id} has ${waiting[0].total} ready ${waiting[0].total === 1 ? 'delivery' : 'deliveries'} to ship from it (${waiting.map((w) => w.delivery_id).join(', ')}${more}): validate or cancel them first`,
        );
      }
      await manager.update(Location, { id }, { archivedAt: new Date() });
    });
    this.logger.log(`location ${id} archived`);
    return this.get(id);
  }

  private async find(manager: EntityManager, id: string, lock?: 'pessimistic_write'): Promise<Location> {
    const location = await manager.findOne(Location, { where: { id }, ...(lock ? { lock: { mode: lock } } : {}) });
    if (!location) throw ServiceError.notFound(`location ${id} not found`);
    return location;
  }

  /** A supply source id held by another live warehouse is a 409 naming the field. */
  private async uniqueSupplySource<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      const driverError = (err as { driverError?: { code?: string; constraint?: string } }).driverError;
      if (driverError?.code === '23505' && driverError.constraint === 'locations_supply_source_id') {
        throw ServiceError.conflict('another warehouse has this supplySourceId', [{ field: 'supplySourceId', errors: ['supplySourceId is already the supply source id of another location'] }]);
      }
      throw err;
    }
  }
}

export function locationView(l: Location): LocationView {
  return {
    id: l.id,
    name: l.name,
    kind: l.kind,
    accountId: l.accountId,
    address: l.address,
    supplySourceId: l.supplySourceId,
    archivedAt: l.archivedAt?.toISOString() ?? null,
    createdAt: l.createdAt.toISOString(),
  };
}
