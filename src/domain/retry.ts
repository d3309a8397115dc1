import { NotFoundError, UnavailableError } from './errors';

/**
 * SQLSTATEs with which PostgreSQL aborts a transaction that did nothing wrong and asks the client to
 * run it again: serialization_failure and deadlock_detected (PostgreSQL manual, Appendix A class 40,
 * and §13.2 "applications … must be prepared to retry transactions due to serialization failures").
 */
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);

/** Raised by the tenant_live_inserted trigger (Migration20261129050000): a create raced its tenant's deletion. */
const TENANT_DELETED = new Set(['PV410']);

/** True when the error, raw from the driver or wrapped by the ORM, carries one of these SQLSTATEs. */
function hasSqlState(error: unknown, codes: ReadonlySet<string>): boolean {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && e !== null && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && codes.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Throws the domain's 404 for a write that raced its tenant's deletion (tenant_live_inserted); otherwise returns. */
export function throwIfTenantDeleted(error: unknown): void {
  if (hasSqlState(error, TENANT_DELETED)) throw new NotFoundError('the tenant was deleted while this write ran');
}

/** True for a deadlock or serialisation failure. */
export function isRetryableTransactionError(error: unknown): boolean {
  return hasSqlState(error, RETRYABLE_SQLSTATES);
}

export interface RetryOptions {
  /** runs in all (default 4) */
  attempts?: number;
  /** first backoff in ms (default 20), doubled each time, jittered to 50–150 % */
  baseDelayMs?: number;
}

/**
 * Runs a whole transaction again when PostgreSQL aborted it as a deadlock victim or for a
 * serialisation failure, after a short jittered backoff (so that the two contenders do not collide
 * again in step). `run` must start a new transaction each time, and its work must depend only on
 * what it reads inside it. When every attempt fails the write is refused as UnavailableError
 * (503 with Retry-After in SCIM), never as an internal error: the request was valid.
 */
export async function retryTransaction<T>(run: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 4;
  const base = options.baseDelayMs ?? 20;
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (e) {
      throwIfTenantDeleted(e);
      if (!isRetryableTransactionError(e)) throw e;
      if (attempt >= attempts) {
        throw new UnavailableError(`the write conflicted with concurrent writes ${attempts} times (deadlock or serialisation failure); send it again`, 1);
      }
      await new Promise((resolve) => setTimeout(resolve, base * 2 ** (attempt - 1) * (0.5 + Math.random())));
    }
  }
}
