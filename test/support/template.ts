import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

/**
 * Test databases are copies of one database migrated once per `npm test` run: on PostgreSQL a
 * template database that each test file clones with `CREATE DATABASE … TEMPLATE`, on PGlite a data
 * directory that each test file copies. Migrating costs seconds (about 20 s on PGlite); copying
 * costs milliseconds.
 *
 * jest's globalSetup only names the template (it runs in another realm, so it must not load the
 * entities); the first test file that needs it builds it, under a lock, and the others wait for it.
 * globalTeardown removes it. Names start with TEST_DB_PREFIX (default `provisio_t`), so a shared
 * server's test databases are easy to find and drop.
 */
export const testDbPrefix = (): string => process.env.TEST_DB_PREFIX || 'provisio_t';

/** Environment variables carry the names from globalSetup to every test file and worker. */
const TEMPLATE_DB = 'PROVISIO_TEST_TEMPLATE_DB';
const TEMPLATE_DIR = 'PROVISIO_TEST_TEMPLATE_DIR';

export const uniqueName = (kind: string): string =>
  `${testDbPrefix()}_${kind}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;

export const withDatabase = (base: string, name: string): string => {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
};

export async function adminQuery<T = unknown>(base: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: base });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as T[];
  } finally {
    await c.end();
  }
}

/**
 * globalSetup: names this run's template (built on first use). scripts/test.js's two jest runs
 * share one template: it sets PROVISIO_TEST_RUN for both.
 */
export function nameTemplate(): void {
  const run = process.env.PROVISIO_TEST_RUN || `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  if (process.env.DATABASE_URL) process.env[TEMPLATE_DB] = `${testDbPrefix()}_tpl_${run}`;
  else {
    process.env[TEMPLATE_DIR] = path.join(os.tmpdir(), `${testDbPrefix()}-run-${run}`, 'template');
    fs.mkdirSync(path.dirname(process.env[TEMPLATE_DIR]), { recursive: true });
  }
}

/** globalTeardown: removes this run's template, if one was built. */
export async function dropTemplate(): Promise<void> {
  if (process.env.PROVISIO_TEST_KEEP_TEMPLATE) return; // scripts/test.js's first run: its second run uses it too
  const name = process.env[TEMPLATE_DB];
  if (name && process.env.DATABASE_URL) {
    await adminQuery(process.env.DATABASE_URL, `drop database if exists "${name}" with (force)`);
    await adminQuery(process.env.DATABASE_URL, `drop database if exists "${name}_building" with (force)`);
  }
  const dir = process.env[TEMPLATE_DIR];
  if (dir) fs.rmSync(path.dirname(dir), { recursive: true, force: true });
}

/**
 * The run's migrated PostgreSQL template database, built by the first caller: `build(url)` migrates
 * a new database under a temporary name, renamed when complete, all under an advisory lock, so
 * concurrent jest workers wait for one build. Undefined when the run has no template (a test
 * file run outside jest's globalSetup).
 */
export async function templateDatabase(base: string, build: (url: string) => Promise<void>): Promise<string | undefined> {
  const name = process.env[TEMPLATE_DB];
  if (!name) return undefined;
  const c = new Client({ connectionString: base });
  await c.connect();
  try {
    await c.query('select pg_advisory_lock(hashtext($1))', [name]);
    const exists = await c.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount === 0) {
      const building = `${name}_building`;
      await c.query(`drop database if exists "${building}" with (force)`);
      await c.query(`create database "${building}"`);
      await build(withDatabase(base, building));
      await c.query(`alter database "${building}" rename to "${name}"`);
    }
    return name;
  } finally {
    await c.end(); // ends the session, and its advisory lock with it
  }
}

/**
 * The run's migrated PGlite data directory, built by the first caller into a scratch directory and
 * renamed into place when complete; a lock directory keeps concurrent workers to one build.
 */
export async function templateDirectory(build: (dir: string) => Promise<void>): Promise<string | undefined> {
  const dir = process.env[TEMPLATE_DIR];
  if (!dir) return undefined;
  const lock = `${dir}.lock`;
  for (const started = Date.now(); !fs.existsSync(dir); ) {
    let mine = false;
    try {
      fs.mkdirSync(lock);
      mine = true;
    } catch {
      if (Date.now() - started > 180_000) throw new Error(`test template ${dir} was not built within 180 s (stale ${lock}?)`);
      await new Promise((r) => setTimeout(r, 200));
    }
    if (mine) {
      try {
        if (!fs.existsSync(dir)) {
          const building = `${dir}.building`;
          fs.rmSync(building, { recursive: true, force: true });
          await build(building);
          fs.renameSync(building, dir);
        }
      } finally {
        fs.rmSync(lock, { recursive: true, force: true });
      }
    }
  }
  return dir;
}
