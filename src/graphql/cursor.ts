import { DomainError, InvalidValueError } from '../domain/errors';

/**
 * Relay cursors over the domain's offset paging (RFC 7644 §3.4.2.4 startIndex). The cursor is
 * opaque to clients, so it can become a keyset cursor later without a schema change.
 */
const PREFIX = 'o:';

export function encodeCursor(offset: number): string {
  return Buffer.from(`${PREFIX}${offset}`, 'utf8').toString('base64url');
}

/** The 0-based offset of the item after which a page starts; `undefined` cursor: the beginning. */
export function offsetAfter(cursor: string | undefined | null): number {
  if (cursor === undefined || cursor === null) return 0;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const n = text.startsWith(PREFIX) ? Number(text.slice(PREFIX.length)) : NaN;
  if (!Number.isInteger(n) || n < 0) throw new DomainError('invalidCursor', `invalid cursor "${cursor}"`);
  return n + 1;
}

/** `first` of a connection: default 50, between 0 and `max`. */
export function pageSize(first: number | undefined | null, max: number): number {
  if (first === undefined || first === null) return Math.min(50, max);
  if (!Number.isInteger(first) || first < 0) throw new InvalidValueError('first must be a non-negative integer');
  if (first > max) throw new InvalidValueError(`first must be at most ${max}`);
  return first;
}
