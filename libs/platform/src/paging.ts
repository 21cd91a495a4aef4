import { SelectQueryBuilder } from 'typeorm';
import type { Page } from '@connector/contracts';
import { InvalidCursorError, InvalidFilterError, pageOf, PageOrder } from '@connector/persistence';
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
    if (err instanceof InvalidCursorError || err instanceof InvalidFilterError) throw ServiceError.badRequest(err.message);
    throw err;
  }
}
