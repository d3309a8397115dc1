import { createTestApp, scim, TestApp } from '../support/app';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

let app: TestApp;
let t: Awaited<ReturnType<TestApp['tenant']>>;
let api: ReturnType<typeof scim>;

beforeAll(async () => {
  app = await createTestApp();
  t = await app.tenant('ETag Co');
  api = scim(app, t.token);
});
afterAll(async () => app.close());

let seq = 0;
const userBody = (extra: Record<string, unknown> = {}) => ({ schemas: [USER], userName: `etag${seq++}@example.com`, ...extra });
const groupBody = (extra: Record<string, unknown> = {}) => ({ schemas: [GROUP], displayName: `ETag group ${seq++}`, ...extra });
const ops = (...Operations: unknown[]) => ({ schemas: [PATCH], Operations });

/** Each resource type, with a valid full replacement and a PATCH that changes it. */
const kinds = [
  { name: 'Users', create: () => userBody(), replace: (r: any) => ({ schemas: [USER], userName: r.userName, displayName: 'Replaced' }), change: () => ops({ op: 'replace', path: 'displayName', value: `d${seq++}` }) },
  { name: 'Groups', create: () => groupBody(), replace: (r: any) => ({ schemas: [GROUP], displayName: `${r.displayName} replaced` }), change: () => ops({ op: 'replace', path: 'displayName', value: `renamed ${seq++}` }) },
];

function expect412(res: { status: number; body: any }) {
  expect(res.status).toBe(412);
  expect(res.body).toMatchObject({ schemas: [ERROR], status: '412' });
  expect(res.body.scimType).toBeUndefined();
  expect(res.body.detail).toEqual(expect.any(String));
}

describe.each(kinds)('ETags on /$name (RFC 7644 §3.14)', (kind) => {
  const url = (id = '') => `${t.base}/${kind.name}${id ? `/${id}` : ''}`;
  async function create(): Promise<{ body: any; etag: string }> {
    const res = await api.post(url(), kind.create());
    expect(res.status).toBe(201);
    return { body: res.body, etag: res.headers.etag };
  }

  it('sends a weak ETag equal to meta.version on POST, GET, PUT and PATCH; every change makes a new one', async () => {
    const { body, etag } = await create();
    expect(etag).toMatch(/^W\/"\d+"$/);
    expect(body.meta.version).toBe(etag);
    const got = await api.get(url(body.id));
    expect(got.headers.etag).toBe(etag);
    expect(got.body.meta.version).toBe(etag);
    const put = await api.put(url(body.id), kind.replace(body));
    expect(put.status).toBe(200);
    expect(put.headers.etag).not.toBe(etag);
    expect(put.body.meta.version).toBe(put.headers.etag);
    const patched = await api.patch(url(body.id), kind.change());
    expect([200, 204]).toContain(patched.status);
    expect(patched.headers.etag).toMatch(/^W\/"\d+"$/);
    expect(new Set([etag, put.headers.etag, patched.headers.etag]).size).toBe(3);
    expect((await api.get(url(body.id))).headers.etag).toBe(patched.headers.etag);
  });

  it('GET with If-None-Match: 304 without a body for the current tag, * or a list holding it; 200 for a stale one', async () => {
    const { body, etag } = await create();
    for (const tag of [etag, '*', `W/"999999", ${etag}`, etag.slice(2)]) {
      const res = await api.get(url(body.id)).set('If-None-Match', tag);
      expect(res.status).toBe(304);
      expect(res.text ?? '').toBe('');
      expect(res.headers.etag).toBe(etag);
    }
    await api.patch(url(body.id), kind.change());
    const stale = await api.get(url(body.id)).set('If-None-Match', etag);
    expect(stale.status).toBe(200);
    expect(stale.body.id).toBe(body.id);
    expect(stale.headers.etag).not.toBe(etag);
  });

  it('If-None-Match does not hide a missing resource: 404', async () => {
    const res = await api.get(url('00000000-0000-7000-8000-000000000000')).set('If-None-Match', '*');
    expect(res.status).toBe(404);
  });

  it('PUT, PATCH and DELETE with a stale If-Match: 412 with an Error body and nothing changed', async () => {
    const { body, etag } = await create();
    const changed = await api.patch(url(body.id), kind.change());
    const current = changed.headers.etag;
    const before = (await api.get(url(body.id))).body;
    expect412(await api.put(url(body.id), kind.replace(body)).set('If-Match', etag));
    expect412(await api.patch(url(body.id), kind.change()).set('If-Match', etag));
    expect412(await api.delete(url(body.id)).set('If-Match', etag));
    const after = await api.get(url(body.id));
    expect(after.status).toBe(200);
    expect(after.body).toEqual(before);
    expect(after.headers.etag).toBe(current);
  });

  it('an If-Match naming none of our versions (a foreign or malformed tag) is 412, never a blind write', async () => {
    const { body } = await create();
    for (const tag of ['"abc"', 'W/"0"', 'garbage', 'W/"1.5"']) expect412(await api.patch(url(body.id), kind.change()).set('If-Match', tag));
  });

  it('with the current If-Match (weak, strong, in a list, or *) the write proceeds', async () => {
    const { body, etag } = await create();
    const put = await api.put(url(body.id), kind.replace(body)).set('If-Match', etag);
    expect(put.status).toBe(200);
    const strong = put.headers.etag.slice(2);
    const patched = await api.patch(url(body.id), kind.change()).set('If-Match', `W/"424242", ${strong}`);
    expect([200, 204]).toContain(patched.status);
    const star = await api.patch(url(body.id), kind.change()).set('If-Match', '*');
    expect([200, 204]).toContain(star.status);
    const del = await api.delete(url(body.id)).set('If-Match', star.headers.etag);
    expect(del.status).toBe(204);
    expect((await api.get(url(body.id))).status).toBe(404);
  });

  it('If-Match: * on a missing resource is 404 (RFC 7232 §5: the 404 comes first)', async () => {
    const res = await api.delete(url('00000000-0000-7000-8000-000000000000')).set('If-Match', '*');
    expect(res.status).toBe(404);
  });

  it('of concurrent writes under the same If-Match exactly one wins; the others get 412', async () => {
    const { body, etag } = await create();
    const results = await Promise.all([0, 1, 2, 3].map(() => api.patch(url(body.id), kind.change()).set('If-Match', etag)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 412)).toHaveLength(3);
    expect(statuses.filter((s) => s === 200 || s === 204)).toHaveLength(1);
    const winner = results.find((r) => r.status !== 412)!;
    expect((await api.get(url(body.id))).headers.etag).toBe(winner.headers.etag);
  });
});

describe('ETags follow membership (RFC 7644 §3.14)', () => {
  const tagOf = async (path: string) => (await api.get(`${t.base}${path}`)).headers.etag as string;

  it('adding and removing a member changes the group version; a stale If-Match then fails', async () => {
    const u = (await api.post(`${t.base}/Users`, userBody())).body.id;
    const g = (await api.post(`${t.base}/Groups`, groupBody())).body;
    const v0 = g.meta.version;
    const added = await api.patch(`${t.base}/Groups/${g.id}`, ops({ op: 'add', path: 'members', value: [{ value: u }] }));
    expect(added.status).toBe(204);
    expect(added.headers.etag).not.toBe(v0);
    expect(await tagOf(`/Groups/${g.id}`)).toBe(added.headers.etag);
    expect412(await api.patch(`${t.base}/Groups/${g.id}`, ops({ op: 'remove', path: `members[value eq "${u}"]` })).set('If-Match', v0));
    const removed = await api.patch(`${t.base}/Groups/${g.id}`, ops({ op: 'remove', path: `members[value eq "${u}"]` })).set('If-Match', added.headers.etag);
    expect(removed.status).toBe(204);
    expect(removed.headers.etag).not.toBe(added.headers.etag);
  });

  it('a PATCH that changes nothing keeps the version', async () => {
    const u = (await api.post(`${t.base}/Users`, userBody())).body.id;
    const g = (await api.post(`${t.base}/Groups`, groupBody({ members: [{ value: u }] }))).body;
    const again = await api.patch(`${t.base}/Groups/${g.id}`, ops({ op: 'add', path: 'members', value: [{ value: u }] }));
    expect(again.headers.etag).toBe(g.meta.version);
  });

  it('deleting a user changes the version of every group it leaves', async () => {
    const u = (await api.post(`${t.base}/Users`, userBody())).body.id;
    const g1 = (await api.post(`${t.base}/Groups`, groupBody({ members: [{ value: u }] }))).body;
    const g2 = (await api.post(`${t.base}/Groups`, groupBody({ members: [{ value: u }] }))).body;
    expect((await api.delete(`${t.base}/Users/${u}`)).status).toBe(204);
    expect(await tagOf(`/Groups/${g1.id}`)).not.toBe(g1.meta.version);
    expect(await tagOf(`/Groups/${g2.id}`)).not.toBe(g2.meta.version);
    expect((await api.get(`${t.base}/Groups/${g1.id}`).set('If-None-Match', g1.meta.version)).status).toBe(200);
  });
});

describe("a user's version follows its group memberships (User.groups is part of the user)", () => {
  const tagOf = async (id: string) => (await api.get(`${t.base}/Users/${id}`)).headers.etag as string;
  const newUser = async () => (await api.post(`${t.base}/Users`, userBody())).body;

  it('joining, leaving, a renamed group and a deleted group each give the user a new version', async () => {
    const u = await newUser();
    const bystander = await newUser();
    const g = (await api.post(`${t.base}/Groups`, groupBody({ members: [{ value: u.id }] }))).body;
    const seen = [u.meta.version];
    const step = async () => {
      const tag = await tagOf(u.id);
      expect(seen).not.toContain(tag);
      seen.push(tag);
    };
    await step(); // created with the user as a member
    expect((await api.get(`${t.base}/Users/${u.id}`).set('If-None-Match', u.meta.version)).status).toBe(200);
    await api.patch(`${t.base}/Groups/${g.id}`, ops({ op: 'remove', path: `members[value eq "${u.id}"]` }));
    await step();
    await api.patch(`${t.base}/Groups/${g.id}`, ops({ op: 'add', path: 'members', value: [{ value: u.id }] }));
    await step();
    await api.patch(`${t.base}/Groups/${g.id}`, ops({ op: 'replace', path: 'displayName', value: `Renamed ${seq++}` }));
    await step();
    const renamed = (await api.get(`${t.base}/Users/${u.id}`)).body;
    expect(renamed.groups[0].display).toMatch(/^Renamed/);
    await api.put(`${t.base}/Groups/${g.id}`, { schemas: [GROUP], displayName: renamed.groups[0].display, members: [] });
    await step();
    await api.put(`${t.base}/Groups/${g.id}`, { schemas: [GROUP], displayName: renamed.groups[0].display, members: [{ value: u.id }] });
    await step();
    expect((await api.delete(`${t.base}/Groups/${g.id}`)).status).toBe(204);
    await step();
    expect((await api.get(`${t.base}/Users/${u.id}`)).body.groups ?? []).toEqual([]);
    // a user the group never touched keeps its version
    expect(await tagOf(bystander.id)).toBe(bystander.meta.version);
  });

  it('a stale If-Match on a user fails once a group write changed its groups', async () => {
    const u = await newUser();
    await api.post(`${t.base}/Groups`, groupBody({ members: [{ value: u.id }] }));
    const res = await api.patch(`${t.base}/Users/${u.id}`, ops({ op: 'replace', path: 'displayName', value: 'x' })).set('If-Match', u.meta.version);
    expect412(res);
  });

  it('concurrent group writes over the same members all succeed (they queue, they do not deadlock)', async () => {
    const members = await Promise.all([0, 1, 2, 3, 4, 5].map(() => newUser()));
    const groups = await Promise.all([0, 1, 2, 3].map(async () => (await api.post(`${t.base}/Groups`, groupBody())).body));
    const value = (order: number) => (order % 2 ? [...members].reverse() : members).map((m) => ({ value: m.id }));
    const results = await Promise.all(groups.map((g, i) => api.patch(`${t.base}/Groups/${g.id}`, ops({ op: 'add', path: 'members', value: value(i) }))));
    expect(results.map((r) => r.status)).toEqual([204, 204, 204, 204]);
    const removed = await Promise.all(groups.map((g, i) => api.patch(`${t.base}/Groups/${g.id}`, ops({ op: 'remove', path: 'members', value: value(i + 1) }))));
    expect(removed.map((r) => r.status)).toEqual([204, 204, 204, 204]);
    for (const m of members) expect(await tagOf(m.id)).toBe('W/"9"');
  });
});

describe('discovery', () => {
  it('ServiceProviderConfig says etag is supported', async () => {
    expect((await api.get(`${t.base}/ServiceProviderConfig`)).body.etag).toEqual({ supported: true });
  });
});
