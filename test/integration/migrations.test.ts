import fs from 'node:fs';
import path from 'node:path';
import { Migrator } from '@mikro-orm/migrations';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DAY_MS, dayStart, listPartitions, PARTITIONED_TABLES } from '../../src/db/partitions';
import { sql } from '../../src/db/sql';
import { createTestDb, TestDb } from '../support/database';

const SNAPSHOT = path.join(__dirname, '../../migrations/.snapshot.json');
// before beforeAll migrates a blank database
const snapshotWritten = fs.statSync(SNAPSHOT).mtimeMs;

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb({ fresh: true });
});
afterAll(async () => db.close());

describe('committed migrations', () => {
  it('bring an empty database exactly to the schema the entities describe (no drift)', async () => {
    const diff = await db.orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false, safe: false, dropTables: true });
    expect(diff.trim()).toBe('');
  });

  it('match the committed snapshot (npm run migration:create would generate nothing)', async () => {
    // as orm.config.ts sets it for migration:create: the diff is against migrations/.snapshot.json
    const options = db.orm.config.get('migrations');
    const migrator = new Migrator(db.orm.em.fork() as EntityManager);
    options.snapshot = true;
    try {
      expect(await migrator.checkMigrationNeeded()).toBe(false);
    } finally {
      options.snapshot = false;
    }
    expect(await migrator.getPendingMigrations()).toEqual([]);
  });

  it('are applied without rewriting the committed snapshot (only migration:create stores one)', () => {
    // beforeAll applied every migration to a blank database
    expect(fs.statSync(SNAPSHOT).mtimeMs).toBe(snapshotWritten);
    expect(db.orm.config.get('migrations').snapshot).toBe(false);
  });

  it('are all applied and every migration file is committed beside the snapshot', async () => {
    const dir = path.join(__dirname, '../../migrations');
    const files = fs.readdirSync(dir).filter((f) => /^Migration\d+.*\.ts$/.test(f)).map((f) => f.replace(/\.ts$/, ''));
    const executed = (await db.orm.getMigrator().getExecutedMigrations()).map((m) => m.name);
    expect(executed.sort()).toEqual(files.sort());
    expect(fs.existsSync(path.join(dir, '.snapshot.json'))).toBe(true);
  });
});

describe('partitioned tables', () => {
  // MikroORM's schema diff sees a partitioned table as its parent only (it skips partitions), so
  // the partitioning itself is checked here: range on the UUIDv7 id, a default partition, and
  // daily partitions from the migration.
  it.each(PARTITIONED_TABLES)('%s is partitioned by range of id, with a default partition and daily ones', async (table) => {
    const em = db.orm.em.fork() as EntityManager;
    const [info] = await sql<{ kind: string; key: string }>(em, `select c.relkind as kind, pg_get_partkeydef(c.oid) as key from pg_class c where c.oid = ?::regclass`, [table]);
    expect(info).toEqual({ kind: 'p', key: 'RANGE (id)' });
    const parts = await listPartitions(em, table);
    expect(parts.filter((p) => p.from === null).map((p) => p.name)).toEqual([`${table}_default`]);
    const today = dayStart(Date.now());
    expect(parts.some((p) => p.from?.getTime() === today && p.to?.getTime() === today + DAY_MS)).toBe(true);
  });
});
