import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { sql } from './sql';

/** The tables the hot paths plan against. */
export const ANALYSED_TABLES = ['scim_user', 'scim_group', 'group_member'] as const;

/**
 * Keeps the planner's statistics of the hot tables current when nothing else does: a server with
 * autovacuum off, or embedded PGlite, which has no autovacuum at all, and even autovacuum only wakes
 * once a minute. Without statistics PostgreSQL plans from default selectivities, under which a
 * partial index of live users looks tiny: right after a bulk load the cached plans of GET
 * /Users/{id}, userName eq and externalId eq walked a whole tenant through (tenant_id) or
 * (tenant_id, id) per request (issue 16: the first 10 s ran at 0.04x of the steady state).
 *
 * Each round is one catalogue query: a table whose rows changed by more than 1,000 + 10 % since
 * its last ANALYZE (autovacuum's rule, with a higher floor) is analysed, SKIP_LOCKED so that
 * instances never queue behind each other's. ANALYZE invalidates the cached plans that read the
 * table, so the next execution plans with the new statistics.
 */
export class StatisticsKeeper {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly orm: MikroORM,
    private readonly everyMs: number,
    private readonly logger: Logger,
  ) {}

  /** One round; returns the tables it analysed. */
  async run(): Promise<string[]> {
    const em = this.orm.em.fork() as EntityManager;
    const stale = await sql<{ name: string }>(
      em,
      `select s.relname as name
         from pg_stat_user_tables s join pg_class c on c.oid = s.relid
        where s.schemaname = current_schema() and s.relname = any(?::text[])
          and s.n_mod_since_analyze > 1000 + 0.1 * greatest(c.reltuples, 0)`,
      [`{${ANALYSED_TABLES.join(',')}}`],
    );
    const analysed: string[] = [];
    for (const { name } of stale) {
      if (!(ANALYSED_TABLES as readonly string[]).includes(name)) continue;
      await em.getConnection().execute(`analyze (skip_locked) "${name}"`);
      analysed.push(name);
    }
    if (analysed.length) this.logger.info({ analysed }, 'statistics refreshed');
    return analysed;
  }

  /** A round every `everyMs` (0: never); a failed round is logged and the next one tries again. */
  start(): void {
    if (this.everyMs <= 0) return;
    this.timer = setInterval(() => {
      if (this.running) return; // the last round is still at work
      this.running = this.run()
        .catch((err: unknown) => this.logger.warn({ err }, 'refreshing statistics failed; retried at the next round'))
        .finally(() => (this.running = undefined));
    }, this.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
