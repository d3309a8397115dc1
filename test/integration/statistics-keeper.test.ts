import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import pino from 'pino';
import { openOrm } from '../../src/db/orm';
import { sql } from '../../src/db/sql';
import { autovacuumMissing, StatisticsKeeper } from '../../src/db/statistics-keeper';
import { DEFAULT_DB_LIMITS } from '../../src/db/timeouts';
import { createTestDb, TestDb } from '../support/database';

/**
 * Where no autovacuum runs (PGlite never has one; this machine's server has it off), the statistics
 * keeper reclaims dead rows itself: a table past autovacuum's rule (1,000 + 20 % of its rows dead)
 * is vacuumed.
 */
let db: TestDb;
let orm: MikroORM; // one connection: the statistics of its updates are flushed from it
let tenantId: string;
const em = () => orm.em.fork() as EntityManager;
const silent = pino({ level: 'silent' });
const USERS = 3000;

/** pg_stat_user_tables as of now: the backend's pending counts flushed first (at the end of a transaction). */
async function stats(): Promise<{ dead: number; vacuumed: boolean }> {
  await sql(em(), 'select pg_stat_force_next_flush()');
  await sql(em(), 'select 1');
  const [row] = await sql<{ dead: number; vacuumed: boolean }>(
    em(),
    `select n_dead_tup::int as dead, last_vacuum is not null as vacuumed from pg_stat_user_tables where relname = 'scim_user' and schemaname = current_schema()`,
  );
  return row;
}

/** pg_stat_user_tables.n_mod_since_analyze of scim_user, pending counts flushed first. */
async function modifiedSinceAnalyze(): Promise<number> {
  await stats();
  const [{ n }] = await sql<{ n: number }>(em(), `select n_mod_since_analyze::int as n from pg_stat_user_tables where relname = 'scim_user' and schemaname = current_schema()`);
  return n;
}

/** Every user's document rewritten once: an update of `attributes` is never HOT, so each leaves a dead row. */
async function updateAll(title: string): Promise<void> {
  await sql(em(), `update scim_user set attributes = attributes || jsonb_build_object('title', ?::text), version = version + 1 where tenant_id = ?`, [title, tenantId]);
}

beforeAll(async () => {
  db = await createTestDb();
  orm = db.kind === 'postgresql' ? await openOrm(db.url, 1) : db.orm;
  tenantId = (await db.services.tenants.create({ name: 'Vacuum' })).id;
  await sql(
    em(),
    `insert into scim_user (id, tenant_id, user_name, user_name_key, display_name, active, attributes, version, created_at, updated_at)
     select gen_random_uuid(), ?, 'v' || n || '@example.com', 'v' || n || '@example.com', 'V ' || n, true,
            jsonb_build_object('emails', jsonb_build_array(jsonb_build_object('value', 'v' || n || '@example.com', 'type', 'work'))), 1, now(), now()
       from generate_series(1, ?::int) n`,
    [tenantId, USERS],
  );
  await sql(em(), 'analyze scim_user');
});
afterAll(async () => {
  if (orm !== db.orm) await orm.close(true);
  await db.close();
});

it('embedded PGlite counts as having no autovacuum, whatever its autovacuum setting reads', async () => {
  expect(await autovacuumMissing(orm, true)).toBe(true);
  const [{ on }] = await sql<{ on: boolean }>(em(), `select current_setting('autovacuum')::boolean as on`);
  expect(await autovacuumMissing(orm, false)).toBe(!on);
});

it('without vacuum (autovacuum runs), a round leaves dead rows alone', async () => {
  await updateAll('a');
  expect((await stats()).dead).toBeGreaterThanOrEqual(USERS);
  const round = await new StatisticsKeeper(orm, 0, silent).run();
  expect(round.vacuumed).toEqual([]);
  expect(await stats()).toEqual({ dead: expect.any(Number), vacuumed: false });
  expect((await stats()).dead).toBeGreaterThanOrEqual(USERS);
});

it('with vacuum, a table past 1,000 + 20 % dead rows is vacuumed, and one under it is not', async () => {
  const keeper = new StatisticsKeeper(orm, 0, silent, { vacuum: true });
  expect((await keeper.run()).vacuumed).toContain('scim_user');
  expect(await stats()).toEqual({ dead: 0, vacuumed: true });
  // 3,000 rows: 1,600 dead rows are the threshold; 500 stay under it
  await sql(em(), `update scim_user set version = version + 1 where id in (select id from scim_user where tenant_id = ? order by id limit 500)`, [tenantId]);
  expect((await stats()).dead).toBeGreaterThanOrEqual(500);
  expect((await keeper.run()).vacuumed).not.toContain('scim_user');
});

// A server's pool carries the requests' statement timeout; only a server has a URL to open another connection on.
if (process.env.DATABASE_URL) describe('on a server, with a VACUUM that takes seconds however fast the machine (cost-based delay)', () => {
  const database = () => new URL(db.url).pathname.slice(1);
  beforeAll(async () => {
    await sql(em(), `alter database "${database()}" set vacuum_cost_delay = '20ms'`);
    await sql(em(), `alter database "${database()}" set vacuum_cost_limit = 100`);
  });
  afterAll(async () => {
    await sql(em(), `alter database "${database()}" reset vacuum_cost_delay`);
    await sql(em(), `alter database "${database()}" reset vacuum_cost_limit`);
  });
  /** The keeper's VACUUMs running now on this test's database (other files' keepers share the server). */
  const running = async () =>
    (await sql<{ n: number }>(em(), `select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = 'provisio statistics keeper' and state = 'active' and query ilike 'vacuum%'`))[0].n;

  it("its commands run on a connection of their own: a VACUUM longer than the requests' statement timeout completes", async () => {
    const strict = await openOrm(db.url, 1, false, { ...DEFAULT_DB_LIMITS, statementTimeoutMs: 300 });
    try {
      await updateAll('timeout');
      expect((await stats()).dead).toBeGreaterThanOrEqual(USERS);
      // on the pool (as before) its commands are cancelled by the statement timeout, round after round
      await expect(new StatisticsKeeper(strict, 0, silent, { vacuum: true }).run()).rejects.toThrow(/statement timeout/);
      expect((await stats()).dead).toBeGreaterThanOrEqual(USERS);
      // on its own connection it completes
      expect((await new StatisticsKeeper(strict, 0, silent, { vacuum: true, url: db.url }).run()).vacuumed).toContain('scim_user');
      expect((await stats()).dead).toBe(0);
    } finally {
      await strict.close(true);
    }
  }, 60_000);

  it('stop() does not wait for a VACUUM under way: it closes its connection and leaves the command to the server', async () => {
    await updateAll('stop');
    // the update's counts flushed first (a backend may hold them back for seconds), then statistics
    // made fresh, so that only the VACUUM is due: counts flushed after the ANALYZE would make an
    // ANALYZE due at once, and the VACUUM (skip_locked) would skip the table while it runs
    expect((await stats()).dead).toBeGreaterThanOrEqual(USERS);
    await sql(em(), 'analyze scim_user');
    expect(await modifiedSinceAnalyze()).toBe(0);
    expect((await stats()).dead).toBeGreaterThanOrEqual(USERS);
    const keeper = new StatisticsKeeper(orm, 50, silent, { vacuum: true, url: db.url });
    keeper.start();
    for (let i = 0; i < 400 && (await running()) === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(await running()).toBe(1);
    await keeper.stop();
    // stopped before the VACUUM finished: its dead rows are still counted
    expect((await stats()).dead).toBeGreaterThanOrEqual(USERS);
    // the server finishes it on its own
    for (let i = 0; i < 800 && (await running()) > 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(await running()).toBe(0);
  }, 60_000);
});
