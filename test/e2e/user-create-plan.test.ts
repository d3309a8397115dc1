import pino from 'pino';
import { StatisticsKeeper } from '../../src/db/statistics-keeper';
import { createTestApp, scim, TestApp } from '../support/app';

/**
 * POST /Users first looks for a tombstone to restore (in the statement that inserts, a prepared
 * one). That probe must stay cheap after a bulk load (PGlite never auto-analyses): a plan fixed
 * while the table was small reads the whole table on every create until the server's statistics
 * keeper has analysed the table, which replans it.
 */
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => app.close());

const run = (text: string, params: unknown[] = []) => app.orm.em.getConnection().execute(text, params);

// Reads the server's table statistics, which are flushed per backend: PGlite has one backend, the
// one that served the request; a PostgreSQL pool flushes other backends' counters only when idle.
if (!process.env.DATABASE_URL) it("after a bulk load and the statistics keeper's round, POST /Users does not scan the user table", async () => {
  const t = await app.tenant('Plan Co');
  const api = scim(app, t.token);
  // enough creates on a tiny table for PostgreSQL to settle on a generic plan of a prepared statement
  const create = async (userName: string) => expect((await api.post(`${t.base}/Users`, { schemas: [USER], userName })).status).toBe(201);
  for (let i = 0; i < 12; i++) await create(`small${i}@example.com`);
  await run('analyze scim_user'); // as PostgreSQL's autovacuum does once 50 rows have changed: statistics of a small table
  for (let i = 12; i < 24; i++) await create(`small${i}@example.com`);
  await run(
    `insert into scim_user (id, tenant_id, user_name, user_name_key, external_id, attributes, version, created_at, updated_at, deleted_at)
     select gen_random_uuid(), ?, 'bulk' || i || '@example.com', 'bulk' || i || '@example.com', 'x' || i, '{}', 1, now(), now(), now() from generate_series(1, 20000) i`,
    [t.id],
  );
  // the server's statistics keeper, at its next round (every ANALYZE_EVERY_SECONDS)
  await run('select pg_stat_force_next_flush()');
  expect(await new StatisticsKeeper(app.orm, 0, pino({ level: 'silent' })).run()).toEqual({ analysed: ['scim_user'], vacuumed: [] });
  const seqRead = async () => {
    await run('select pg_stat_force_next_flush()');
    return Number((await run(`select seq_tup_read from pg_stat_user_tables where relname = 'scim_user'`))[0].seq_tup_read);
  };
  const before = await seqRead();
  expect((await api.post(`${t.base}/Users`, { schemas: [USER], userName: 'after-bulk@example.com' })).status).toBe(201);
  const read = (await seqRead()) - before;
  expect(read).toBeLessThan(20000);
  // and the probe still finds tombstones: a deleted user's userName restores it
  const restored = await api.post(`${t.base}/Users`, { schemas: [USER], userName: 'BULK77@example.com' });
  expect(restored.status).toBe(201);
  expect(restored.body.userName).toBe('BULK77@example.com');
});

it('a create restores the tombstone of the same userName (the probe the plan concerns)', async () => {
  const t = await app.tenant('Probe Co');
  const api = scim(app, t.token);
  const first = await api.post(`${t.base}/Users`, { schemas: [USER], userName: 'probe@example.com' });
  expect((await api.delete(`${t.base}/Users/${first.body.id}`)).status).toBe(204);
  const again = await api.post(`${t.base}/Users`, { schemas: [USER], userName: 'PROBE@example.com' });
  expect(again.status).toBe(201);
  expect(again.body.id).toBe(first.body.id);
});
