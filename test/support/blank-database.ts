import type { MikroORM } from '@mikro-orm/core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded';
import { openOrm } from '../../src/db/orm';

export interface BlankDb {
  orm: MikroORM;
  close(): Promise<void>;
}

/**
 * An empty database with no migration applied (for tests of a migration on existing rows): a new
 * database on DATABASE_URL's server (dropped afterwards), or a new embedded PGlite directory.
 */
export async function createBlankDb(): Promise<BlankDb> {
  const base = process.env.DATABASE_URL;
  if (base) {
    const name = `provisio_b_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = new Client({ connectionString: base });
    await admin.connect();
    await admin.query(`create database "${name}"`);
    await admin.end();
    const url = new URL(base);
    url.pathname = `/${name}`;
    const orm = await openOrm(url.toString(), 4);
    return {
      orm,
      async close() {
        await orm.close(true);
        const c = new Client({ connectionString: base });
        await c.connect();
        await c.query(`drop database if exists "${name}" with (force)`);
        await c.end();
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'provisio-blank-'));
  const pg = await startEmbeddedPostgres(dir);
  const orm = await openOrm(pg.url, 1, true);
  return {
    orm,
    async close() {
      await orm.close(true);
      await pg.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Applies every migration that comes before `migration` (whatever lands beside it), so that the
 * tables have the shape that migration finds in an existing database.
 */
export async function migrateUpToBefore(db: BlankDb, migration: string): Promise<void> {
  const names = (await db.orm.getMigrator().getPendingMigrations()).map((m) => m.name).sort();
  await db.orm.getMigrator().up({ to: names[names.indexOf(migration) - 1] });
}
