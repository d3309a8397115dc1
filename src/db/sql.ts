import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Raw SQL with real bind parameters. MikroORM's `execute` inlines parameters into the SQL text
 * (escaped, but still concatenated); the statements built here from client input (filters,
 * member ids) are sent to PostgreSQL as `$n` parameters instead, on the ORM's own pool and inside
 * the EntityManager's transaction when there is one. Placeholders are `?` (never inside a literal);
 * arrays go as PostgreSQL array literals.
 */
export async function sql<T = Record<string, unknown>>(em: EntityManager, text: string, params: readonly unknown[] = []): Promise<T[]> {
  return (await raw(em, text, params)).rows as T[];
}

/** Like `sql`, for statements whose row count is what matters. */
export async function sqlRun(em: EntityManager, text: string, params: readonly unknown[] = []): Promise<number> {
  return (await raw(em, text, params)).rowCount ?? 0;
}

/**
 * Straight to the pooled pg connection (unnamed statement): knex's raw() formatted every statement
 * again (its bindings walk, `?` to `$n`, its query runner), a visible share of a filtered list's
 * CPU for no use here.
 */
function raw(em: EntityManager, text: string, params: readonly unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }> {
  return onConnection(em, (conn) => conn.query({ text: positional(text), values: params }));
}

interface PgClient {
  query(q: { name?: string; text: string; values: readonly unknown[] }): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

/**
 * Runs `work` on the EntityManager's transaction connection when it has one (knex's client of a
 * transaction hands out the transaction's connection and releases nothing), else on a pooled one.
 */
async function onConnection<T>(em: EntityManager, work: (conn: PgClient) => Promise<T>): Promise<T> {
  const tx = em.getTransactionContext() as { client: PgConnectionSource } | undefined;
  const client = tx ? tx.client : (em.getKnex().client as PgConnectionSource);
  const conn = await client.acquireConnection();
  try {
    return await work(conn);
  } finally {
    await client.releaseConnection(conn);
  }
}

/** `?` placeholders to PostgreSQL's `$1…$n` (our statements have no `?` inside literals). */
function positional(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

const positionalCache = new Map<string, string>();

/**
 * A hot, fixed statement as a named prepared statement: PostgreSQL plans it once per pooled
 * connection instead of on every request (planning was half the cost of GET /Users/{id}, and
 * 1.7 ms of a group PATCH's outbox statement, against 0.06 ms for its generic plan). `name` must
 * always come with the same `text`. Inside a transaction it runs on the transaction's connection
 * (a named statement outlives the transaction: a rollback does not unprepare it).
 */
export async function sqlPrepared<T = Record<string, unknown>>(
  em: EntityManager,
  name: string,
  text: string,
  params: readonly unknown[],
): Promise<T[]> {
  let pgText = positionalCache.get(name);
  if (pgText === undefined) positionalCache.set(name, (pgText = positional(text)));
  const query = { name, text: pgText, values: params };
  return (await onConnection(em, (conn) => conn.query(query))).rows as T[];
}

interface PgConnectionSource {
  acquireConnection(): Promise<PgClient>;
  releaseConnection(c: PgClient): Promise<void>;
}

/** statement text -> the name it is prepared under */
const fixedNames = new Map<string, string>();

/**
 * A statement from a bounded set of texts (fixed in the code, or capped by the caller as listSql
 * does; every value a parameter), prepared under a name derived from its text: `sqlPrepared`
 * without naming each statement by hand. Use it only where one plan serves every tenant.
 */
export function sqlFixed<T = Record<string, unknown>>(em: EntityManager, text: string, params: readonly unknown[]): Promise<T[]> {
  let name = fixedNames.get(text);
  if (name === undefined) fixedNames.set(text, (name = `provisio_f_${createHash('sha1').update(text).digest('base64url').slice(0, 20)}`));
  return sqlPrepared<T>(em, name, text, params);
}
