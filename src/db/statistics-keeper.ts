import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import type { Logger } from 'pino';
import { sql } from './sql';

/** The tables the hot paths plan against. */
export const ANALYSED_TABLES = ['scim_user', 'scim_group', 'group_member'] as const;

/**
 * Rows changed past which a hot table is analysed: autovacuum's own rule (autovacuum_analyze_threshold
 * 50, autovacuum_analyze_scale_factor 0.1). A floor of 1,000 left a new deployment's first hundreds
 * of users without statistics, and the plans replanned after a bulk load then took a partial index
 * of live users for tiny and walked the whole tenant (see replanCommand).
 */
const ANALYZE_FLOOR = 50;
const ANALYZE_SCALE = 0.1;

/** Dead rows past which a table is vacuumed when nothing else does it: autovacuum's rule (50 + 20 %), with a higher floor. */
const VACUUM_FLOOR = 1000;
const VACUUM_SCALE = 0.2;

/**
 * True where no autovacuum reclaims dead rows: embedded PGlite (single-user PostgreSQL runs no
 * autovacuum launcher, though its `autovacuum` setting reads on), or a server with `autovacuum = off`.
 */
export async function autovacuumMissing(orm: MikroORM, embedded: boolean): Promise<boolean> {
  if (embedded) return true;
  const [{ on }] = await sql<{ on: boolean }>(orm.em.fork() as EntityManager, `select current_setting('autovacuum')::boolean as on`);
  return !on;
}

/** A table name as a quoted SQL identifier. */
function quoted(table: string): string {
  return `"${table.replace(/"/g, '""')}"`;
}

/**
 * A command that makes every session replan its cached statements on `table` now, and changes
 * nothing else: its first column's statistics target set to the value it has (an ALTER TABLE
 * invalidates the table's cached plans everywhere on commit, as the ANALYZE after it will when it
 * ends). It takes the lock ANALYZE takes (SHARE UPDATE EXCLUSIVE: reads and writes go on), waiting
 * at most 50 ms for it: held, another instance is analysing the table, and its ANALYZE will replan.
 * A role that does not own the table (which could not ANALYZE it either) skips it.
 */
export function replanCommand(table: string): string {
  const literal = `'${quoted(table).replace(/'/g, "''")}'`;
  return `do $$
declare col record;
begin
  set local lock_timeout = '50ms';
  select a.attname, coalesce(a.attstattarget, -1) as target into col
    from pg_attribute a where a.attrelid = ${literal}::regclass and a.attnum > 0 and not a.attisdropped order by a.attnum limit 1;
  execute format('alter table %s alter column %I set statistics %s', ${literal}::regclass, col.attname, col.target);
exception when lock_not_available or insufficient_privilege then null;
end $$`;
}

/**
 * Keeps the planner's statistics of the hot tables current when nothing else does: a server with
 * autovacuum off, or embedded PGlite, which has no autovacuum at all, and even autovacuum only wakes
 * once a minute. Without statistics PostgreSQL plans from default selectivities, under which a
 * partial index of live users looks tiny: right after a bulk load the cached plans of GET
 * /Users/{id}, userName eq and externalId eq walked a whole tenant through (tenant_id) or
 * (tenant_id, id) per request (issue 16: the first 10 s ran at 0.04x of the steady state).
 *
 * Each round is one catalogue query: a table whose rows changed by more than 50 + 10 % since its
 * last ANALYZE (autovacuum's rule) is analysed, SKIP_LOCKED so that instances never queue behind
 * each other's. ANALYZE invalidates the cached plans that read the table, so the next execution
 * plans with the new statistics.
 *
 * Before each ANALYZE the table's cached plans are dropped at once ({@link replanCommand}): a
 * prepared statement settles on a generic plan after five executions, and one settled while the
 * table held a hundred rows is a sequential scan (cheaper than an index probe on a few pages),
 * kept until something invalidates it. The ANALYZE would, but only when it ends: about a second
 * at 100,000 rows, and longer while every request scans the whole table beside it. Replanned, the
 * statements see the table's current size (PostgreSQL reads it at each planning) and probe the
 * indexes again, with the old statistics, until the new ones arrive.
 *
 * With `vacuum` (where no autovacuum runs: embedded PGlite has none, and a server may have it off;
 * see {@link autovacuumMissing}) a round also vacuums every table of the schema whose dead rows
 * (left by updates and deletes) exceed 1,000 + 20 % of its rows, SKIP_LOCKED. Without it nothing
 * ever reclaims them: the indexes keep an entry per dead row version, and a GIN index's entries are
 * never cleaned up at all. The work is linear in the table and comes after updates of a fifth of it,
 * so it stays a constant share of the writes that caused it.
 *
 * With `url` (a server) the ANALYZE and VACUUM commands run on a connection of their own, opened
 * only when a table is due: the pool's connections carry the requests' statement timeout
 * (DB_STATEMENT_TIMEOUT_MS, 10 s), which cancelled a VACUUM of a large table (12.6 s at 1M users)
 * at every round, and a long command held one of the requests' connections. Without it (embedded
 * PGlite: one session, no timeouts) they run on the ORM's pool.
 */
export class StatisticsKeeper {
  private timer?: NodeJS.Timeout;
  private analysing?: Promise<unknown>;
  private vacuuming?: Promise<unknown>;
  private stopped = false;
  /** the connections of the commands under way (with `url`), ended by stop() */
  private readonly clients = new Set<Client>();

  constructor(
    private readonly orm: MikroORM,
    private readonly everyMs: number,
    private readonly logger: Logger,
    private readonly options: { vacuum?: boolean; url?: string } = {},
  ) {}

  /** One round; returns the tables it analysed and those it vacuumed. */
  async run(): Promise<{ analysed: string[]; vacuumed: string[] }> {
    const analysed = await this.analyse();
    return { analysed, vacuumed: this.options.vacuum ? await this.vacuum() : [] };
  }

  /** ANALYZE of the hot tables past their change threshold. */
  private async analyse(): Promise<string[]> {
    const analysed = await this.maintain(
      's.relname = any(?::text[]) and s.n_mod_since_analyze > ? + ? * greatest(c.reltuples, 0)',
      [`{${ANALYSED_TABLES.join(',')}}`, ANALYZE_FLOOR, ANALYZE_SCALE],
      (table) => [replanCommand(table), `analyze (skip_locked) ${quoted(table)}`],
    );
    if (analysed.length) this.logger.info({ analysed }, 'statistics refreshed');
    return analysed;
  }

  /** VACUUM of the schema's tables past autovacuum's dead-row rule (leaf partitions one by one). */
  private async vacuum(): Promise<string[]> {
    const vacuumed = await this.maintain('s.n_dead_tup > ? + ? * greatest(c.reltuples, 0)', [VACUUM_FLOOR, VACUUM_SCALE], (table) => [
      `vacuum (skip_locked) ${quoted(table)}`,
    ]);
    if (vacuumed.length) this.logger.info({ vacuumed }, 'dead rows reclaimed (no autovacuum here)');
    return vacuumed;
  }

  /**
   * `commandsFor(table)` on each table of the schema whose statistics row (pg_stat_user_tables s,
   * with its pg_class c) meets `condition`: one catalogue query, then the commands of each table due.
   */
  private async maintain(condition: string, params: unknown[], commandsFor: (table: string) => string[]): Promise<string[]> {
    const em = this.orm.em.fork() as EntityManager;
    const due = await sql<{ name: string }>(
      em,
      `select s.relname as name
         from pg_stat_user_tables s join pg_class c on c.oid = s.relid
        where s.schemaname = current_schema() and ${condition}
        order by s.relname`,
      params,
    );
    await this.commands(em, due.flatMap(({ name }) => commandsFor(name)));
    return due.map((d) => d.name);
  }

  /** Runs maintenance commands in turn: on a connection of their own with `url` (no statement timeout), else on the pool. */
  private async commands(em: EntityManager, texts: string[]): Promise<void> {
    if (texts.length === 0) return;
    if (!this.options.url) {
      for (const text of texts) await em.getConnection().execute(text);
      return;
    }
    const client = new Client({
      connectionString: this.options.url,
      options: '-c statement_timeout=0',
      application_name: 'provisio statistics keeper',
      connectionTimeoutMillis: 10_000,
      keepAlive: true,
    });
    this.clients.add(client);
    try {
      await client.connect();
      for (const text of texts) await client.query(text);
    } finally {
      this.clients.delete(client);
      await client.end().catch(() => undefined);
    }
  }

  /**
   * A round every `everyMs` (0: never); a failed round is logged and the next one tries again. The
   * vacuums run beside the analyses, not in their rounds: a VACUUM of a large table takes a while,
   * and the statistics after a bulk load must not wait for it.
   */
  start(): void {
    if (this.everyMs <= 0) return;
    this.timer = setInterval(() => {
      this.analysing ??= this.analyse()
        .catch((err: unknown) => this.stopped || this.logger.warn({ err }, 'refreshing statistics failed; retried at the next round'))
        .finally(() => (this.analysing = undefined));
      if (this.options.vacuum) {
        this.vacuuming ??= this.vacuum()
          .catch((err: unknown) => this.stopped || this.logger.warn({ err }, 'vacuum failed; retried at the next round'))
          .finally(() => (this.vacuuming = undefined));
      }
    }, this.everyMs);
    this.timer.unref();
  }

  /** Stops the rounds; a command under way on its own connection is left to the server (its connection is closed), not waited for. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    for (const client of this.clients) void client.end().catch(() => undefined);
    await Promise.all([this.analysing, this.vacuuming]);
  }
}
