import { createGqlTestApp, GqlTestApp } from '../e2e/graphql-helpers';
import { scim } from '../support/app';
import { expectScimError, PATCH_OP, snapshot, type Tenant, USER } from './helpers';
import { userNameKey } from '../../src/domain/user/username';

/**
 * Issue 13 item 6: "café" in NFC and NFD, fullwidth letters, ligatures, case, zero-width and
 * leading spaces made distinct, identical-looking users. userName is now compared by its RFC 8265
 * UsernameCaseMapped key (its own indexed column), kept as sent, and invisible characters and
 * surrounding spaces are refused.
 */
let app: GqlTestApp;
let a: Tenant;
let b: Tenant;

beforeAll(async () => {
  app = await createGqlTestApp();
  a = await app.tenant('Names A');
  b = await app.tenant('Names B');
});
afterAll(async () => app.close());

const create = (t: Tenant, userName: string) => scim(app, t.token).post(`${t.base}/Users`, { schemas: [USER], userName });
const eq = (t: Tenant, userName: string) => scim(app, t.token).get(`${t.base}/Users?filter=${encodeURIComponent(`userName eq ${JSON.stringify(userName)}`)}`);

describe('one user per name as people read it', () => {
  it.each([
    ['NFC vs NFD', 'Caf\u00e9@example.com', 'Cafe\u0301@example.com'],
    ['case', 'john.doe@example.com', 'JOHN.DOE@EXAMPLE.COM'],
    ['fullwidth letters and punctuation', 'jane.roe@example.com', '\uff4a\uff41\uff4e\uff45\uff0e\uff52\uff4f\uff45@example.com'],
    ['a ligature', 'finn@example.com', '\ufb01nn@example.com'],
    ['fullwidth capitals of an NFD name', '\u00c5sa@example.com', '\uff21\u030asa@example.com'],
  ])('%s: the second is 409 uniqueness, the first stays as sent, eq finds it by either spelling', async (_case, first, second) => {
    const made = await create(a, first);
    expect(made.status).toBe(201);
    expect(made.body.userName).toBe(first); // kept as sent, not normalised
    const before = await snapshot(app, a.id);
    expectScimError(await create(a, second), 409, 'uniqueness');
    expect(await snapshot(app, a.id)).toEqual(before);
    for (const spelling of [first, second]) {
      const found = await eq(a, spelling);
      expect(found.status).toBe(200);
      expect(found.body.Resources.map((u: { id: string }) => u.id)).toEqual([made.body.id]);
    }
    // another tenant holds its own names
    expect((await create(b, second)).status).toBe(201);
  });

  it('a rename onto a name that reads the same as another user is 409, nothing changed', async () => {
    const x = await create(a, 'rename.src@example.com');
    await create(a, 'Rename.Target@example.com');
    const before = await snapshot(app, a.id);
    const res = await scim(app, a.token).patch(`${a.base}/Users/${x.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'userName', value: '\uff32ename.target@example.com' }],
    });
    expectScimError(res, 409, 'uniqueness');
    expect(await snapshot(app, a.id)).toEqual(before);
  });

  it('a deleted user is restored by a create of its name in another spelling (same key)', async () => {
    const made = await create(a, 'Ren\u00e9e@example.com');
    expect((await scim(app, a.token).delete(`${a.base}/Users/${made.body.id}`)).status).toBe(204);
    const again = await create(a, 'RENE\u0301E@example.com');
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(made.body.id);
    expect(again.body.userName).toBe('RENE\u0301E@example.com');
  });
});

describe('invisible characters and surrounding spaces are refused in userName', () => {
  it.each([
    ['a zero-width space', 'zero\u200bwidth@example.com'],
    ['a zero-width joiner', 'jo\u200dined@example.com'],
    ['a soft hyphen', 'soft\u00adhyphen@example.com'],
    ['a bidi override', 'bidi\u202e@example.com'],
    ['a byte order mark', '\ufeffbom@example.com'],
    ['a control character', 'tab\there@example.com'],
    ['a leading space', ' lead@example.com'],
    ['a trailing space', 'trail@example.com '],
    ['a leading no-break space', '\u00a0nbsp@example.com'],
    ['a trailing ideographic space', 'ideo@example.com\u3000'],
  ])('%s: POST, PUT and PATCH are 400 invalidValue naming userName, nothing changed', async (_case, bad) => {
    const ok = await create(a, `ok-${userNameKey(bad).replace(/[^a-z]/g, '')}-${Math.random()}@example.com`);
    expect(ok.status).toBe(201);
    const before = await snapshot(app, a.id);
    for (const res of [
      await create(a, bad),
      await scim(app, a.token).put(`${a.base}/Users/${ok.body.id}`, { schemas: [USER], userName: bad }),
      await scim(app, a.token).patch(`${a.base}/Users/${ok.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'userName', value: bad }] }),
    ]) {
      expectScimError(res, 400, 'invalidValue');
      expect(res.body.detail).toContain('"userName"');
    }
    expect(await snapshot(app, a.id)).toEqual(before);
  });

  it('spaces inside a name and visible non-ASCII letters stay accepted', async () => {
    for (const name of ['Mary Ann Smith', 'Ærøskøbing', '山田太郎', 'Ελένη']) expect((await create(a, name)).status).toBe(201);
  });
});

describe('the migration backfills keys and reports collisions instead of failing', () => {
  it('existing users get their key; colliding live users are flagged, not fatal; the unique index then holds', async () => {
    const legacy = await app.tenant('Legacy Names');
    const tenantId = legacy.id;
    const migrator = app.orm.getMigrator();
    const executed = (await migrator.getExecutedMigrations()).map((m) => m.name).sort();
    const mine = executed.find((n) => /^Migration20261127151155/.test(n))!;
    expect(mine).toBeDefined();
    // only this migration is reverted and rerun (later ones, such as the partitioning, cannot be reverted)
    await migrator.down({ migrations: [mine] });
    const conn = app.orm.em.fork().getConnection();
    const insert = (userName: string, minutesAgo: number, deleted = false) =>
      conn.execute(
        `insert into scim_user (id, tenant_id, user_name, active, attributes, version, created_at, updated_at, deleted_at)
         values (gen_random_uuid(), ?, ?, true, ?, 1, now() - make_interval(mins => ?), now(), ${deleted ? 'now()' : 'null'}) returning id`,
        [tenantId, userName, JSON.stringify({ userName }), minutesAgo],
      );
    const [older] = await insert('Caf\u00e9', 30);
    const [newer] = await insert('cafe\u0301', 20);
    const [wide] = await insert('\uff23\uff21\uff26\uff25\u0301', 10);
    const [gone] = await insert('CAF\u00c9', 40, true); // a tombstone never conflicts
    const [alone] = await insert('solo', 5);
    await migrator.up({ migrations: [mine] });
    const rows = await conn.execute(`select id, user_name_key, user_name_conflict from scim_user where tenant_id = ? order by created_at`, [tenantId]);
    const byId = new Map(rows.map((r: { id: string }) => [r.id, r]));
    expect(byId.get(older.id)).toMatchObject({ user_name_key: 'caf\u00e9', user_name_conflict: false });
    expect(byId.get(newer.id)).toMatchObject({ user_name_key: 'caf\u00e9', user_name_conflict: true });
    expect(byId.get(wide.id)).toMatchObject({ user_name_key: 'caf\u00e9', user_name_conflict: true });
    expect(byId.get(gone.id)).toMatchObject({ user_name_key: 'caf\u00e9', user_name_conflict: false });
    expect(byId.get(alone.id)).toMatchObject({ user_name_key: 'solo', user_name_conflict: false });
    // the report: flagged users, listed by one query
    const flagged = await conn.execute(`select id from scim_user where tenant_id = ? and user_name_conflict order by created_at`, [tenantId]);
    expect(flagged.map((r: { id: string }) => r.id)).toEqual([newer.id, wide.id]);
    // from now on the key is unique among unflagged live users: a new "café" is refused
    expectScimError(await create(legacy, 'CAFÉ'), 409, 'uniqueness');
    // a flagged user renamed to a free name is an ordinary user again
    const renamed = await scim(app, legacy.token).patch(`${legacy.base}/Users/${newer.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'userName', value: 'cafe2' }] });
    expect(renamed.status).toBe(200);
    const [after] = await conn.execute(`select user_name_conflict from scim_user where id = ?`, [newer.id]);
    expect(after.user_name_conflict).toBe(false);
  });
});
