import { EntityManager } from 'typeorm';

/** A key column and the value of each key to look up, with its PostgreSQL type. */
export interface KeyColumn {
  type: 'uuid' | 'text';
  values: unknown[];
}

/**
 * The rows of `table` matching each of many keys, found with one index probe per key (at most
 * one row per key). Asked as `col = any(…)` or as a plain join, a planner without fresh
 * statistics (a backfill filling new tables) matched only part of the index or scanned the
 * table for every page: a cost that grew with the table. A lateral subquery with `limit 1`
 * cannot be planned any other way than as a probe.
 * `keys`: column → values, all of one length; `fixed`: column → one value for every key.
 */
export async function findByKeys<R>(
  manager: EntityManager,
  table: string,
  select: string[],
  keys: Record<string, KeyColumn>,
  fixed: Record<string, unknown> = {},
): Promise<R[]> {
  const query = findByKeysQuery(table, select, keys, fixed);
  return query ? manager.query(query.sql, query.params) : [];
}

/** The statement findByKeys runs (undefined when there is no key to look up). */
export function findByKeysQuery(
  table: string,
  select: string[],
  keys: Record<string, KeyColumn>,
  fixed: Record<string, unknown> = {},
): { sql: string; params: unknown[] } | undefined {
  const keyColumns = Object.entries(keys);
  if (keyColumns.length === 0 || keyColumns[0][1].values.length === 0) return undefined;
  const params: unknown[] = keyColumns.map(([, key]) => key.values);
  const arrays = keyColumns.map(([, key], i) => `$${i + 1}::${key.type}[]`).join(', ');
  const names = keyColumns.map(([column]) => `"${column}"`).join(', ');
  const conditions = keyColumns.map(([column]) => `"${column}" = k."${column}"`);
  for (const [column, value] of Object.entries(fixed)) {
    params.push(value);
    conditions.push(`"${column}" = $${params.length}`);
  }
  const columns = select.map((column) => `"${column}"`).join(', ');
  return {
    sql: `select found.* from unnest(${arrays}) as k(${names})
       cross join lateral (select ${columns} from "${table}" where ${conditions.join(' and ')} limit 1) found`,
    params,
  };
}
