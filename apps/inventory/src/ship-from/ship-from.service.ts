import { Injectable, Logger } from '@nestjs/common';
import { DeleteShipFromRequest, ListShipFromRequest, MAX_MARKETPLACE_QUANTITIES, PutShipFromRequest, ShipFromAssignmentView, ShipFromListView } from '@connector/contracts';
import { ServiceError } from '@connector/platform';
import { newRowId } from '@connector/persistence';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { Location } from '../locations/location.entity';
import { ShipFromAssignment } from './ship-from-assignment.entity';

/** Which stock location an account ships from, per marketplace or by default. */
@Injectable()
export class ShipFromService {
  private readonly logger = new Logger(ShipFromService.name);

  constructor(private readonly dataSource: DataSource) {}

  /**
   * Assigns the location (a stock location: the seller's warehouse) to the account's
   * marketplace, or, without one, as its default; replaces the earlier assignment. Deliveries
   * made from then on ship from it; ready ones keep theirs. At most MAX_MARKETPLACE_QUANTITIES
   * marketplaces of an account have their own: a stock announcement carries no more.
   */
  async assign(accountId: string, marketplaceId: string | null, locationId: string): Promise<ShipFromAssignment> {
    return this.dataSource.transaction(async (manager) => {
      await lockAccountAssignments(manager, accountId);
      // Shared lock: an archiving of the location at the same moment waits, then sees this assignment.
      const location = await manager.findOne(Location, { where: { id: locationId }, lock: { mode: 'pessimistic_read' } });
      if (!location || location.kind !== 'stock') {
        throw ServiceError.badRequest('Validation failed', [{ field: 'locationId', errors: ['locationId must be a stock location (GET /api/v1/locations, kind stock)'] }]);
      }
      if (location.archivedAt) {
        throw ServiceError.badRequest('Validation failed', [{ field: 'locationId', errors: [`location ${locationId} is archived: no account ships from it`] }]);
      }
      if (marketplaceId !== null) {
        const [{ others }] = await manager.query(
          `select count(*)::int as others from ship_from_assignments where account_id = $1 and marketplace_id is not null and marketplace_id <> $2`,
          [accountId, marketplaceId],
        );
        if (others >= MAX_MARKETPLACE_QUANTITIES) {
          throw ServiceError.badRequest('Validation failed', [
            { field: 'marketplaceId', errors: [`the account already ships ${others} marketplaces from their own location, the most there can be: remove one, or ship this one from the default`] },
          ]);
        }
      }
      await manager.query(
        `insert into ship_from_assignments (id, account_id, marketplace_id, location_id) values ($1, $2, $3, $4)
         on conflict (account_id, coalesce(marketplace_id, '')) do update set location_id = excluded.location_id, updated_at = now()`,
        [newRowId(), accountId, marketplaceId, locationId],
      );
      return manager.findOneByOrFail(ShipFromAssignment, { accountId, marketplaceId: marketplaceId ?? IsNull() });
    });
  }

  async put(request: PutShipFromRequest): Promise<ShipFromAssignmentView> {
    const a = await this.assign(request.accountId, request.marketplaceId ?? null, request.locationId);
    this.logger.log({ msg: `account ${a.accountId} ships ${a.marketplaceId ? `marketplace ${a.marketplaceId}` : 'by default'} from location ${a.locationId}`, accountId: a.accountId });
    return assignmentView(a);
  }

  /**
   * Removes the assignment of the account's marketplace (or its default): deliveries made from
   * then on ship from the account's default (or the shared stock location); ready ones keep theirs.
   */
  async remove(request: DeleteShipFromRequest): Promise<ShipFromAssignmentView> {
    const marketplaceId = request.marketplaceId ?? null;
    const removed = await this.dataSource.transaction(async (manager) => {
      await lockAccountAssignments(manager, request.accountId);
      const assignment = await manager.findOne(ShipFromAssignment, {
        where: { accountId: request.accountId, marketplaceId: marketplaceId ?? IsNull() },
        lock: { mode: 'pessimistic_write' },
      });
      if (!assignment) throw ServiceError.notFound(`account ${request.accountId} has no ship-from location ${marketplaceId ? `for marketplace ${marketplaceId}` : 'by default'}`);
      await manager.delete(ShipFromAssignment, { id: assignment.id });
      return assignment;
    });
    this.logger.log({ msg: `account ${removed.accountId} no longer ships ${removed.marketplaceId ? `marketplace ${removed.marketplaceId}` : 'by default'} from location ${removed.locationId}`, accountId: removed.accountId });
    return assignmentView(removed);
  }

  async list(request: ListShipFromRequest): Promise<ShipFromListView> {
    const rows = await this.dataSource.getRepository(ShipFromAssignment).find({ where: { accountId: request.accountId }, order: { marketplaceId: { direction: 'ASC', nulls: 'FIRST' } } });
    return { items: rows.map(assignmentView) };
  }
}

/**
 * One writer of the account's ship-from assignments at a time (so the marketplace count holds),
 * and an offer of the account made meanwhile waits for the change to commit (the offers trigger
 * takes the same lock shared), so it is announced with the new warehouse. Taken before the
 * assignment row is touched; the assignments trigger takes it again (re-entrant) for any other writer.
 */
async function lockAccountAssignments(manager: EntityManager, accountId: string): Promise<void> {
  await manager.query(`select pg_advisory_xact_lock(hashtext('ship-from'), hashtext($1::uuid::text))`, [accountId]);
}

const assignmentView = (a: ShipFromAssignment): ShipFromAssignmentView => ({
  accountId: a.accountId,
  marketplaceId: a.marketplaceId,
  locationId: a.locationId,
  createdAt: a.createdAt.toISOString(),
  updatedAt: a.updatedAt.toISOString(),
});
