import { v7 as uuidv7 } from 'uuid';

/**
 * New resource ids are UUIDv7 (RFC 9562 §5.7): time-ordered, so ordering by id is creation order,
 * keyset paging by id is stable, and inserts land at the right edge of the primary-key index.
 */
export function newId(): string {
  return uuidv7();
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for the textual form of a UUID; anything else cannot name a resource and is simply not found. */
export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

/**
 * An audit entry's id and time are taken in the same call, a millisecond or so apart (and the
 * UUIDv7 generator may run a little ahead of the clock to stay monotonic): an id range derived
 * from a time window is widened by this much.
 */
export const ID_CLOCK_SLACK_MS = 60_000;

/**
 * The smallest UUIDv7 of a millisecond (RFC 9562 §5.7: the first 48 bits are the Unix time in ms).
 * Audit ids are UUIDv7, so a time window is also an id range, which the (tenant_id, id) index answers
 * instead of a scan of the tenant's whole trail; the `time` condition stays the exact one.
 */
export function uuidv7Bound(ms: number): string {
  const hex = Math.max(0, Math.min(ms, 2 ** 48 - 1)).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}
