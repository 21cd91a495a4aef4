/**
 * Opaque list cursors: the sort key of the last row handed out, base64url encoded. Lists
 * order by (createdAt, id), so a cursor stays valid while rows are added.
 */
export interface KeysetPosition {
  at: string;
  id: string;
}

export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify([position.at, position.id])).toString('base64url');
}

/** Exactly what Date#toISOString writes: anything else was not handed out by us. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** Row ids are uuids or Amazon ids (marketplaces): short, printable. */
const ROW_KEY = /^[A-Za-z0-9._:-]{1,100}$/;

export function decodeCursor(cursor: string | undefined): KeysetPosition | null {
  if (!cursor || cursor.length > 400) return null;
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof at !== 'string' || typeof id !== 'string' || !ISO_INSTANT.test(at) || Number.isNaN(Date.parse(at)) || !ROW_KEY.test(id)) return null;
    return { at, id };
  } catch {
    return null;
  }
}
