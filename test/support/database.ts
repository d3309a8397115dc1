import type { MikroORM } from '@mikro-orm/core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { Config, loadConfig } from '../../src/config';
import { startEmbeddedPostgres } from '../../src/db/embedded';
import { migrate, openOrm } from '../../src/db/orm';
import { createServices, Services } from '../../src/services';

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

export const testConfig = (): Config => loadConfig({ PUBLIC_URL: 'https://provisio.test', LOG_LEVEL: 'silent' });

/**
 * A migrated database of the test file's own: a new database on the PostgreSQL server named by
 * DATABASE_URL (dropped afterwards), or a new embedded PGlite directory when it is unset.
 */
export async function createTestDb(): Promise<TestDb> {
  const config = testConfig();
  const base = process.env.DATABASE_URL;
  if (base) {
    const name = `provisio_t_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = new Client({ connectionString: base });
    await admin.connect();
    await admin.query(`create database "${name}"`);
    await admin.end();
    const url = new URL(base);
    url.pathname = `/${name}`;
    const orm = await openOrm(url.toString(), 10);
    await migrate(orm);
    return {
      orm,
      services: createServices(orm, config),
      config,
      kind: 'postgresql',
      url: url.toString(),
      async close() {
        await orm.close(true);
        const c = new Client({ connectionString: base });
        await c.connect();
        await c.query(`drop database if exists "${name}" with (force)`);
        await c.end();
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'provisio-test-'));
  const pg = await startEmbeddedPostgres(dir);
  const orm = await openOrm(pg.url, 1, true);
  await migrate(orm);
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
