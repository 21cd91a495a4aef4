/**
 * The rows sorted by their unique key. Writers that insert or upsert rows sharing keys, at the
 * same time, then take the keys' locks in one order and cannot deadlock (one inserting A then
 * B while another inserts B then A). Any fixed order does; this is code-unit order.
 */
export function inLockOrder<T>(rows: T[], key: (row: T) => string): T[] {
  return rows
    .map((row) => ({ row, key: key(row) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((entry) => entry.row);
}
