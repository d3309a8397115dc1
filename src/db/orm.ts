import { MikroORM, Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import path from 'node:path';
import { entities } from './entities';
import type { DbLimits } from '../config';
import { clientDeadlineMs, DEFAULT_DB_LIMITS, kindTimeouts, limitsFor, registerLimits } from './timeouts';

/** The one place MikroORM is configured, for the server, the CLI, tests and the migration tool. */
export function ormOptions(clientUrl: string, poolMax: number, embedded = false, limits: DbLimits = DEFAULT_DB_LIMITS): Options<PostgreSqlDriver> {
  return {
    driver: PostgreSqlDriver,
    clientUrl,
    entities,
    pool: embedded ? embeddedPool : serverPool(poolMax, limits),
    // PGlite is one session without timers: its timeouts would end the only session there is
    ...(embedded ? {} : { driverOptions: { connection: connectionTimeouts(limits), acquireConnectionTimeout: limits.acquireTimeoutMs } }),
    extensions: [Migrator],
    discovery: { warnWhenNoEntities: true },
    allowGlobalContext: false,
    forceUtcTimezone: true,
    // never create a database behind the operator's back (a typo in DATABASE_URL): see checkDatabase()
    ensureDatabase: false,
    migrations: {
      path: path.join(__dirname, '../../migrations'),
      pathTs: path.join(__dirname, '../../migrations'),
      glob: '!(*.d).{js,ts}',
      snapshotName: '.snapshot',
      // the committed migrations/.snapshot.json is what `npm run migration:create` diffs against
      // (orm.config.ts turns this on): applying migrations must not rewrite it with whatever schema
      // the database reached (a server's install directory, a test that migrates part of the way)
      snapshot: false,
      transactional: true,
      allOrNothing: true,
      emit: 'ts',
      silent: true,
    },
    debug: process.env.ORM_DEBUG === '1',
  };
}

/**
 * Every server connection starts as the `request` kind (see timeouts.ts): statement and
 * idle-in-transaction timeouts, and the parallel workers one statement may use
 * (DB_PARALLEL_WORKERS_PER_REQUEST), as session settings sent with the startup packet (no extra
 * round trip); a client-side deadline for a server that stopped answering at all (frozen, or a network
 * that drops packets), and a bound on opening a connection.
 */
function connectionTimeouts(limits: DbLimits): Record<string, unknown> {
  return {
    statement_timeout: limits.statementTimeoutMs,
    idle_in_transaction_session_timeout: limits.idleInTransactionTimeoutMs,
    query_timeout: clientDeadlineMs(limits, limits.statementTimeoutMs) || undefined,
    connectionTimeoutMillis: limits.acquireTimeoutMs,
    keepAlive: true,
    // one request's plan may not take the database's cores from every other tenant's (parallel
    // query workers are shared by the whole server: max_worker_processes)
    ...(limits.parallelWorkersPerRequest !== undefined ? { options: `-c max_parallel_workers_per_gather=${limits.parallelWorkersPerRequest}` } : {}),
  };
}

interface PooledPg {
  _ending?: boolean;
  _queryable?: boolean;
  _activeQuery?: unknown;
  _queryQueue?: unknown[];
  connectionParameters?: { query_timeout?: number };
}

/**
 * The server pool: a connection whose statement timed out on the client side is still waiting for
 * the server's answer, so it is dropped instead of handed out again; every connection handed out
 * gets back the `request` kind's client deadline (an `admin` transaction may have raised it).
 */
function serverPool(poolMax: number, limits: DbLimits) {
  const deadline = clientDeadlineMs(limits, limits.statementTimeoutMs) || undefined;
  return {
    min: 0,
    max: poolMax,
    acquireTimeoutMillis: limits.acquireTimeoutMs,
    createTimeoutMillis: limits.acquireTimeoutMs,
    validate(conn: PooledPg): boolean {
      if (conn._ending || conn._queryable === false || conn._activeQuery || (conn._queryQueue?.length ?? 0) > 0) return false;
      if (conn.connectionParameters) conn.connectionParameters.query_timeout = deadline;
      return true;
    },
  };
}

/**
 * Embedded PGlite is one session behind its socket: a statement prepared by a connection the
 * pool has since dropped is still there, and re-preparing its name would fail. Each new
 * connection therefore starts by deallocating them; the pool keeps a single connection.
 */
const embeddedPool = {
  min: 0,
  max: 1,
  afterCreate(conn: { query(sql: string, cb: (err: Error | null) => void): void }, done: (err: Error | null, conn: unknown) => void) {
    conn.query('deallocate all', (err) => done(err, conn));
  },
};

export async function openOrm(clientUrl: string, poolMax: number, embedded = false, limits: DbLimits = DEFAULT_DB_LIMITS): Promise<MikroORM<PostgreSqlDriver>> {
  const orm = await MikroORM.init<PostgreSqlDriver>(ormOptions(clientUrl, poolMax, embedded, limits));
  if (!embedded) registerLimits(orm.em.getKnex().client, limits);
  return orm;
}

/**
 * Applies the committed migrations (migrations/), as `provisio migrate` and every start do. On a
 * server they run on a short-lived connection of the `maintenance` kind (no statement, idle or
 * client timeouts): a migration that rewrites a large table is not cut short by the request
 * timeouts. (Not a transaction of the caller's pool: the migrator needs a connection of its own
 * besides, and a pool of one would wait for itself.)
 */
export async function migrate(orm: MikroORM): Promise<string[]> {
  const limits = limitsFor((orm.em as unknown as import('@mikro-orm/postgresql').EntityManager).getKnex().client);
  // embedded: no timeouts to lift, and PGlite admits this one connection only
  if (!limits) return (await orm.getMigrator().up()).map((m) => m.name);
  const { statementMs, idleMs } = kindTimeouts(limits, 'maintenance');
  const maintenance = await openOrm(orm.config.get('clientUrl')!, 2, false, { ...limits, statementTimeoutMs: statementMs, idleInTransactionTimeoutMs: idleMs, queryTimeoutMs: 0, parallelWorkersPerRequest: undefined });
  try {
    return (await maintenance.getMigrator().up()).map((m) => m.name);
  } finally {
    await maintenance.close(true);
  }
}
