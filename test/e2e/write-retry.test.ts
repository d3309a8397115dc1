import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../src/db/sql';
import { isRetryableTransactionError } from '../../src/domain/retry';
import { createTestApp, scim, TestApp } from '../support/app';

/** Deadlocks and serialisation failures rerun the whole write; they never become a 500. */
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let app: TestApp;
let t: Awaited<ReturnType<TestApp['tenant']>>;
let api: ReturnType<typeof scim>;
beforeAll(async () => {
  app = await createTestApp();
  t = await app.tenant('Retry Co');
  api = scim(app, t.token);
  // a trigger that fails group inserts with SQLSTATE 40001 (serialization_failure), as PostgreSQL does
  // to a transaction under SERIALIZABLE: once for one name, always for another; sequences count the
  // attempts (nextval is not rolled back)
  const run = (text: string) => app.orm.em.getConnection().execute(text);
  await run('create sequence retry_once_seq');
  await run('create sequence retry_always_seq');
  await run(`create function retry_probe() returns trigger language plpgsql as $$
    begin
      if new.display_name = 'conflict-once' and nextval('retry_once_seq') = 1 then
        raise exception 'forced serialization failure' using errcode = '40001';
      end if;
      if new.display_name = 'conflict-always' then
        perform nextval('retry_always_seq');
        raise exception 'forced serialization failure' using errcode = '40001';
      end if;
      return new;
    end $$`);
  await run('create trigger retry_probe before insert on scim_group for each row execute function retry_probe()');
});
afterAll(async () => app.close());

const seq = async (name: string) => Number((await app.orm.em.getConnection().execute(`select last_value from ${name}`))[0].last_value);

describe('write retries', () => {
  it('recognises SQLSTATE 40001 and 40P01, raw or wrapped by the ORM, and nothing else', () => {
    expect(isRetryableTransactionError({ code: '40001' })).toBe(true);
    expect(isRetryableTransactionError(Object.assign(new Error('x'), { cause: { code: '40P01' } }))).toBe(true);
    expect(isRetryableTransactionError({ code: '23505' })).toBe(false);
    expect(isRetryableTransactionError(new Error('40001'))).toBe(false);
  });

  it('a serialisation failure reruns the whole transaction: the write succeeds', async () => {
    const res = await api.post(`${t.base}/Groups`, { schemas: [GROUP], displayName: 'conflict-once' });
    expect(res.status).toBe(201);
    expect(await seq('retry_once_seq')).toBe(2); // failed once, then passed
    expect((await api.get(`${t.base}/Groups/${res.body.id}`)).body.displayName).toBe('conflict-once');
  });

  it('when every attempt fails: 503 with Retry-After and a SCIM error body, not a 500, and nothing written', async () => {
    const res = await api.post(`${t.base}/Groups`, { schemas: [GROUP], displayName: 'conflict-always' });
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '503' });
    expect(await seq('retry_always_seq')).toBe(4); // every attempt ran
    const listed = await api.get(`${t.base}/Groups`).query({ filter: 'displayName eq "conflict-always"' });
    expect(listed.body.totalResults).toBe(0);
    // in a bulk request it is that operation's result
    const bulk = await api.post(`${t.base}/Bulk`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [{ method: 'POST', path: '/Groups', bulkId: 'g', data: { schemas: [GROUP], displayName: 'conflict-always' } }],
    });
    expect(bulk.status).toBe(200);
    expect(bulk.body.Operations[0].status).toBe('503');
  });

  // A real deadlock needs two server connections (PGlite has one).
  if (process.env.DATABASE_URL) it('a real deadlock between two writes of the service: PostgreSQL aborts one, which reruns, and both succeed', async () => {
    const ids: string[] = [];
    for (const name of ['dl.a@example.com', 'dl.b@example.com']) ids.push((await api.post(`${t.base}/Users`, { schemas: [USER], userName: name })).body.id);
    // the service's own write() helper, with a work that locks the two users in opposite orders
    const write = (app.services.users as unknown as { write<T>(work: (em: EntityManager) => Promise<T>): Promise<T> }).write.bind(app.services.users);
    let arrived = 0;
    let release!: () => void;
    const bothLocked = new Promise<void>((resolve) => (release = resolve));
    const runs: string[] = [];
    const work = (first: string, second: string, label: string) => async (em: EntityManager) => {
      runs.push(label);
      await sql(em, 'update scim_user set version = version + 1 where id = ?', [first]);
      if (++arrived === 2) release();
      await bothLocked; // each holds its first row; now each asks for the other's
      await sql(em, 'update scim_user set version = version + 1 where id = ?', [second]);
      return label;
    };
    const before = await sql<{ version: number }>(app.orm.em.fork() as EntityManager, 'select version from scim_user where id = any(?::uuid[]) order by id', [`{${ids.join(',')}}`]);
    const results = await Promise.all([write(work(ids[0], ids[1], 'ab')), write(work(ids[1], ids[0], 'ba'))]);
    expect(results).toEqual(['ab', 'ba']);
    expect(runs).toHaveLength(3); // one of them was the deadlock victim and ran again
    const after = await sql<{ version: number }>(app.orm.em.fork() as EntityManager, 'select version from scim_user where id = any(?::uuid[]) order by id', [`{${ids.join(',')}}`]);
    // each committed transaction bumped each user once; the aborted attempt left nothing
    expect(after.map((r) => r.version)).toEqual(before.map((r) => r.version + 2));
  });

  it('a user DELETE racing group writes on the same user never answers 5xx', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      const u = (await api.post(`${t.base}/Users`, { schemas: [USER], userName: `race${i}@example.com` })).body.id;
      const other = (await api.post(`${t.base}/Users`, { schemas: [USER], userName: `race${i}.other@example.com` })).body.id;
      const g1 = (await api.post(`${t.base}/Groups`, { schemas: [GROUP], displayName: `race-${i}-a`, members: [{ value: u }] })).body.id;
      const g2 = (await api.post(`${t.base}/Groups`, { schemas: [GROUP], displayName: `race-${i}-b`, members: [{ value: u }] })).body.id;
      const res = await Promise.all([
        api.delete(`${t.base}/Users/${u}`),
        api.patch(`${t.base}/Groups/${g1}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: other }] }] }),
        api.patch(`${t.base}/Groups/${g2}`, { schemas: [PATCH], Operations: [{ op: 'remove', path: `members[value eq "${u}"]` }] }),
        api.put(`${t.base}/Groups/${g1}`, { schemas: [GROUP], displayName: `race-${i}-a`, members: [{ value: other }, { value: u }] }),
        api.patch(`${t.base}/Users/${other}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'displayName', value: `Other ${i}` }] }),
      ]);
      statuses.push(...res.map((r) => r.status));
      expect(res[0].status).toBe(204);
      // afterwards the deleted user is in no group
      for (const g of [g1, g2]) {
        const members = (await api.get(`${t.base}/Groups/${g}`)).body.members ?? [];
        expect(members.map((m: { value: string }) => m.value)).not.toContain(u);
      }
    }
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
  });
});
