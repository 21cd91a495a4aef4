import { ObjectLiteral, QueryFailedError, SelectQueryBuilder } from 'typeorm';
import type { Page } from '@connector/contracts';
import { decodeCursor, encodeCursor } from './cursor';

/** A cursor the list cannot continue from: the caller's 400, naming `cursor`. */
export class InvalidCursorError extends Error {}
/** A filter value PostgreSQL cannot take (a date out of its range, say): the caller's, not ours. */
export class InvalidFilterError extends Error {}

export interface PageOrder<E> {
  /** The unique column that breaks ties of createdAt (default `id`). */
  key?: keyof E & string;
  /** Newest first, for histories read from the latest end (sync runs). */
  newestFirst?: boolean;
  /**
   * The timestamp column to page by instead of createdAt (deliveries by ship-by date): rows
   * without one come last, as if at END_OF_TIME. Its cursors name it, and only continue a
   * list sorted by it.
   */
  at?: keyof E & string;
}

/** What a cursor records of the sort: the `at` column, nothing for createdAt. */
function sortOf<E>(order: PageOrder<E>): string | undefined {
  return order.at && order.at !== 'createdAt' ? order.at : undefined;
}

/** Where rows without the `at` column's time sort: after every real one (and still a cursor's ISO instant). */
const END_OF_TIME = '9999-12-31T23:59:59.999Z';

/**
 * Keyset paging over (createdAt, key), newest last unless asked otherwise. `alias` is the
 * query builder's main alias; the entity must have `createdAt` and the key column.
 */
export async function pageOf<E extends ObjectLiteral & { createdAt: Date }, V>(
  query: SelectQueryBuilder<E>,
  alias: string,
  request: { limit?: number; cursor?: string },
  view: (row: E) => V,
  order: PageOrder<E> = {},
): Promise<Page<V>> {
  const limit = request.limit ?? 50;
  const key = order.key ?? 'id';
  const direction = order.newestFirst ? 'DESC' : 'ASC';
  const at = order.at ? `coalesce(${alias}.${order.at}, '${END_OF_TIME}'::timestamptz)` : `${alias}.createdAt`;
  if (request.cursor) {
    const position = decodeCursor(request.cursor);
    if (!position) throw new InvalidCursorError('cursor is not one this API handed out');
    // The same position in another order would skip or repeat rows without a word.
    if (position.sort !== sortOf(order)) {
      throw new InvalidCursorError('cursor continues this list in another sort order: ask with the sort it came from, or start again without a cursor');
    }
    query.andWhere(`(${at}, ${alias}.${key}) ${order.newestFirst ? '<' : '>'} (:cursorAt, :cursorId)`, {
      cursorAt: position.at,
      cursorId: position.id,
    });
  }
  const rows = await query
    .orderBy(at, direction)
    .addOrderBy(`${alias}.${key}`, direction)
    .take(limit + 1)
    .getMany()
    .catch((err) => {
      // A well-formed cursor whose id is not of the key column's type (a uuid column, a made-up
      // id): PostgreSQL's data exceptions (class 22) are the caller's cursor, not our fault.
      if (err instanceof QueryFailedError && String((err.driverError as { code?: string })?.code).startsWith('22')) {
        if (request.cursor) throw new InvalidCursorError('cursor is not one this API handed out');
        throw new InvalidFilterError(`a filter value is out of range: ${(err.driverError as Error).message}`);
      }
      throw err;
    });
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items: items.map(view),
    nextCursor: rows.length > limit && last ? cursorAfter(last, order) : undefined,
  };
}

/** The cursor that continues a list after this row (for a page cut short, see `withinReplyBudget`). */
export function cursorAfter<E extends ObjectLiteral & { createdAt: Date }>(row: E, order: PageOrder<E> = {}): string {
  return encodeCursor({ at: atOf(row, order.at), id: String(row[order.key ?? 'id']), sort: sortOf(order) });
}

function atOf<E extends ObjectLiteral & { createdAt: Date }>(row: E, column: (keyof E & string) | undefined): string {
  if (!column) return row.createdAt.toISOString();
  const value = row[column] as Date | null | undefined;
  return value ? value.toISOString() : END_OF_TIME;
}
