import { messageBudgetFor, NATS_DEFAULT_MAX_PAYLOAD } from '@connector/messaging';
import { SelectQueryBuilder } from 'typeorm';
import type { Page } from '@connector/contracts';
import { cursorAfter, InvalidCursorError, InvalidFilterError, pageOf, PageOrder } from '@connector/persistence';
import { ServiceError } from './rpc';

/** A page of a list request; a cursor this API did not hand out is the caller's 400. */
export async function listPage<E extends { createdAt: Date }, V>(
  query: SelectQueryBuilder<E>,
  request: { limit?: number; cursor?: string },
  view: (row: E) => V,
  order?: PageOrder<E>,
): Promise<Page<V>> {
  try {
    return await pageOf(query, query.alias, request, view, order);
  } catch (err) {
    if (err instanceof InvalidCursorError) throw ServiceError.badRequest(err.message, [{ field: 'cursor', errors: [err.message] }]);
    if (err instanceof InvalidFilterError) throw ServiceError.badRequest(err.message);
    throw err;
  }
}

/**
 * The most a list reply's items may take: a reply travels as one NATS message, which the server
 * caps (max_payload, 1 MiB by default) with its headers and Nest's envelope. 500 large orders
 * (many lines, gift messages) take more than that. At the default max_payload: a server set lower
 * must be matched by the services' own (see the README, NATS).
 */
export const REPLY_ITEMS_MAX_BYTES = messageBudgetFor(NATS_DEFAULT_MAX_PAYLOAD);

/**
 * A page cut short where its items would no longer fit in one reply (at least one item stays):
 * its cursor then continues after the last item kept, so paging on loses nothing. `rows` are the
 * page's rows in the order of `views`.
 */
export function withinReplyBudget<E extends { createdAt: Date; id?: unknown }, V>(
  rows: E[],
  views: V[],
  nextCursor: string | undefined,
  order?: PageOrder<E>,
  maxBytes = REPLY_ITEMS_MAX_BYTES,
): Page<V> {
  let bytes = 0;
  for (let i = 0; i < views.length; i++) {
    bytes += Buffer.byteLength(JSON.stringify(views[i])) + 1;
    if (bytes > maxBytes && i > 0) return { items: views.slice(0, i), nextCursor: cursorAfter(rows[i - 1], order) };
  }
  return { items: views, nextCursor };
}
