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
