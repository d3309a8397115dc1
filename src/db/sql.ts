import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Raw SQL with real bind parameters. MikroORM's `execute` inlines parameters into the SQL text
 * (escaped, but still concatenated); the statements built here from client input (filters,
 * member ids) are sent to PostgreSQL as `$n` parameters instead, through the ORM's own knex and
 * inside the EntityManager's transaction when there is one. Placeholders are `?`; pass arrays as
 * PostgreSQL array literals (knex would expand a JS array into a list).
 */
export async function sql<T = Record<string, unknown>>(em: EntityManager, text: string, params: readonly unknown[] = []): Promise<T[]> {
  return (await raw(em, text, params)).rows as T[];
}

/** Like `sql`, for statements whose row count is what matters. */
export async function sqlRun(em: EntityManager, text: string, params: readonly unknown[] = []): Promise<number> {
  return (await raw(em, text, params)).rowCount ?? 0;
}

async function raw(em: EntityManager, text: string, params: readonly unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }> {
  const query = em.getKnex().raw(text, params as never);
  const tx = em.getTransactionContext();
  if (tx) query.transacting(tx);
  return query as unknown as Promise<{ rows: unknown[]; rowCount: number | null }>;
}
