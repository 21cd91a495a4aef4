import { IsOptional, IsUUID, Matches } from 'class-validator';
import { replyOf, requestContract } from '../common/message-contract';

/** Which stock location the account's FBM deliveries ship from. */
export class ShipFromBody {
  /** The marketplace it is for; without one, the account's default (marketplaces with none of their own). At most 100 marketplaces of an account have their own (a 400 beyond). @example "A1PA6795UKMFR9" */
  @IsOptional() @Matches(/^[A-Z0-9]{8,20}$/, { message: 'marketplaceId must be 8 to 20 capitals and digits' })
  marketplaceId?: string;
  /** A stock location (GET /api/v1/locations, kind `stock`). */
  @IsUUID() locationId: string;
}

export class PutShipFromRequest extends ShipFromBody {
  @IsUUID() accountId: string;
}

export class ShipFromAssignmentView {
  accountId: string;
  /** Null: the account's default. */
  marketplaceId: string | null;
  locationId: string;
  createdAt: string;
  updatedAt: string;
}

/** Which assignment to remove: the marketplace's, or without one the account's default. */
export class ShipFromQuery {
  /** @example "A1PA6795UKMFR9" */
  @IsOptional() @Matches(/^[A-Z0-9]{8,20}$/, { message: 'marketplaceId must be 8 to 20 capitals and digits' })
  marketplaceId?: string;
}
export class DeleteShipFromRequest extends ShipFromQuery {
  @IsUUID() accountId: string;
}

export class ListShipFromRequest {
  @IsUUID() accountId: string;
}
export class ShipFromListView {
  /** The account's default first, then by marketplace. */
  items: ShipFromAssignmentView[];
}

export const LIST_SHIP_FROM = requestContract({ subject: 'inventory.ship-from.list.v1', version: 1, payload: ListShipFromRequest, reply: replyOf<ShipFromListView>() });
export const DELETE_SHIP_FROM = requestContract({ subject: 'inventory.ship-from.delete.v1', version: 1, payload: DeleteShipFromRequest, reply: replyOf<ShipFromAssignmentView>() });
export const PUT_SHIP_FROM = requestContract({ subject: 'inventory.ship-from.put.v1', version: 1, payload: PutShipFromRequest, reply: replyOf<ShipFromAssignmentView>() });
