import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, sqlFixed, sqlPrepared } from '../../src/db/sql';
import { createTestApp, TestApp } from '../support/app';

/**
 * Named prepared statements inside a transaction (issue 16 §1: the write paths' outbox and member
 * statements, planned once per connection instead of on every request) must run on the
 * transaction's own connection: in its snapshot, seeing its uncommitted rows, and undone by its
 * rollback. On PostgreSQL and PGlite alike.
 */
let app: TestApp;
const em = () => app.orm.em.fork() as EntityManager;

beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => app.close());

const PROBE = 'provisio_test_probe_insert';

test('inside a transaction, a prepared statement runs on its connection and is prepared there', async () => {
  await em().transactional(async (tx) => {
    const trx = tx as EntityManager;
    // a temporary table exists only on this connection, and only until this transaction ends
    await sql(trx, 'create temporary table prepared_probe (n int) on commit drop');
    const inserted = await sqlPrepared<{ n: number }>(trx, PROBE, 'insert into prepared_probe (n) values (?) returning n', [7]);
    expect(inserted).toEqual([{ n: 7 }]);
    // the statement's row is visible to the transaction's next statement, and it is a named statement there
    expect(await sql(trx, 'select n from prepared_probe')).toEqual([{ n: 7 }]);
    expect(await sql(trx, 'select name from pg_prepared_statements where name = ?', [PROBE])).toEqual([{ name: PROBE }]);
    const [own] = await sql<{ xid: string }>(trx, 'select txid_current()::text as xid');
    expect(await sqlFixed<{ xid: string }>(trx, 'select txid_current()::text as xid', [])).toEqual([own]);
  });
});

test('a rollback undoes what a prepared statement wrote in the transaction', async () => {
  const slug = `prepared-rollback-${Date.now()}`;
  await expect(
    em().transactional(async (tx) => {
      await sqlFixed(tx as EntityManager, `insert into tenant (id, slug, name, created_at, updated_at) values (gen_random_uuid(), ?, 'Rolled back', now(), now())`, [slug]);
      expect(await sql(tx as EntityManager, 'select slug from tenant where slug = ?', [slug])).toHaveLength(1);
      throw new Error('roll back');
    }),
  ).rejects.toThrow('roll back');
  expect(await sql(em(), 'select slug from tenant where slug = ?', [slug])).toHaveLength(0);
  // the statement stays prepared for the connection's next transaction
  expect(await sqlFixed(em(), `select count(*)::int as n from tenant where slug = ?`, [slug])).toEqual([{ n: 0 }]);
});
