import { InvalidValueError } from '../domain/errors';

/**
 * Relay cursors are the query engine's RFC 9865 keyset cursors (src/domain/query/cursor.ts):
 * opaque, signed, bound to the query (tenant, filter, order), and positioned at a row rather than
 * an offset, so rows inserted or deleted between two pages neither shift nor repeat the rest, and a
 * deep page costs what the first one does. Here only the page size is read.
 */

/** `first` of a connection: default 50, between 0 and `max`. */
export function pageSize(first: number | undefined | null, max: number): number {
  if (first === undefined || first === null) return Math.min(50, max);
  if (!Number.isInteger(first) || first < 0) throw new InvalidValueError('first must be a non-negative integer');
  if (first > max) throw new InvalidValueError(`first must be at most ${max}`);
  return first;
}
