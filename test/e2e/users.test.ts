import { createTestApp, scim, TestApp } from '../support/app';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let app: TestApp;
let t: Awaited<ReturnType<TestApp['tenant']>>;
let api: ReturnType<typeof scim>;

beforeAll(async () => {
  app = await createTestApp();
  // an Entra connection: these tests send what IdPs send ("False", "Replace", nulls)
  t = await app.tenant('Users Co', 'entra');
  api = scim(app, t.token);
});
afterAll(async () => app.close());

const entraUser = (userName: string, extra: Record<string, unknown> = {}) => ({
  schemas: [USER, ENT],
  externalId: `ext-${userName}`,
  userName,
  active: true,
  emails: [{ primary: true, type: 'work', value: userName }],
  meta: { resourceType: 'User' },
  name: { formatted: 'Barbara Jensen', familyName: 'Jensen', givenName: 'Barbara' },
  roles: [],
  [ENT]: { department: 'Tour Operations', employeeNumber: '701984' },
  ...extra,
});

async function create(userName: string, extra: Record<string, unknown> = {}) {
  const res = await api.post(`${t.base}/Users`, entraUser(userName, extra));
  expect(res.status).toBe(201);
  return res.body as Record<string, any>;
}

function expectScimError(res: { status: number; body: any }, status: number, scimType?: string) {
  expect(res.status).toBe(status);
  expect(res.body.schemas).toEqual([ERROR]);
  expect(res.body.status).toBe(String(status));
  if (scimType) expect(res.body.scimType).toBe(scimType);
  else expect(res.body.scimType).toBeUndefined();
  expect(typeof res.body.detail).toBe('string');
}

describe('POST /Users (RFC 7644 §3.3)', () => {
  it('creates a user: 201, Location, ETag, meta, scim+json, extension schema listed', async () => {
    const res = await api.post(`${t.base}/Users`, entraUser('bjensen@example.com'));
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
    const u = res.body;
    expect(u.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.location).toBe(`https://provisio.test/scim/v2/${t.slug}/Users/${u.id}`);
    expect(u.schemas).toEqual([USER, ENT]);
    expect(u.userName).toBe('bjensen@example.com');
    expect(u[ENT]).toEqual({ department: 'Tour Operations', employeeNumber: '701984' });
    expect(u.meta.resourceType).toBe('User');
    expect(u.meta.location).toBe(res.headers.location);
    expect(u.meta.version).toBe(res.headers.etag);
    expect(new Date(u.meta.created).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(u.meta.lastModified).toBe(u.meta.created);
    expect(u.roles).toBeUndefined(); // an empty list is an absent attribute
  });

  it('accepts plain application/json and Okta payloads with a password it never returns', async () => {
    const res = await api
      .post(`${t.base}/Users`)
      .set('Content-Type', 'application/json')
      .send({ schemas: [USER], userName: 'okta.user@example.com', password: 'S3cret!pass', name: { givenName: 'O', familyName: 'K' }, groups: [], active: true, locale: 'en-US' });
    expect(res.status).toBe(201);
    expect(res.body.password).toBeUndefined();
    const got = await api.get(`${t.base}/Users/${res.body.id}`);
    expect(got.body.password).toBeUndefined();
    expect(JSON.stringify(got.body)).not.toContain('S3cret');
  });

  it('is lenient with what IdPs send: "True" strings, unknown attributes, client id/meta/groups, nulls', async () => {
    const res = await api.post(`${t.base}/Users`, {
      schemas: [USER],
      id: 'client-chosen-id',
      meta: { created: '2001-01-01T00:00:00Z', version: 'W/"99"' },
      userName: 'lenient@example.com',
      active: 'False',
      title: null,
      nickName: null,
      favouriteColour: 'teal',
      groups: [{ value: 'some-group' }],
      name: { givenName: 'Len', familyName: null },
    });
    expect(res.status).toBe(201);
    const u = res.body;
    expect(u.id).not.toBe('client-chosen-id');
    expect(u.active).toBe(false);
    expect(u.meta.version).not.toBe('W/"99"');
    expect(new Date(u.meta.created).getFullYear()).toBeGreaterThan(2001);
    expect(u).not.toHaveProperty('title');
    expect(u).not.toHaveProperty('favouriteColour');
    expect(u).not.toHaveProperty('groups');
    expect(u.name).toEqual({ givenName: 'Len' });
  });

  it('accepts attribute names in any case and stores them canonically', async () => {
    const res = await api.post(`${t.base}/Users`, { schemas: [USER], USERNAME: 'casey@example.com', DisplayName: 'Casey' });
    expect(res.status).toBe(201);
    expect(res.body.userName).toBe('casey@example.com');
    expect(res.body.displayName).toBe('Casey');
  });

  it('409 uniqueness for an existing userName, case-insensitively (Okta posts the UPPERCASE form)', async () => {
    await create('dup@example.com');
    const res = await api.post(`${t.base}/Users`, entraUser('DUP@EXAMPLE.COM'));
    expectScimError(res, 409, 'uniqueness');
  });

  it('does not make externalId unique', async () => {
    const a = await create('ext-a@example.com', { externalId: 'shared' });
    const b = await create('ext-b@example.com', { externalId: 'shared' });
    expect(a.id).not.toBe(b.id);
  });

  it('of concurrent creates with one userName, exactly one wins and the rest get 409', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => api.post(`${t.base}/Users`, entraUser(i % 2 ? 'race@example.com' : 'RACE@example.com'))),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(11);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.scimType).toBe('uniqueness');
    const list = await api.get(`${t.base}/Users`).query({ filter: 'userName eq "race@example.com"' });
    expect(list.body.totalResults).toBe(1);
  });

  it.each([
    ['malformed JSON', '{"userName": ', 400, 'invalidSyntax'],
    ['a JSON array', '[1,2]', 400, 'invalidSyntax'],
    ['an empty body', '', 400, 'invalidSyntax'],
    ['missing userName', JSON.stringify({ schemas: [USER], name: { givenName: 'x' } }), 400, 'invalidValue'],
    ['userName of the wrong type', JSON.stringify({ schemas: [USER], userName: { a: 1 } }), 400, 'invalidValue'],
    ['active that is not a boolean', JSON.stringify({ schemas: [USER], userName: 'typed@example.com', active: 'maybe' }), 400, 'invalidValue'],
    ['emails that are not objects or a list', JSON.stringify({ schemas: [USER], userName: 'typed2@example.com', emails: [42] }), 400, 'invalidValue'],
    ['name that is not an object', JSON.stringify({ schemas: [USER], userName: 'typed3@example.com', name: 'Bob' }), 400, 'invalidValue'],
  ])('rejects %s with 400 and stores nothing', async (_label, raw, status, scimType) => {
    const before = (await api.get(`${t.base}/Users`).query({ count: 0 })).body.totalResults;
    const res = await api.post(`${t.base}/Users`).set('Content-Type', 'application/scim+json').send(raw);
    expectScimError(res, status, scimType);
    const after = (await api.get(`${t.base}/Users`).query({ count: 0 })).body.totalResults;
    expect(after).toBe(before);
  });

  it('413 for a body over the limit', async () => {
    const big = JSON.stringify({ schemas: [USER], userName: 'big@example.com', title: 'x'.repeat(app.config.maxBodyBytes + 10) });
    const res = await api.post(`${t.base}/Users`).set('Content-Type', 'application/scim+json').send(big);
    expectScimError(res, 413);
  });

  it('415 for a body that is not JSON', async () => {
    const res = await api.post(`${t.base}/Users`).set('Content-Type', 'text/plain').send('userName=x');
    expectScimError(res, 415);
  });
});

describe('GET /Users/{id} and /Users (RFC 7644 §3.4)', () => {
  let alice: Record<string, any>;
  beforeAll(async () => {
    alice = await create('alice.list@example.com', { externalId: 'alice-ext', displayName: 'Alice' });
  });

  it('returns the user with an ETag', async () => {
    const res = await api.get(`${t.base}/Users/${alice.id}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(res.headers.etag).toBe(alice.meta.version);
    expect(res.body).toEqual(alice);
  });

  it('404 for unknown ids, malformed ids and ids of another tenant', async () => {
    expectScimError(await api.get(`${t.base}/Users/00000000-0000-7000-8000-000000000000`), 404);
    expectScimError(await api.get(`${t.base}/Users/not-a-uuid`), 404);
    const other = await app.tenant('Other Co');
    const mine = await scim(app, other.token).post(`${other.base}/Users`, { schemas: [USER], userName: 'theirs@example.com' });
    expectScimError(await api.get(`${t.base}/Users/${mine.body.id}`), 404);
  });

  it('filters by userName (case-insensitive), externalId (exact) and id', async () => {
    const byName = await api.get(`${t.base}/Users`).query({ filter: 'userName eq "ALICE.LIST@example.com"' });
    expect(byName.status).toBe(200);
    expect(byName.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:ListResponse']);
    expect(byName.body.totalResults).toBe(1);
    expect(byName.body.Resources[0].id).toBe(alice.id);
    const byExt = await api.get(`${t.base}/Users`).query({ filter: 'externalId eq "alice-ext"' });
    expect(byExt.body.Resources.map((u: any) => u.id)).toEqual([alice.id]);
    const byExtCase = await api.get(`${t.base}/Users`).query({ filter: 'externalId eq "ALICE-EXT"' });
    expect(byExtCase.body.totalResults).toBe(0);
    const byId = await api.get(`${t.base}/Users`).query({ filter: `id eq "${alice.id}"` });
    expect(byId.body.Resources.map((u: any) => u.id)).toEqual([alice.id]);
  });

  it("answers Entra's test connection probe with an empty ListResponse", async () => {
    const res = await api.get(`${t.base}/Users`).query({ filter: 'userName eq "8a7b2c1e-0f3d-4e5a-9b6c-7d8e9f0a1b2c"' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 0,
      itemsPerPage: 0,
      startIndex: 1,
      Resources: [],
    });
  });

  it('400 invalidFilter for a bad filter', async () => {
    expectScimError(await api.get(`${t.base}/Users`).query({ filter: 'userName eq' }), 400, 'invalidFilter');
    expectScimError(await api.get(`${t.base}/Users`).query({ filter: 'noSuchAttribute eq "x"' }), 400, 'invalidFilter');
  });

  it('pages with startIndex/count: every user exactly once, exact totals, stable order', async () => {
    const p = await app.tenant('Paging Co');
    const papi = scim(app, p.token);
    for (let i = 0; i < 7; i++) expect((await papi.post(`${p.base}/Users`, { schemas: [USER], userName: `p${i}@example.com` })).status).toBe(201);
    const seen: string[] = [];
    for (let start = 1; start <= 7; start += 3) {
      const res = await papi.get(`${p.base}/Users`).query({ startIndex: start, count: 3 });
      expect(res.body.totalResults).toBe(7);
      expect(res.body.startIndex).toBe(start);
      expect(res.body.itemsPerPage).toBe(res.body.Resources.length);
      seen.push(...res.body.Resources.map((u: any) => u.userName));
    }
    expect(seen).toEqual(Array.from({ length: 7 }, (_, i) => `p${i}@example.com`));
    const zero = await papi.get(`${p.base}/Users`).query({ startIndex: -5, count: -1 });
    expect(zero.body).toMatchObject({ totalResults: 7, itemsPerPage: 0, startIndex: 1, Resources: [] });
    const beyond = await papi.get(`${p.base}/Users`).query({ startIndex: 100, count: 10 });
    expect(beyond.body).toMatchObject({ totalResults: 7, itemsPerPage: 0, startIndex: 100 });
  });
});

describe('PUT /Users/{id} (RFC 7644 §3.5.1)', () => {
  it('replaces the writable attributes and bumps the version', async () => {
    const u = await create('put.me@example.com', { title: 'Old title', nickName: 'Nick' });
    const res = await api.put(`${t.base}/Users/${u.id}`, { schemas: [USER], id: u.id, userName: 'put.me@example.com', title: 'New title', active: false });
    expect(res.status).toBe(200);
    expect(res.body.title).toBe('New title');
    expect(res.body.active).toBe(false);
    expect(res.body).not.toHaveProperty('nickName');
    expect(res.body).not.toHaveProperty(ENT);
    expect(res.body.meta.version).not.toBe(u.meta.version);
    expect(res.body.meta.created).toBe(u.meta.created);
    expect((await api.get(`${t.base}/Users/${u.id}`)).body).toEqual(res.body);
  });

  it('400 when the body id differs, 404 for unknown ids, 409 when renaming onto a taken userName', async () => {
    const u = await create('put.two@example.com');
    await create('put.taken@example.com');
    expectScimError(await api.put(`${t.base}/Users/${u.id}`, { schemas: [USER], id: '11111111-1111-7111-8111-111111111111', userName: 'x@example.com' }), 400, 'invalidValue');
    expectScimError(await api.put(`${t.base}/Users/00000000-0000-7000-8000-000000000000`, { schemas: [USER], userName: 'x@example.com' }), 404);
    expectScimError(await api.put(`${t.base}/Users/${u.id}`, { schemas: [USER], userName: 'PUT.TAKEN@example.com' }), 409, 'uniqueness');
    expect((await api.get(`${t.base}/Users/${u.id}`)).body.userName).toBe('put.two@example.com');
  });
});

describe('PATCH /Users/{id} (RFC 7644 §3.5.2)', () => {
  const patch = (id: string, Operations: unknown[]) => api.patch(`${t.base}/Users/${id}`, { schemas: [PATCH], Operations });

  it('replaces simple and sub-attributes, Entra style (capitalised ops, "False" strings)', async () => {
    const u = await create('patch.entra@example.com');
    const res = await patch(u.id, [
      { op: 'Replace', path: 'name.familyName', value: 'Smith' },
      { op: 'Replace', path: 'active', value: 'False' },
      { op: 'Add', path: `${ENT}:employeeNumber`, value: '42' },
    ]);
    expect(res.status).toBe(200);
    expect(res.body.name.familyName).toBe('Smith');
    expect(res.body.name.givenName).toBe('Barbara');
    expect(res.body.active).toBe(false);
    expect(res.body[ENT].employeeNumber).toBe('42');
    expect(res.headers.etag).toBe(res.body.meta.version);
    expect(res.body.meta.version).not.toBe(u.meta.version);
    const filtered = await api.get(`${t.base}/Users`).query({ filter: 'userName eq "patch.entra@example.com"' });
    expect(filtered.body.Resources[0].active).toBe(false);
  });

  it('applies a path-less replace with an object (Okta deactivation) and dotted/URN keys (Entra)', async () => {
    const u = await create('patch.okta@example.com');
    const okta = await patch(u.id, [{ op: 'replace', value: { active: false } }]);
    expect(okta.body.active).toBe(false);
    const entra = await patch(u.id, [
      { op: 'replace', value: { displayName: 'Barb', 'name.givenName': 'Barbie', [`${ENT}:department`]: 'Sales' } },
    ]);
    expect(entra.status).toBe(200);
    expect(entra.body.displayName).toBe('Barb');
    expect(entra.body.name.givenName).toBe('Barbie');
    expect(entra.body[ENT].department).toBe('Sales');
  });

  it('adds to and removes from complex and multi-valued attributes', async () => {
    const u = await create('patch.multi@example.com');
    const added = await patch(u.id, [{ op: 'add', path: 'emails', value: [{ type: 'home', value: 'home@example.com' }] }]);
    expect(added.body.emails).toHaveLength(2);
    const removed = await patch(u.id, [{ op: 'remove', path: 'emails[type eq "home"]' }, { op: 'remove', path: 'name.formatted' }]);
    expect(removed.body.emails.map((e: any) => e.type)).toEqual(['work']);
    expect(removed.body.name.formatted).toBeUndefined();
    const work = await patch(u.id, [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'new@example.com' }]);
    expect(work.body.emails).toEqual([{ primary: true, type: 'work', value: 'new@example.com' }]);
  });

  it('is atomic: a failing operation leaves the user as it was', async () => {
    const u = await create('patch.atomic@example.com');
    const res = await patch(u.id, [
      { op: 'replace', path: 'title', value: 'Changed' },
      { op: 'replace', path: 'active', value: 'not-a-boolean' },
    ]);
    expectScimError(res, 400, 'invalidValue');
    const got = await api.get(`${t.base}/Users/${u.id}`);
    expect(got.body).toEqual(u);
  });

  it.each([
    ['remove without a path', [{ op: 'remove' }], 'noTarget'],
    ['an unknown op', [{ op: 'copy', path: 'title', value: 'x' }], 'invalidSyntax'],
    ['a malformed path', [{ op: 'replace', path: 'emails[type eq', value: 'x' }], 'invalidPath'],
    ['a readOnly attribute', [{ op: 'replace', path: 'groups', value: [{ value: 'g' }] }], 'mutability'],
    ['removing userName', [{ op: 'remove', path: 'userName' }], undefined],
  ])('400 for %s', async (_label, ops, scimType) => {
    const u = await create(`patch.err.${Math.random().toString(36).slice(2)}@example.com`);
    const res = await patch(u.id, ops);
    expect(res.status).toBe(400);
    expect(res.body.schemas).toEqual([ERROR]);
    if (scimType) expect(res.body.scimType).toBe(scimType);
    expect((await api.get(`${t.base}/Users/${u.id}`)).body).toEqual(u);
  });

  it('400 invalidSyntax when Operations is missing, 404 for an unknown id', async () => {
    const u = await create('patch.syntax@example.com');
    expectScimError(await api.patch(`${t.base}/Users/${u.id}`, { schemas: [PATCH] }), 400, 'invalidSyntax');
    expectScimError(await patch('00000000-0000-7000-8000-000000000000', [{ op: 'replace', path: 'title', value: 'x' }]), 404);
  });

  it('409 when a PATCH renames onto a taken userName', async () => {
    await create('patch.taken@example.com');
    const u = await create('patch.rename@example.com');
    expectScimError(await patch(u.id, [{ op: 'replace', path: 'userName', value: 'Patch.Taken@example.com' }]), 409, 'uniqueness');
  });
});

describe('DELETE /Users/{id} (RFC 7644 §3.6) and tombstones', () => {
  it('answers 204, then 404 everywhere, and the user is gone from lists', async () => {
    const u = await create('gone@example.com');
    const del = await api.delete(`${t.base}/Users/${u.id}`);
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    expectScimError(await api.get(`${t.base}/Users/${u.id}`), 404);
    expectScimError(await api.delete(`${t.base}/Users/${u.id}`), 404);
    expectScimError(await api.patch(`${t.base}/Users/${u.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: 'x' }] }), 404);
    const list = await api.get(`${t.base}/Users`).query({ filter: 'userName eq "gone@example.com"' });
    expect(list.body.totalResults).toBe(0);
    const rows = await app.orm.em.fork().getConnection().execute('select active, deleted_at from scim_user where id = ?', [u.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].active).toBe(false);
    expect(rows[0].deleted_at).not.toBeNull();
  });

  it('a later POST with the same userName restores the user under its old id', async () => {
    const u = await create('comeback@example.com');
    await api.delete(`${t.base}/Users/${u.id}`);
    const again = await api.post(`${t.base}/Users`, entraUser('Comeback@example.com', { title: 'Returned' }));
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(u.id);
    expect(again.body.title).toBe('Returned');
    expect(again.body.userName).toBe('Comeback@example.com');
    expect(again.body.meta.version).not.toBe(u.meta.version);
    expect((await api.get(`${t.base}/Users/${u.id}`)).status).toBe(200);
  });

  it('a later POST with the same externalId and a new userName restores the user too', async () => {
    const u = await create('renamed.before@example.com', { externalId: 'stable-object-id' });
    await api.delete(`${t.base}/Users/${u.id}`);
    const again = await api.post(`${t.base}/Users`, entraUser('renamed.after@example.com', { externalId: 'stable-object-id' }));
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(u.id);
    expect(again.body.userName).toBe('renamed.after@example.com');
  });

  it('a tombstone does not block another user from taking its userName by rename', async () => {
    const old = await create('freed@example.com');
    await api.delete(`${t.base}/Users/${old.id}`);
    const other = await create('taker@example.com');
    const res = await api.patch(`${t.base}/Users/${other.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'userName', value: 'freed@example.com' }] });
    expect(res.status).toBe(200);
    expect(res.body.userName).toBe('freed@example.com');
  });
});

describe('sorting (RFC 7644 §3.4.2.3)', () => {
  it('sorts by singular, sub- and extension attributes in SQL, with ties and paging stable', async () => {
    const s = await app.tenant('Sorting Co');
    const sapi = scim(app, s.token);
    const people = [
      ['carol@example.com', 'Zeta', '3'],
      ['Alice@example.com', 'alpha', '1'],
      ['bob@example.com', 'Mu', '2'],
      ['dave@example.com', undefined, undefined],
    ] as const;
    for (const [userName, familyName, employeeNumber] of people) {
      const body: Record<string, unknown> = { schemas: [USER], userName };
      if (familyName) body.name = { familyName };
      if (employeeNumber) body[ENT] = { employeeNumber };
      expect((await sapi.post(`${s.base}/Users`, body)).status).toBe(201);
    }
    const names = async (q: Record<string, string | number>) =>
      (await sapi.get(`${s.base}/Users`).query(q)).body.Resources.map((u: any) => u.userName);
    expect(await names({ sortBy: 'userName' })).toEqual(['Alice@example.com', 'bob@example.com', 'carol@example.com', 'dave@example.com']);
    expect(await names({ sortBy: 'USERNAME', sortOrder: 'Descending' })).toEqual(['dave@example.com', 'carol@example.com', 'bob@example.com', 'Alice@example.com']);
    // an empty sortOrder is the default (as an empty sortBy is no sort), not a 400
    expect(await names({ sortBy: 'userName', sortOrder: '' })).toEqual(['Alice@example.com', 'bob@example.com', 'carol@example.com', 'dave@example.com']);
    expect(await names({ sortBy: 'userName', sortOrder: ' descending ' })).toEqual(['dave@example.com', 'carol@example.com', 'bob@example.com', 'Alice@example.com']);
    // case-insensitive order; the user without a familyName sorts last
    expect(await names({ sortBy: 'name.familyName' })).toEqual(['Alice@example.com', 'bob@example.com', 'carol@example.com', 'dave@example.com']);
    expect(await names({ sortBy: `${ENT}:employeeNumber`, sortOrder: 'descending' })).toEqual(['carol@example.com', 'bob@example.com', 'Alice@example.com', 'dave@example.com']);
    expect(await names({ sortBy: 'meta.created' })).toEqual(people.map((p) => p[0]));
    const paged = [...(await names({ sortBy: 'userName', count: 2 })), ...(await names({ sortBy: 'userName', count: 2, startIndex: 3 }))];
    expect(paged).toEqual(await names({ sortBy: 'userName' }));
  });

  it('400 for an unknown sortBy or a bad sortOrder', async () => {
    expectScimError(await api.get(`${t.base}/Users`).query({ sortBy: 'noSuchThing' }), 400, 'invalidValue');
    expectScimError(await api.get(`${t.base}/Users`).query({ sortBy: 'name' }), 400, 'invalidValue');
    expectScimError(await api.get(`${t.base}/Users`).query({ sortBy: 'userName', sortOrder: 'sideways' }), 400, 'invalidValue');
  });
});

describe('POST /Users/.search (RFC 7644 §3.4.3)', () => {
  it('runs a SearchRequest body like the equivalent GET', async () => {
    const s = await app.tenant('Search Co');
    const sapi = scim(app, s.token);
    for (const n of ['s1', 's2', 's3']) expect((await sapi.post(`${s.base}/Users`, { schemas: [USER], userName: `${n}@example.com`, title: n })).status).toBe(201);
    const res = await sapi.post(`${s.base}/Users/.search`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: 'userName sw "s"',
      sortBy: 'userName',
      sortOrder: 'descending',
      startIndex: 1,
      count: 2,
      attributes: ['userName'],
    });
    expect(res.status).toBe(200);
    expect(res.body.totalResults).toBe(3);
    expect(res.body.Resources).toEqual([
      { schemas: [USER], id: expect.any(String), userName: 's3@example.com' },
      { schemas: [USER], id: expect.any(String), userName: 's2@example.com' },
    ]);
    expectScimError(await sapi.post(`${s.base}/Users/.search`, { filter: 'userName zz "x"' }), 400, 'invalidFilter');
    expectScimError(await sapi.post(`${s.base}/Users/.search`, [1]), 400, 'invalidSyntax');
  });
});
