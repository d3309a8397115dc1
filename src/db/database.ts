import type { MikroORM } from '@mikro-orm/core';
import path from 'node:path';
import type { Config } from '../config';
import { EmbeddedPostgres, startEmbeddedPostgres } from './embedded';
import { migrate, openOrm } from './orm';

export interface Database {
  orm: MikroORM;
  embedded: boolean;
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}

/** Where embedded PostgreSQL keeps its files. */
export function embeddedDir(config: Pick<Config, 'dataDir'>): string {
  return path.join(config.dataDir, 'pg');
}

/**
 * Opens the configured database: DATABASE_URL, or embedded PostgreSQL (PGlite) under DATA_DIR.
 * Both go through the same driver and the same migrations. Embedded mode keeps one connection,
 * since PGlite is a single session.
 */
export async function openDatabase(config: Config): Promise<Database> {
  let pg: EmbeddedPostgres | undefined;
  let url = config.databaseUrl;
  if (!url) {
    pg = await startEmbeddedPostgres(embeddedDir(config));
    url = pg.url;
  }
  try {
    const orm = await openOrm(url, config.dbPoolMax, !!pg, config.db);
    return {
      orm,
      embedded: !!pg,
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
