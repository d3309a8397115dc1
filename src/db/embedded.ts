import fs from 'node:fs';
import path from 'node:path';

/** A PGlite instance served on a Unix socket, so the ordinary PostgreSQL driver can use it. */
export interface EmbeddedPostgres {
  /** `postgresql://postgres@<socket dir, percent-encoded>:5432/postgres`: pg connects to `<socket dir>/.s.PGSQL.5432`. */
  url: string;
  /** the socket file (mode 0600) */
  socket: string;
  stop(): Promise<void>;
}

/** The directory holding the socket of embedded PostgreSQL whose data lives in `dir`: `<dir>-socket`, beside it. */
export function embeddedSocketDir(dir: string): string {
  return `${path.resolve(dir)}-socket`;
}

/**
 * Starts embedded PostgreSQL (PGlite, with citext and pg_trgm) persisted under `dir`.
 * PGlite is a single session, so callers must keep their pool at one connection.
 *
 * It is served on a Unix socket `<dir>-socket/.s.PGSQL.5432` (directory 0700, socket 0600), never on
 * a TCP port: PGlite has no authentication, so only the owner of the data may reach it. The socket
 * lives beside the data directory, not in it, so a stopped data directory can be copied as is.
 */
export async function startEmbeddedPostgres(dir: string): Promise<EmbeddedPostgres> {
  const dataDir = path.resolve(dir);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const socketDir = embeddedSocketDir(dir);
  fs.mkdirSync(socketDir, { recursive: true, mode: 0o700 });
  fs.chmodSync(socketDir, 0o700);
  const socket = path.join(socketDir, '.s.PGSQL.5432');
  fs.rmSync(socket, { force: true }); // left behind by a process that was killed
  // PGlite ships as ESM with dynamic imports: load it lazily so the DATABASE_URL mode never pays for it.
  const { PGlite } = await import('@electric-sql/pglite');
  const { citext } = await import('@electric-sql/pglite/contrib/citext');
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const db = await PGlite.create(dataDir, { extensions: { citext, pg_trgm } });
  const server = new PGLiteSocketServer({ db, path: socket, maxConnections: 4 });
  // the socket is created with the process umask: tighten it before anything listens on it
  const umask = process.umask(0o177);
  try {
    await server.start();
  } finally {
    process.umask(umask);
  }
  fs.chmodSync(socket, 0o600);
  return {
    url: `postgresql://postgres@${encodeURIComponent(socketDir)}:5432/postgres?sslmode=disable`,
    socket,
    async stop() {
      await server.stop();
      await db.close();
      fs.rmSync(socketDir, { recursive: true, force: true });
    },
  };
}
