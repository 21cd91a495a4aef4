import { EntityManager } from 'typeorm';
import { STOCK_LOCATION_ID } from '../locations/location.entity';

/** An account's orders in one marketplace. */
export interface AccountMarketplace {
  accountId: string;
  marketplaceId: string;
}

const key = (accountId: string, marketplaceId: string) => `${accountId}\u0000${marketplaceId}`;

/**
 * Where the deliveries of each account and marketplace ship from: the location assigned to
 * that marketplace, else the account's default, else the shared stock location (as before
 * ship-from assignments existed). One query for a whole batch of orders.
 */
export async function shipFromLocations(manager: EntityManager, pairs: AccountMarketplace[]): Promise<(accountId: string, marketplaceId: string) => string> {
  const accountIds = [...new Set(pairs.map((p) => p.accountId))];
  const rows: { account_id: string; marketplace_id: string | null; location_id: string }[] = accountIds.length
    ? // Shared lock until the deliveries are written: an assignment is removed or replaced only
      // after them, so archiving its location afterwards sees them (and refuses while they are ready).
      await manager.query(`select account_id, marketplace_id, location_id from ship_from_assignments where account_id = any($1::uuid[]) for share`, [accountIds])
    : [];
  const byMarketplace = new Map<string, string>();
  const byDefault = new Map<string, string>();
  for (const row of rows) {
    if (row.marketplace_id === null) byDefault.set(row.account_id, row.location_id);
    else byMarketplace.set(key(row.account_id, row.marketplace_id), row.location_id);
  }
  return (accountId, marketplaceId) => byMarketplace.get(key(accountId, marketplaceId)) ?? byDefault.get(accountId) ?? STOCK_LOCATION_ID;
}
