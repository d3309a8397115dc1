import { createTestApp, scim, TestApp } from '../support/app';

/** RFC 7644 §3.5.1 PUT, as the catalogue describes it, on Users and Groups (strict RFC client). */
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

let app: TestApp;
let t: Awaited<ReturnType<TestApp['tenant']>>;
let api: ReturnType<typeof scim>;
let X: string;

beforeAll(async () => {
  app = await createTestApp();
  t = await app.tenant('Put Co');
  api = scim(app, t.token);
  const ctx = { tenant: { id: t.id, slug: t.slug, name: 'Put Co' }, actor: { kind: 'admin' as const }, requestId: 't' };
  X = (await app.services.customAttributes.define(ctx, { resourceType: 'User', name: 'badgeId', type: 'string', mutability: 'immutable' })).schema;
  await app.services.customAttributes.define(ctx, { resourceType: 'User', name: 'card', type: 'complex', subAttributes: [{ name: 'serial', type: 'string', mutability: 'immutable' }, { name: 'color', type: 'string' }] });
  await app.services.customAttributes.define(ctx, { resourceType: 'Group', name: 'code', type: 'string', mutability: 'immutable' });
});
afterAll(async () => app.close());

describe('PUT /Users/{id}', () => {
  it('replaces writable attributes, ignores readOnly and unknown ones, and requires userName', async () => {
    const u = (await api.post(`${t.base}/Users`, { schemas: [USER], userName: 'put.a', title: 'T', nickName: 'N' })).body;
    const res = await api.put(`${t.base}/Users/${u.id}`, {
      schemas: [USER], id: u.id, userName: 'put.a', title: 'T2', meta: { created: '2000-01-01T00:00:00Z' }, groups: [{ value: 'g' }], shoeSize: 44,
    });
    expect(res.status).toBe(200);
    expect(res.body.title).toBe('T2');
    expect(res.body.nickName).toBeUndefined(); // absent from the body: cleared
    expect(res.body.shoeSize).toBeUndefined();
    expect(res.body.groups).toBeUndefined();
    expect(res.body.meta.created).toBe(u.meta.created);
    const missing = await api.put(`${t.base}/Users/${u.id}`, { schemas: [USER], title: 'x' });
    expect([missing.status, missing.body.scimType]).toEqual([400, 'invalidValue']);
    const otherId = await api.put(`${t.base}/Users/${u.id}`, { schemas: [USER], id: '00000000-0000-4000-8000-000000000000', userName: 'put.a' });
    expect([otherId.status, otherId.body.scimType]).toEqual([400, 'invalidValue']);
    expect((await api.get(`${t.base}/Users/${u.id}`)).body.title).toBe('T2');
  });

  it('immutable values: settable once, must match afterwards, kept when omitted (RFC 7644 §3.5.1, RFC 7643 §2.2)', async () => {
    const u = (await api.post(`${t.base}/Users`, { schemas: [USER], userName: 'put.b' })).body;
    const set = await api.put(`${t.base}/Users/${u.id}`, { schemas: [USER, X], userName: 'put.b', [X]: { badgeId: 'B-1', card: { serial: 'S-1', color: 'red' } } });
    expect(set.status).toBe(200);
    expect(set.body[X]).toEqual({ badgeId: 'B-1', card: { serial: 'S-1', color: 'red' } });
    const same = await api.put(`${t.base}/Users/${u.id}`, { schemas: [USER, X], userName: 'put.b', [X]: { badgeId: 'B-1', card: { serial: 'S-1', color: 'blue' } } });
    expect(same.body[X]).toEqual({ badgeId: 'B-1', card: { serial: 'S-1', color: 'blue' } });
    const omitted = await api.put(`${t.base}/Users/${u.id}`, { schemas: [USER], userName: 'put.b', title: 'kept' });
    expect(omitted.status).toBe(200);
    expect(omitted.body[X]).toEqual({ badgeId: 'B-1', card: { serial: 'S-1' } });
    for (const ext of [{ badgeId: 'B-2' }, { card: { serial: 'S-2' } }]) {
      const changed = await api.put(`${t.base}/Users/${u.id}`, { schemas: [USER, X], userName: 'put.b', [X]: ext });
      expect([changed.status, changed.body.scimType]).toEqual([400, 'mutability']);
    }
    expect((await api.get(`${t.base}/Users/${u.id}`)).body).toEqual(omitted.body);
  });
});

describe('PUT /Groups/{id}', () => {
  it('replaces displayName and the member list; immutable custom values must match; displayName is required', async () => {
    const m = (await api.post(`${t.base}/Users`, { schemas: [USER], userName: 'put.m' })).body.id;
    const g = (await api.post(`${t.base}/Groups`, { schemas: [GROUP], displayName: 'Put G' })).body;
    const G = `urn:ietf:params:scim:schemas:extension:${t.slug}:2.0:Group`;
    const res = await api.put(`${t.base}/Groups/${g.id}`, { schemas: [GROUP, G], id: g.id, displayName: 'Put G2', members: [{ value: m }], [G]: { code: 'C1' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ displayName: 'Put G2', members: [{ value: m }], [G]: { code: 'C1' } });
    const changed = await api.put(`${t.base}/Groups/${g.id}`, { schemas: [GROUP, G], displayName: 'Put G2', [G]: { code: 'C2' } });
    expect([changed.status, changed.body.scimType]).toEqual([400, 'mutability']);
    const noName = await api.put(`${t.base}/Groups/${g.id}`, { schemas: [GROUP], members: [] });
    expect([noName.status, noName.body.scimType]).toEqual([400, 'invalidValue']);
    expect((await api.get(`${t.base}/Groups/${g.id}`)).body).toEqual(res.body);
  });
});
