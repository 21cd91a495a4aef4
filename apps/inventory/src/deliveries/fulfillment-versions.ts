import { returnedRows } from '@connector/workers';
import { EntityManager } from 'typeorm';

/**
 * The next version of each order's delivery events, counted on its order_states row in the
 * caller's transaction. The row stays locked until commit, so an order's versions follow the
 * order in which its changes commit. An order this service has no state of gets none (its
 * events then carry no version, and apply as before).
 */
export async function nextFulfillmentVersions(manager: EntityManager, orderIds: string[]): Promise<Map<string, number>> {
  if (orderIds.length === 0) return new Map();
  const rows = returnedRows(
    await manager.query(`update order_states set fulfillment_version = fulfillment_version + 1 where order_id = any($1::uuid[]) returning order_id, fulfillment_version`, [
      [...new Set(orderIds)],
    ]),
  );
  return new Map(rows.map((row) => [String(row.order_id), Number(row.fulfillment_version)]));
}
