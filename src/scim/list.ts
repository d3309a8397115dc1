import { URN } from '../domain/schema/core-schemas';
import { InvalidValueError } from '../domain/errors';
import type { ListQuery, ListResult } from '../domain/query/page';

/** Reads an integer from a query parameter or a SearchRequest member; absent or garbage -> the fallback. */
function intParam(value: unknown, fallback: number): number {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : fallback;
  if (typeof value !== 'string' || value.trim() === '') return fallback;
  const n = Number(value);
  return Number.isFinite(n) ? Math.trunc(n) : fallback;
}

/**
 * RFC 7644 §3.4.2.4 paging parameters: startIndex is 1-based and values below 1 mean 1; a
 * negative count means 0; a count above the maximum is capped to it (advertised as filter.maxResults).
 */
export function pagingParams(query: Record<string, unknown>, maxResults: number): { startIndex: number; count: number } {
  const startIndex = Math.max(1, intParam(query.startIndex ?? query.startindex, 1));
  const count = Math.min(maxResults, Math.max(0, intParam(query.count, maxResults)));
  return { startIndex, count };
}

/** RFC 7644 §3.4.2.3 sortBy / sortOrder (sortOrder is case-insensitive; anything else is a 400). */
export function sortParams(query: Record<string, unknown>): Pick<ListQuery, 'sortBy' | 'sortOrder'> {
  const sortBy = typeof query.sortBy === 'string' && query.sortBy.trim() ? query.sortBy : undefined;
  const raw = typeof query.sortOrder === 'string' ? query.sortOrder.toLowerCase() : undefined;
  if (raw !== undefined && raw !== 'ascending' && raw !== 'descending') {
    throw new InvalidValueError(`sortOrder must be "ascending" or "descending", got "${query.sortOrder}"`);
  }
  return { ...(sortBy ? { sortBy } : {}), ...(raw ? { sortOrder: raw as 'ascending' | 'descending' } : {}) };
}

/** RFC 7644 §3.4.2 ListResponse. */
export function listResponse<T>(result: ListResult<T>, map: (item: T) => unknown): Record<string, unknown> {
  return {
    schemas: [URN.listResponse],
    totalResults: result.totalResults,
    itemsPerPage: result.items.length,
    startIndex: result.startIndex,
    Resources: result.items.map(map),
  };
}
