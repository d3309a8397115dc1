import { MikroORM, Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import path from 'node:path';
import { entities } from './entities';

/** The one place MikroORM is configured, for the server, the CLI, tests and the migration tool. */
export function ormOptions(clientUrl: string, poolMax: number, embedded = false): Options<PostgreSqlDriver> {
  return {
    driver: PostgreSqlDriver,
    clientUrl,
    entities,
    pool: embedded ? embeddedPool : { min: 0, max: poolMax },
    extensions: [Migrator],
    discovery: { warnWhenNoEntities: true },
    allowGlobalContext: false,
    forceUtcTimezone: true,
    // never create a database behind the operator's back (a typo in DATABASE_URL): see checkDatabase()
    ensureDatabase: false,
    migrations: {
      path: path.join(__dirname, '../../migrations'),
      pathTs: path.join(__dirname, '../../migrations'),
      glob: '!(*.d).{js,ts}',
      snapshotName: '.snapshot',
      transactional: true,
      allOrNothing: true,
      emit: 'ts',
      silent: true,
    },
    debug: process.env.ORM_DEBUG === '1',
  };
}

/**
 * Embedded PGlite is one session behind its socket: a statement prepared by a connection the
 * pool has since dropped is still there, and re-preparing its name would fail. Each new
 * connection therefore starts by deallocating them; the pool keeps a single connection.
 */
const embeddedPool = {
  min: 0,
  max: 1,
  afterCreate(conn: { query(sql: string, cb: (err: Error | null) => void): void }, done: (err: Error | null, conn: unknown) => void) {
    conn.query('deallocate all', (err) => done(err, conn));
  },
};

export async function openOrm(clientUrl: string, poolMax: number, embedded = false): Promise<MikroORM<PostgreSqlDriver>> {
  return MikroORM.init<PostgreSqlDriver>(ormOptions(clientUrl, poolMax, embedded));
}

/** Applies the committed migrations (migrations/), as `provisio migrate` and every start do. */
export async function migrate(orm: MikroORM): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}
