import type { MikroORM } from '@mikro-orm/core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Config, loadConfig } from '../../src/config';
import { startEmbeddedPostgres } from '../../src/db/embedded';
import { migrate, openOrm } from '../../src/db/orm';
import { createServices, Services } from '../../src/services';
import { adminQuery, templateDatabase, templateDirectory, testDbPrefix, uniqueName, withDatabase } from './template';

/** Migrates a new database at `url` (the template's build). */
async function migrateDatabase(url: string, embedded = false): Promise<void> {
  const orm = await openOrm(url, 1, embedded);
  try {
    await migrate(orm);
  } finally {
    await orm.close(true);
  }
}

/** Starts PGlite in `dir` and migrates it (the template's build). */
async function migrateDirectory(dir: string): Promise<void> {
  const pg = await startEmbeddedPostgres(dir);
  try {
    await migrateDatabase(pg.url, true);
  } finally {
    await pg.stop();
  }
}

export interface TestDb {
  orm: MikroORM;
  services: Services;
  config: Config;
  /** "postgresql" when DATABASE_URL is set, else "pglite". */
  kind: 'postgresql' | 'pglite';
  /** connection string of this test database */
  url: string;
  close(): Promise<void>;
}

export const testConfig = (env: Record<string, string> = {}): Config => loadConfig({ PUBLIC_URL: 'https://provisio.test', LOG_LEVEL: 'silent', ...env });

export interface TestDbOptions {
  /** Start from an empty database and run every migration (the migrations test), instead of copying the run's template. */
  fresh?: boolean;
  /** Configuration variables over the test defaults (e.g. RATE_LIMIT_CONNECTION_PER_SECOND). */
  env?: Record<string, string>;
}

/**
 * A migrated database of the test file's own: a new database on the PostgreSQL server named by
 * DATABASE_URL (dropped afterwards), or a new embedded PGlite directory when it is unset. Both are
 * copies of the template that jest's globalSetup migrated once for the run (test/support/template.ts).
 */
export async function createTestDb(options: TestDbOptions = {}): Promise<TestDb> {
  const config = testConfig(options.env);
  const base = process.env.DATABASE_URL;
  if (base) {
    const name = uniqueName('db');
    const template = options.fresh ? undefined : await templateDatabase(base, (url) => migrateDatabase(url));
    await adminQuery(base, template ? `create database "${name}" template "${template}"` : `create database "${name}"`);
    // Detect deadlocks after 100 ms instead of PostgreSQL's 1 s: the tests that race writes into real
    // deadlocks (write-retry) then wait for detection 10 times less. Needs a superuser; skipped otherwise.
    await adminQuery(base, `alter database "${name}" set deadlock_timeout = '100ms'`).catch(() => undefined);
    const url = withDatabase(base, name);
    const orm = await openOrm(url, 10);
    if (!template) await migrate(orm);
    return {
      orm,
      services: createServices(orm, config),
      config,
      kind: 'postgresql',
      url,
      async close() {
        await orm.close(true);
        await adminQuery(base, `drop database if exists "${name}" with (force)`);
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${testDbPrefix()}-`));
  const template = options.fresh ? undefined : await templateDirectory(migrateDirectory);
  if (template) fs.cpSync(template, dir, { recursive: true });
  const pg = await startEmbeddedPostgres(dir);
  const orm = await openOrm(pg.url, 1, true);
  if (!template) await migrate(orm);
  return {
    orm,
    services: createServices(orm, config),
    config,
    kind: 'pglite',
    url: pg.url,
    async close() {
      await orm.close(true);
      await pg.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
