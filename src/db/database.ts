import type { MikroORM } from '@mikro-orm/core';
import path from 'node:path';
import { Client } from 'pg';
import type { Config } from '../config';
import { EmbeddedPostgres, startEmbeddedPostgres } from './embedded';
import { migrate, openOrm } from './orm';

export interface Database {
  orm: MikroORM;
  embedded: boolean;
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * A failure to start that the operator can fix (port taken, bad variable, database unreachable or
 * missing): the server and the CLI print its message as one line, without a stack, and exit 1.
 */
export class StartupError extends Error {}

/** Where embedded PostgreSQL keeps its files. */
export function embeddedDir(config: Pick<Config, 'dataDir'>): string {
  return path.join(config.dataDir, 'pg');
}

/** `host:port/db` of a connection string, without the password. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${decodeURIComponent(u.hostname)}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}

/**
 * Checks that DATABASE_URL's server answers and its database exists. A database that does not exist
 * (a typo, most often) is refused unless `create` (`--create-database` / CREATE_DATABASE=1) asks to
 * create it: it is then created through the server's `postgres` database.
 */
export async function checkDatabase(url: string, create: boolean): Promise<{ created: boolean }> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StartupError('DATABASE_URL is not a valid URL (expected postgresql://user:password@host:5432/database)');
  }
  const name = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  const where = describeUrl(url);
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    await client.end();
    return { created: false };
  } catch (e) {
    await client.end().catch(() => undefined);
    const err = e as { code?: string; message?: string };
    if (err.code !== '3D000') throw new StartupError(`cannot reach the database at ${where}: ${err.message ?? err.code ?? String(e)}`);
  }
  if (!create) {
    throw new StartupError(
      `database "${name}" does not exist at ${where}: check DATABASE_URL, create it (createdb ${name}), or start with --create-database (CREATE_DATABASE=1)`,
    );
  }
  const adminUrl = new URL(url);
  adminUrl.pathname = '/postgres';
  const admin = new Client({ connectionString: adminUrl.toString(), connectionTimeoutMillis: 10_000 });
  try {
    await admin.connect();
    await admin.query(`create database "${name.replace(/"/g, '""')}"`);
  } catch (e) {
    throw new StartupError(`cannot create database "${name}" at ${where}: ${(e as Error).message}`);
  } finally {
    await admin.end().catch(() => undefined);
  }
  return { created: true };
}

/**
 * Opens the configured database: DATABASE_URL, or embedded PostgreSQL (PGlite) under DATA_DIR.
 * Both go through the same driver and the same migrations. Embedded mode keeps one connection,
 * since PGlite is a single session.
 */
export async function openDatabase(config: Config, options: { createDatabase?: boolean } = {}): Promise<Database & { created: boolean }> {
  let pg: EmbeddedPostgres | undefined;
  let url = config.databaseUrl;
  let created = false;
  if (url) created = (await checkDatabase(url, options.createDatabase ?? config.createDatabase)).created;
  else {
    pg = await startEmbeddedPostgres(embeddedDir(config));
    url = pg.url;
  }
  try {
    const orm = await openOrm(url, config.dbPoolMax, !!pg, config.db);
    return {
      orm,
      embedded: !!pg,
      created,
      migrate: () => migrate(orm),
      async close() {
        await orm.close(true);
        await pg?.stop();
      },
    };
  } catch (e) {
    await pg?.stop();
    throw e;
  }
}
