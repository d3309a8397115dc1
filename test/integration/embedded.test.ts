import type { EntityManager } from '@mikro-orm/postgresql';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../src/db/embedded';
import { openOrm } from '../../src/db/orm';
import { sqlPrepared } from '../../src/db/sql';

// Embedded mode is what `npm start` runs with no DATABASE_URL: tested here in both CI runs.
describe('embedded PostgreSQL (PGlite)', () => {
  it('keeps prepared statements working after the pool replaces its connection', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'provisio-embedded-'));
    const pg = await startEmbeddedPostgres(dir);
    const orm = await openOrm(pg.url, 1, true);
    try {
      // served on a Unix socket only its owner may open, never on a TCP port (PGlite has no authentication)
      expect(new URL(pg.url).port).toBe('5432');
      expect(decodeURIComponent(new URL(pg.url).hostname)).toBe(path.dirname(pg.socket));
      expect(fs.statSync(pg.socket).isSocket()).toBe(true);
      expect(fs.statSync(pg.socket).mode & 0o777).toBe(0o600);
      expect(fs.statSync(path.dirname(pg.socket)).mode & 0o777).toBe(0o700);
      const em = () => orm.em.fork() as EntityManager;
      expect(await sqlPrepared(em(), 'provisio_test_stmt', 'select ?::int as v', [1])).toEqual([{ v: 1 }]);
      // end the pooled connection, as an idle timeout would: PGlite's one session keeps the statement
      const client = em().getKnex().client;
      const conn = await client.acquireConnection();
      await conn.end();
      await client.releaseConnection(conn);
      expect(await sqlPrepared(em(), 'provisio_test_stmt', 'select ?::int as v', [2])).toEqual([{ v: 2 }]);
    } finally {
      await orm.close(true);
      await pg.stop();
      expect(fs.existsSync(pg.socket)).toBe(false);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
