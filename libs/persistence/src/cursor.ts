/**
 * Opaque list cursors: the sort key of the last row handed out, base64url encoded. Lists
 * order by (createdAt, id), so a cursor stays valid while rows are added. A list sorted by
 * another column (deliveries by ship-by date) names that column in its cursors: a position
 * means nothing in another order, so a cursor offered to the list sorted otherwise is refused.
 */
export interface KeysetPosition {
  at: string;
  id: string;
  /** The column `at` was read from; absent for createdAt (so those cursors are as before). */
  sort?: string;
}

export function encodeCursor(position: KeysetPosition): string {
  const parts = position.sort ? [position.at, position.id, position.sort] : [position.at, position.id];
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/** Exactly what Date#toISOString writes: anything else was not handed out by us. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** Row ids are uuids or Amazon ids (marketplaces): short, printable. */
const ROW_KEY = /^[A-Za-z0-9._:-]{1,100}$/;
/** A property name of an entity. */
const SORT_COLUMN = /^[A-Za-z][A-Za-z0-9]{0,62}$/;

export function decodeCursor(cursor: string | undefined): KeysetPosition | null {
  if (!cursor || cursor.length > 400) return null;
  try {
    const parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(parts) || parts.length < 2 || parts.length > 3) return null;
    const [at, id, sort] = parts;
    if (typeof at !== 'string' || typeof id !== 'string' || !ISO_INSTANT.test(at) || Number.isNaN(Date.parse(at)) || !ROW_KEY.test(id)) return null;
    if (parts.length === 3 && (typeof sort !== 'string' || !SORT_COLUMN.test(sort))) return null;
    return sort === undefined ? { at, id } : { at, id, sort };
  } catch {
    return null;
  }
}
