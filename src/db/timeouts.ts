import type { EntityManager } from '@mikro-orm/postgresql';
import type { DbLimits } from '../config';
import { sql } from './sql';

/** The defaults of DbLimits, for callers without a Config (tests, the CLI). */
export const DEFAULT_DB_LIMITS: DbLimits = {
  statementTimeoutMs: 10_000,
  adminStatementTimeoutMs: 60_000,
  idleInTransactionTimeoutMs: 15_000,
  acquireTimeoutMs: 5_000,
  queryTimeoutMs: 0,
  readyTimeoutMs: 2_000,
  retryAfterSeconds: 5,
  parallelWorkersPerRequest: 0,
};

/**
 * Transaction kinds and their PostgreSQL timeouts. `request` is every connection's session
 * default (set at connect, so the hot paths pay no extra round trip): reads and the write
 * transactions of SCIM and GraphQL requests. `admin` is longer work an operator asked for
 * (statistics, erasure); `maintenance` is unbounded (migrations). A transaction switches kind
 * with `useKind`, which lasts until it ends (SET LOCAL).
 */
export type TransactionKind = 'request' | 'admin' | 'maintenance';

export function kindTimeouts(limits: DbLimits, kind: TransactionKind): { statementMs: number; idleMs: number } {
  switch (kind) {
    case 'request':
      return { statementMs: limits.statementTimeoutMs, idleMs: limits.idleInTransactionTimeoutMs };
    case 'admin':
      return { statementMs: limits.adminStatementTimeoutMs, idleMs: limits.idleInTransactionTimeoutMs };
    case 'maintenance':
      return { statementMs: 0, idleMs: 0 };
  }
}

/** The client-side deadline of a statement: the server's own timeout plus a margin (0 = none). */
export function clientDeadlineMs(limits: DbLimits, statementMs: number): number {
  if (statementMs === 0) return 0;
  return limits.queryTimeoutMs > 0 ? Math.max(limits.queryTimeoutMs, statementMs) : statementMs + 5_000;
}

interface PgConnection {
  connectionParameters?: { query_timeout?: number };
}

/** Limits per ORM instance (set by openOrm), so that useKind knows the numbers. */
const limitsOf = new WeakMap<object, DbLimits>();

/** The limits of a server ORM's connections; `undefined` for embedded PGlite (no timeouts). */
export function limitsFor(knexClient: object): DbLimits | undefined {
  return limitsOf.get(knexClient);
}

export function registerLimits(knexClient: object, limits: DbLimits): void {
  limitsOf.set(knexClient, limits);
}

/**
 * Switches the current transaction of `em` to another kind: its statement and idle timeouts on
 * the server (SET LOCAL, one round trip), and the client-side deadline of its connection (reset
 * when the pool hands the connection out again). Outside a transaction it does nothing.
 */
export async function useKind(em: EntityManager, kind: TransactionKind): Promise<void> {
  const trx = em.getTransactionContext() as { client?: { acquireConnection(): Promise<PgConnection> } } | undefined;
  if (!trx) return;
  const limits = limitsOf.get(em.getKnex().client) ?? DEFAULT_DB_LIMITS;
  const { statementMs, idleMs } = kindTimeouts(limits, kind);
  await sql(em, `select set_config('statement_timeout', ?, true), set_config('idle_in_transaction_session_timeout', ?, true)`, [String(statementMs), String(idleMs)]);
  const conn = await trx.client?.acquireConnection().catch(() => undefined);
  if (conn?.connectionParameters) conn.connectionParameters.query_timeout = clientDeadlineMs(limits, statementMs) || undefined;
}
