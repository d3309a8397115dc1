import fs from 'node:fs';
import path from 'node:path';

/** A PGlite instance served on a loopback port, so the ordinary PostgreSQL driver can use it. */
export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts embedded PostgreSQL (PGlite, with citext and pg_trgm) persisted under `dir`.
 * PGlite is a single session, so callers must keep their pool at one connection.
 */
export async function startEmbeddedPostgres(dir: string): Promise<EmbeddedPostgres> {
  fs.mkdirSync(dir, { recursive: true });
  // PGlite ships as ESM with dynamic imports: load it lazily so the DATABASE_URL mode never pays for it.
  const { PGlite } = await import('@electric-sql/pglite');
  const { citext } = await import('@electric-sql/pglite/contrib/citext');
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const db = await PGlite.create(path.resolve(dir), { extensions: { citext, pg_trgm } });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
  await server.start();
  const conn = server.getServerConn(); // "127.0.0.1:PORT"
  return {
    url: `postgresql://postgres@${conn}/postgres?sslmode=disable`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
