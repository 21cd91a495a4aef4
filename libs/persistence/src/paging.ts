import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { Page } from '@connector/contracts';
import { decodeCursor, encodeCursor } from './cursor';

export class InvalidCursorError extends Error {}

/**
 * Keyset paging over (createdAt, id), newest last. `alias` is the query builder's main
 * alias; the entity must have `createdAt` and `id` columns.
 */
export async function pageOf<E extends ObjectLiteral & { id: string; createdAt: Date }, V>(
  query: SelectQueryBuilder<E>,
  alias: string,
  request: { limit?: number; cursor?: string },
  view: (row: E) => V,
): Promise<Page<V>> {
  const limit = request.limit ?? 50;
  if (request.cursor) {
    const position = decodeCursor(request.cursor);
    if (!position) throw new InvalidCursorError('cursor is not one this API handed out');
    query.andWhere(`(${alias}.createdAt, ${alias}.id) > (:cursorAt, :cursorId)`, {
      cursorAt: position.at,
      cursorId: position.id,
    });
  }
  const rows = await query
    .orderBy(`${alias}.createdAt`, 'ASC')
    .addOrderBy(`${alias}.id`, 'ASC')
    .take(limit + 1)
    .getMany();
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items: items.map(view),
    nextCursor: rows.length > limit && last ? encodeCursor({ at: last.createdAt.toISOString(), id: last.id }) : undefined,
  };
}
