import { PreconditionFailedError } from './errors';

/**
 * Optimistic concurrency for a write (RFC 7644 §3.14): the write proceeds only if the resource's
 * current version is one of `ifVersion`. Protocol-neutral: the SCIM edge derives it from If-Match
 * or a bulk operation's `version`; GraphQL can pass it as is. Absent: no check.
 */
export interface WriteOptions {
  ifVersion?: readonly number[];
}

/**
 * Throws PreconditionFailed unless `current` is an expected version. Services call it after taking
 * the row lock, inside the write's transaction, so the check and the write are one atomic step.
 */
export function assertVersion(current: number, options: WriteOptions | undefined, what: string): void {
  if (options?.ifVersion === undefined || options.ifVersion.includes(current)) return;
  throw new PreconditionFailedError(`${what} has changed: its version is now ${current}`);
}
