import fs from 'node:fs';
import path from 'node:path';
import { createTestDb, TestDb } from '../support/database';

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
    const migrator = db.orm.getMigrator();
    expect(await migrator.checkMigrationNeeded()).toBe(false);
    expect(await migrator.getPendingMigrations()).toEqual([]);
  });

  it('are all applied and every migration file is committed beside the snapshot', async () => {
    const dir = path.join(__dirname, '../../migrations');
    const files = fs.readdirSync(dir).filter((f) => /^Migration\d+.*\.ts$/.test(f)).map((f) => f.replace(/\.ts$/, ''));
    const executed = (await db.orm.getMigrator().getExecutedMigrations()).map((m) => m.name);
    expect(executed.sort()).toEqual(files.sort());
    expect(fs.existsSync(path.join(dir, '.snapshot.json'))).toBe(true);
  });
});
