import { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * Inserts many rows in one statement with one parameter: the rows as a JSON array, turned
 * into table rows by PostgreSQL (`json_populate_recordset`). Building a multi-row INSERT
 * with thousands of bind parameters costs more CPU than the insert itself.
 * Columns not given take NULL, not their default: give every column the table needs.
 */
export async function bulkInsert<E extends ObjectLiteral, R = never>(
  manager: EntityManager,
  entity: EntityTarget<E>,
  rows: Partial<E>[],
  options: {
    /** 'ignore': skip rows that hit any unique constraint; or on `target`, copy `update` fields, or run `set` (SQL). */
    onConflict?: 'ignore' | { target: (keyof E & string)[]; update?: (keyof E & string)[]; set?: string };
    /** Columns (database names) to return of every row inserted or updated. */
    returning?: string[];
  } = {},
): Promise<R[]> {
  if (rows.length === 0) return [];
  const metadata = manager.connection.getMetadata(entity);
  const given = metadata.columns.filter((column) => rows.some((row) => row[column.propertyName as keyof E] !== undefined));
  // A relation's join column can appear twice in the metadata; one is enough.
  const columns = given.filter((column, index) => given.findIndex((other) => other.databaseName === column.databaseName) === index);
  const names = columns.map((column) => `"${column.databaseName}"`).join(', ');
  // A plain loop: this runs for every row of every page, and builds no intermediate arrays.
  const properties = columns.map((column) => column.propertyName as keyof E);
  const databaseNames = columns.map((column) => column.databaseName);
  const json = rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < properties.length; i++) out[databaseNames[i]] = row[properties[i]] ?? null;
    return out;
  });
  const databaseName = (property: string) => metadata.findColumnWithPropertyName(property)!.databaseName;
  let conflict = '';
  if (options.onConflict === 'ignore') {
    conflict = ' on conflict do nothing';
  } else if (options.onConflict) {
    const target = options.onConflict.target.map((p) => `"${databaseName(p)}"`).join(', ');
    const set = options.onConflict.set ?? (options.onConflict.update ?? []).map((p) => `"${databaseName(p)}" = excluded."${databaseName(p)}"`).join(', ');
    conflict = set ? ` on conflict (${target}) do update set ${set}` : ` on conflict (${target}) do nothing`;
  }
  const returning = options.returning?.length ? ` returning ${options.returning.map((c) => `"${c}"`).join(', ')}` : '';
  const result: R[] = await manager.query(
    `insert into "${metadata.tableName}" (${names}) select ${names} from json_populate_recordset(null::"${metadata.tableName}", $1::json)${conflict}${returning}`,
    [JSON.stringify(json)],
  );
  return returning ? result : [];
}
