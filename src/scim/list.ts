import { URN } from '../domain/schema/core-schemas';
import { InvalidCursorError, InvalidValueError } from '../domain/errors';
import type { ListQuery, ListResult } from '../domain/query/page';

/** Reads an integer from a query parameter or a SearchRequest member; absent or garbage -> the fallback. */
function intParam(value: unknown, fallback: number): number {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : fallback;
  if (typeof value !== 'string' || value.trim() === '') return fallback;
  const n = Number(value);
  return Number.isFinite(n) ? Math.trunc(n) : fallback;
}

/** Largest startIndex served: PostgreSQL's OFFSET is a bigint, and no list is longer than this (larger values are clamped). */
export const MAX_START_INDEX = 2_147_483_647;

/**
 * RFC 7644 §3.4.2.4 paging parameters: startIndex is 1-based and values below 1 mean 1, values past
 * MAX_START_INDEX mean it (an empty page, never a bigint overflow); a negative count means 0; a count
 * above the maximum is capped to it (advertised as filter.maxResults).
 */
export function pagingParams(query: Record<string, unknown>, maxResults: number): Pick<ListQuery, 'startIndex' | 'count' | 'cursor'> {
  const startIndex = Math.min(MAX_START_INDEX, Math.max(1, intParam(query.startIndex ?? query.startindex, 1)));
  const count = Math.min(maxResults, Math.max(0, intParam(query.count, maxResults)));
  return { startIndex, count, ...cursorParam(query) };
}

/**
 * RFC 9865 §2: `cursor` selects cursor paging; its empty value asks for the first page. A cursor
 * takes precedence over startIndex.
 */
function cursorParam(query: Record<string, unknown>): Pick<ListQuery, 'cursor'> {
  const raw = query.cursor;
  if (raw === undefined || raw === null) return {};
  const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  if (typeof value !== 'string') throw new InvalidCursorError('invalid cursor: it must be a string');
  return { cursor: value.trim() };
}

/**
 * RFC 7644 §3.4.2.3 sortBy / sortOrder. sortOrder is case-insensitive, and an empty one is absent (the
 * default, ascending), as an empty sortBy is; anything else is a 400.
 */
export function sortParams(query: Record<string, unknown>): Pick<ListQuery, 'sortBy' | 'sortOrder'> {
  const sortBy = typeof query.sortBy === 'string' && query.sortBy.trim() ? query.sortBy : undefined;
  const raw = typeof query.sortOrder === 'string' && query.sortOrder.trim() ? query.sortOrder.trim().toLowerCase() : undefined;
  if (raw !== undefined && raw !== 'ascending' && raw !== 'descending') {
    throw new InvalidValueError(`sortOrder must be "ascending" or "descending", got "${query.sortOrder}"`);
  }
  return { ...(sortBy ? { sortBy } : {}), ...(raw ? { sortOrder: raw as 'ascending' | 'descending' } : {}) };
}

/**
 * RFC 7644 §3.4.2 ListResponse; paged by cursor (RFC 9865 §2.3), it carries nextCursor (absent on the
 * last page) and previousCursor (absent on the first) instead of startIndex.
 */
export function listResponse<T>(result: ListResult<T>, map: (item: T) => unknown, byCursor = false): Record<string, unknown> {
  return {
    schemas: [URN.listResponse],
    totalResults: result.totalResults,
    itemsPerPage: result.items.length,
    ...(byCursor
      ? { ...(result.previousCursor ? { previousCursor: result.previousCursor } : {}), ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}) }
      : { startIndex: result.startIndex }),
    Resources: result.items.map(map),
  };
}
