import { createTestApp, scim, TestApp } from '../support/app';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTRA_GROUP = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let app: TestApp;
let t: Awaited<ReturnType<TestApp['tenant']>>;
let api: ReturnType<typeof scim>;

beforeAll(async () => {
  app = await createTestApp();
  // an Entra connection: these tests replay IdP dialects (capitalised ops, Okta's id in a value)
  t = await app.tenant('Groups Co', 'entra', { deletePolicy: 'delete' }); // the suite was written for the delete policy (user.deleted, memberships removed)
  api = scim(app, t.token);
});
afterAll(async () => app.close());

let seq = 0;
async function user(name = `member${seq++}@example.com`): Promise<string> {
  const res = await api.post(`${t.base}/Users`, { schemas: [USER], userName: name, displayName: name.split('@')[0] });
  expect(res.status).toBe(201);
  return res.body.id;
}
async function users(n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await user());
  return out;
}
async function group(displayName: string, members: string[] = []): Promise<Record<string, any>> {
  const res = await api.post(`${t.base}/Groups`, { schemas: [GROUP], displayName, members: members.map((value) => ({ value })) });
  expect(res.status).toBe(201);
  return res.body;
}
const patch = (id: string, Operations: unknown[], query = '') => api.patch(`${t.base}/Groups/${id}${query}`, { schemas: [PATCH], Operations });
const memberIds = async (id: string) =>
  ((await api.get(`${t.base}/Groups/${id}`)).body.members ?? []).map((m: any) => m.value).sort();

describe('Group resources (RFC 7643 §4.2)', () => {
  it('creates with members and returns value, $ref, display and type', async () => {
    const [a, b] = await users(2);
    const g = await group('Engineering', [a, b]);
    expect(g.schemas).toEqual([GROUP]);
    expect(g.meta).toMatchObject({ resourceType: 'Group', location: `https://provisio.test/scim/v2/${t.slug}/Groups/${g.id}` });
    expect(g.members).toHaveLength(2);
    expect(g.members[0]).toEqual({ value: expect.any(String), $ref: `https://provisio.test/scim/v2/${t.slug}/Users/${g.members[0].value}`, display: expect.any(String), type: 'User' });
    const u = (await api.get(`${t.base}/Users/${a}`)).body;
    expect(u.groups).toEqual([{ value: g.id, $ref: `https://provisio.test/scim/v2/${t.slug}/Groups/${g.id}`, display: 'Engineering', type: 'direct' }]);
  });

  it('displayName is not unique (RFC 7643 §4.2): two "Sales" with different externalIds coexist, displayName eq finds both', async () => {
    const a = await api.post(`${t.base}/Groups`, { schemas: [GROUP], displayName: 'Sales', externalId: 'aad-sales-emea' });
    const b = await api.post(`${t.base}/Groups`, { schemas: [GROUP], displayName: 'SALES', externalId: 'aad-sales-us' });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.id).not.toBe(b.body.id);
    const found = await api.get(`${t.base}/Groups`).query({ filter: 'displayName eq "sales"', excludedAttributes: 'members' });
    expect(found.body.totalResults).toBe(2);
    expect(found.body.Resources.map((g: { externalId: string }) => g.externalId).sort()).toEqual(['aad-sales-emea', 'aad-sales-us']);
    const byExternal = await api.get(`${t.base}/Groups`).query({ filter: 'externalId eq "aad-sales-us"' });
    expect(byExternal.body.Resources.map((g: { id: string }) => g.id)).toEqual([b.body.id]);
    // a rename onto a name in use is no conflict either
    const c = await group('Marketing');
    expect((await patch(c.id, [{ op: 'replace', path: 'displayName', value: 'Sales' }])).status).toBe(204);
    expect((await api.get(`${t.base}/Groups`).query({ filter: 'displayName eq "Sales"' })).body.totalResults).toBe(3);
  });

  it('rejects unknown, malformed and cross-tenant member ids with 400 invalidValue and stores nothing', async () => {
    const other = await app.tenant('Other Groups Co');
    const foreign = (await scim(app, other.token).post(`${other.base}/Users`, { schemas: [USER], userName: 'foreign@example.com' })).body.id;
    const mine = await user();
    for (const bad of [foreign, '00000000-0000-7000-8000-000000000000', 'not-an-id']) {
      const res = await api.post(`${t.base}/Groups`, { schemas: [GROUP], displayName: `Bad ${bad}`, members: [{ value: mine }, { value: bad }] });
      expect(res.status).toBe(400);
      expect(res.body.scimType).toBe('invalidValue');
      const list = await api.get(`${t.base}/Groups`).query({ filter: `displayName eq "Bad ${bad}"` });
      expect(list.body.totalResults).toBe(0);
    }
    const g = await group('Valid', [mine]);
    const res = await patch(g.id, [{ op: 'add', path: 'members', value: [{ value: foreign }] }]);
    expect(res.status).toBe(400);
    expect(await memberIds(g.id)).toEqual([mine]);
  });

  it('excludedAttributes=members leaves members out of GET and list; attributes=id keeps only id', async () => {
    const [a] = await users(1);
    const g = await group('Excluded', [a]);
    const one = await api.get(`${t.base}/Groups/${g.id}`).query({ excludedAttributes: 'members' });
    expect(one.body.members).toBeUndefined();
    expect(one.body.displayName).toBe('Excluded');
    const list = await api.get(`${t.base}/Groups`).query({ excludedAttributes: 'members', filter: 'displayName eq "Excluded"' });
    expect(list.body.Resources).toHaveLength(1);
    expect(list.body.Resources[0].members).toBeUndefined();
    const ids = await api.get(`${t.base}/Groups`).query({ attributes: 'id', filter: 'displayName eq "excluded"' });
    expect(ids.body.Resources).toEqual([{ schemas: [GROUP], id: g.id }]);
  });
});

describe('membership PATCH as set operations (RFC 7644 §3.5.2)', () => {
  it('add is idempotent; remove by filter, by value (Entra) and all; replace sets the list', async () => {
    const [a, b, c, d] = await users(4);
    const g = await group('Patchable', [a]);
    expect((await patch(g.id, [{ op: 'add', path: 'members', value: [{ value: a }, { value: b }] }])).status).toBe(204);
    expect(await memberIds(g.id)).toEqual([a, b].sort());
    expect((await patch(g.id, [{ op: 'add', path: 'members', value: [{ value: b }] }])).status).toBe(204);
    expect(await memberIds(g.id)).toEqual([a, b].sort());

    await patch(g.id, [{ op: 'remove', path: `members[value eq "${a}"]` }]);
    expect(await memberIds(g.id)).toEqual([b]);
    await patch(g.id, [{ op: 'remove', path: 'members[value eq "00000000-0000-7000-8000-000000000000"]' }]);
    expect(await memberIds(g.id)).toEqual([b]); // a filter naming nobody removes nobody

    await patch(g.id, [{ op: 'Add', path: 'members', value: [{ $ref: null, value: c }, { $ref: null, value: d }] }]);
    await patch(g.id, [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: c }] }]);
    expect(await memberIds(g.id)).toEqual([b, d].sort());

    await patch(g.id, [{ op: 'replace', path: 'members', value: [{ value: a }, { value: c }] }]);
    expect(await memberIds(g.id)).toEqual([a, c].sort());

    await patch(g.id, [{ op: 'remove', path: 'members' }]);
    expect(await memberIds(g.id)).toEqual([]);
  });

  it('applies several operations in order, atomically', async () => {
    const [a, b] = await users(2);
    const g = await group('Atomic', [a]);
    const ok = await patch(g.id, [
      { op: 'remove', path: `members[value eq "${a}"]` },
      { op: 'add', path: 'members', value: [{ value: a }, { value: b }] },
      { op: 'replace', path: 'displayName', value: 'Atomic Renamed' },
    ]);
    expect(ok.status).toBe(204);
    expect(await memberIds(g.id)).toEqual([a, b].sort());
    const before = (await api.get(`${t.base}/Groups/${g.id}`)).body;
    const bad = await patch(g.id, [
      { op: 'remove', path: 'members' },
      { op: 'add', path: 'members', value: [{ value: '00000000-0000-7000-8000-000000000000' }] },
    ]);
    expect(bad.status).toBe(400);
    expect((await api.get(`${t.base}/Groups/${g.id}`)).body).toEqual(before);
  });

  it('answers 200 with the projected group when attributes are asked for, and bumps the version', async () => {
    const [a] = await users(1);
    const g = await group('With Body');
    const res = await patch(g.id, [{ op: 'add', path: 'members', value: [{ value: a }] }], '?attributes=members');
    expect(res.status).toBe(200);
    expect(res.body.members.map((m: any) => m.value)).toEqual([a]);
    expect(res.headers.etag).not.toBe(g.meta.version);
  });

  it('keeps every member when 40 PATCHes add different members concurrently', async () => {
    const ids = await users(40);
    const g = await group('Concurrent');
    const results = await Promise.all(ids.map((id) => patch(g.id, [{ op: 'add', path: 'members', value: [{ value: id }] }])));
    expect(results.map((r) => r.status)).toEqual(ids.map(() => 204));
    expect(await memberIds(g.id)).toEqual([...ids].sort());
    const version = (await api.get(`${t.base}/Groups/${g.id}`)).body.meta.version;
    expect(version).toBe('W/"41"');
  });
});

describe('deletes', () => {
  it('deleting a user removes its memberships and bumps the group version; restoring does not bring them back', async () => {
    const a = await user('leaver@example.com');
    const g = await group('Leavers', [a]);
    expect((await api.delete(`${t.base}/Users/${a}`)).status).toBe(204);
    const after = (await api.get(`${t.base}/Groups/${g.id}`)).body;
    expect(after.members).toBeUndefined();
    expect(after.meta.version).not.toBe(g.meta.version);
    const back = await api.post(`${t.base}/Users`, { schemas: [USER], userName: 'leaver@example.com' });
    expect(back.body.id).toBe(a);
    expect(back.body.groups).toBeUndefined();
    expect(await memberIds(g.id)).toEqual([]);
  });

  it('deleting a group removes it and its memberships', async () => {
    const a = await user();
    const g = await group('Doomed', [a]);
    expect((await api.delete(`${t.base}/Groups/${g.id}`)).status).toBe(204);
    expect((await api.get(`${t.base}/Groups/${g.id}`)).status).toBe(404);
    expect((await api.get(`${t.base}/Users/${a}`)).body.groups).toBeUndefined();
  });
});

describe('filters that IdPs use on groups', () => {
  it('displayName, externalId, members[value eq], members.value eq, and the Entra membership probe', async () => {
    const [a, b] = await users(2);
    const g = await group('Filterable', [a]);
    await api.patch(`${t.base}/Groups/${g.id}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'externalId', value: 'grp-ext-1' }] });
    const q = async (filter: string, extra: Record<string, string> = {}) =>
      (await api.get(`${t.base}/Groups`).query({ filter, ...extra })).body.Resources.map((r: any) => r.id);
    expect(await q('displayName eq "FILTERABLE"')).toEqual([g.id]);
    expect(await q('externalId eq "grp-ext-1"')).toEqual([g.id]);
    expect(await q(`members[value eq "${a}"]`)).toEqual([g.id]);
    expect(await q(`members.value eq "${a}"`)).toEqual([g.id]);
    expect(await q(`members[value eq "${b}"]`)).toEqual([]);
    const probe = await api.get(`${t.base}/Groups`).query({ filter: `id eq "${g.id}" and members[value eq "${a}"]`, attributes: 'id' });
    expect(probe.body.Resources).toEqual([{ schemas: [GROUP], id: g.id }]);
    expect((await api.get(`${t.base}/Groups`).query({ filter: `id eq "${g.id}" and members[value eq "${b}"]` })).body.totalResults).toBe(0);
  });
});

describe('IdP replay: Okta group push and Entra ID group provisioning', () => {
  it('Okta: create, look up by displayName, rename with id in the value, mixed member PATCH, full replace, delete', async () => {
    const [a, b, c] = await users(3);
    const created = await api.post(`${t.base}/Groups`, { schemas: [GROUP], displayName: 'Okta Push', members: [] });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const found = await api.get(`${t.base}/Groups`).query({ filter: 'displayName eq "Okta Push"', startIndex: 1, count: 100 });
    expect(found.body.Resources[0].id).toBe(id);
    const rename = await patch(id, [{ op: 'replace', value: { id, displayName: 'Okta Push Renamed' } }]);
    expect(rename.status).toBe(204);
    expect((await api.get(`${t.base}/Groups/${id}`)).body.displayName).toBe('Okta Push Renamed');
    await patch(id, [{ op: 'add', path: 'members', value: [{ value: a, display: 'a' }, { value: b, display: 'b' }] }]);
    const mixed = await patch(id, [
      { op: 'remove', path: `members[value eq "${a}"]` },
      { op: 'add', path: 'members', value: [{ value: c, display: 'c' }] },
    ]);
    expect(mixed.status).toBe(204);
    expect(await memberIds(id)).toEqual([b, c].sort());
    await patch(id, [{ op: 'replace', path: 'members', value: [{ value: a }] }]);
    expect(await memberIds(id)).toEqual([a]);
    const put = await api.put(`${t.base}/Groups/${id}`, { schemas: [GROUP], id, displayName: 'Okta Push Renamed', members: [{ value: b }, { value: c }] });
    expect(put.status).toBe(200);
    expect(put.body.members.map((m: any) => m.value).sort()).toEqual([b, c].sort());
    const wrongId = await patch(id, [{ op: 'replace', value: { id: '00000000-0000-7000-8000-000000000000', displayName: 'x' } }]);
    expect(wrongId.status).toBe(400);
    expect((await api.delete(`${t.base}/Groups/${id}`)).status).toBe(204);
  });

  it('Entra: create with its group schema, probe, rename, add/remove members as it sends them', async () => {
    const [a, b] = await users(2);
    const created = await api.post(`${t.base}/Groups`, { schemas: [GROUP, ENTRA_GROUP], externalId: 'entra-obj-1', displayName: 'Entra Group', meta: { resourceType: 'Group' } });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const read = await api.get(`${t.base}/Groups/${id}`).query({ excludedAttributes: 'members' });
    expect(read.status).toBe(200);
    const lookup = await api.get(`${t.base}/Groups`).query({ excludedAttributes: 'members', filter: 'displayName eq "Entra Group"' });
    expect(lookup.body.totalResults).toBe(1);
    expect((await patch(id, [{ op: 'Replace', path: 'displayName', value: 'Entra Group 2' }])).status).toBe(204);
    expect((await patch(id, [{ op: 'Add', path: 'members', value: [{ $ref: null, value: a }, { $ref: null, value: b }] }])).status).toBe(204);
    const probe = await api.get(`${t.base}/Groups`).query({ filter: `id eq "${id}" and members[value eq "${a}"]`, attributes: 'id' });
    expect(probe.body.totalResults).toBe(1);
    expect((await patch(id, [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: a }] }])).status).toBe(204);
    expect((await patch(id, [{ op: 'remove', path: `members[value eq "${b}"]` }])).status).toBe(204);
    expect(await memberIds(id)).toEqual([]);
    expect((await api.delete(`${t.base}/Groups/${id}`)).status).toBe(204);
  });
});

describe('size', () => {
  it('adds 10,000 members in one PATCH, then reads, probes and removes them', async () => {
    // users are seeded in SQL: this test is about the PATCH, not about 10,000 POSTs
    const em = app.orm.em.fork();
    const rows: { id: string }[] = await em.getConnection().execute(
      `insert into scim_user (id, tenant_id, user_name, user_name_key, active, attributes, version, created_at, updated_at)
       select gen_random_uuid(), ?, 'bulk' || n || '@example.com', 'bulk' || n || '@example.com', true,
              jsonb_build_object('userName', 'bulk' || n || '@example.com', 'active', true), 1, now(), now()
         from generate_series(1, 10000) n
       returning id`,
      [t.id],
    );
    const ids = rows.map((r) => r.id);
    const g = await group('Ten Thousand');
    const body = { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }] };
    expect(JSON.stringify(body).length).toBeLessThan(app.config.maxBodyBytes);
    const res = await api.patch(`${t.base}/Groups/${g.id}`, body);
    expect(res.status).toBe(204);
    const [{ n }] = await em.getConnection().execute('select count(*)::int as n from group_member where group_id = ?', [g.id]);
    expect(n).toBe(10_000);
    const full = await api.get(`${t.base}/Groups/${g.id}`);
    expect(full.body.members).toHaveLength(10_000);
    const light = await api.get(`${t.base}/Groups/${g.id}`).query({ excludedAttributes: 'members' });
    expect(light.body.members).toBeUndefined();
    const probe = await api.get(`${t.base}/Groups`).query({ filter: `id eq "${g.id}" and members[value eq "${ids[9_999]}"]`, attributes: 'id' });
    expect(probe.body.totalResults).toBe(1);
    const removed = await patch(g.id, [{ op: 'remove', path: 'members', value: ids.slice(0, 5_000).map((value) => ({ value })) }]);
    expect(removed.status).toBe(204);
    const [{ left }] = await em.getConnection().execute('select count(*)::int as left from group_member where group_id = ?', [g.id]);
    expect(left).toBe(5_000);
  });
});
