import { UnavailableError } from '../domain/errors';

/**
 * SQLSTATEs that say "the database cannot do this now", not "this request is wrong" (PostgreSQL
 * manual, Appendix A): class 08 connection exceptions, class 53 insufficient resources (too many
 * connections, out of memory, disk full), 57014 query_canceled (statement_timeout), 57P01
 * admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, 25P03
 * idle_in_transaction_session_timeout, 55P03 lock_not_available (lock_timeout).
 */
const SQLSTATE_CLASSES = ['08', '53'];
const SQLSTATES = new Set(['57014', '57P01', '57P02', '57P03', '57P05', '25P03', '55P03']);
/** Node socket errors of a database that is down, restarting or unreachable. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']);
/** What pg, knex and tarn say when a connection breaks, times out or cannot be had. */
const MESSAGES = [
  /connection terminated/i,
  /connection ended unexpectedly/i,
  /query read timeout/i,
  /not queryable/i,
  /timeout acquiring a connection/i,
  /timeout exceeded when trying to connect/i,
  /connection timeout/i,
  /terminating connection/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
];

export interface DatabaseFault {
  kind: 'timeout' | 'unreachable';
  message: string;
}

/**
 * Classifies an error as a database fault (refused, reset, frozen, shut down, timed out), looking
 * through the ORM's wrappers (`cause`, copied driver fields). `undefined` for anything else.
 */
export function databaseFault(error: unknown): DatabaseFault | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && e !== null && typeof e === 'object'; depth++) {
    const { code, message, name } = e as { code?: unknown; message?: unknown; name?: unknown };
    const text = typeof message === 'string' ? message : '';
    if (typeof code === 'string') {
      if (code === '57014' || code === '25P03' || code === '55P03') return { kind: 'timeout', message: text };
      if (SQLSTATES.has(code) || (code.length === 5 && SQLSTATE_CLASSES.includes(code.slice(0, 2))) || SOCKET_CODES.has(code)) return { kind: 'unreachable', message: text };
    }
    if (name === 'KnexTimeoutError' || name === 'TimeoutError') return { kind: 'timeout', message: text };
    if (MESSAGES.some((re) => re.test(text))) return { kind: /timeout/i.test(text) ? 'timeout' : 'unreachable', message: text };
    // AggregateError of a connect() to several addresses (localhost: ::1 and 127.0.0.1)
    const inner = (e as { errors?: unknown[] }).errors;
    if (Array.isArray(inner) && inner.some((x) => databaseFault(x))) return { kind: 'unreachable', message: text };
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

let retryAfterSeconds = 5;

/** Sets the Retry-After of database faults (from DB_RETRY_AFTER_SECONDS, at start). */
export function setFaultRetryAfter(seconds: number): void {
  retryAfterSeconds = Math.max(1, Math.round(seconds));
}

/**
 * A database fault as the domain's UnavailableError (RFC 9110 §15.6.4 503 with §10.2.3
 * Retry-After), so that every edge answers it as it answers any other "try again later";
 * any other error is returned as it is.
 */
export function asUnavailable(error: unknown): unknown {
  if (error instanceof UnavailableError) return error;
  const fault = databaseFault(error);
  if (!fault) return error;
  const detail =
    fault.kind === 'timeout'
      ? 'the database did not complete this request in time; send it again later'
      : 'the database is unavailable; send the request again later';
  return new UnavailableError(detail, retryAfterSeconds);
}
