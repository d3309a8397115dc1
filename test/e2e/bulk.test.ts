import { assertJsonShape } from '../../src/domain/json-shape';
import { createTestApp, scim, TestApp } from '../support/app';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';

let app: TestApp;
let t: Awaited<ReturnType<TestApp['tenant']>>;
let api: ReturnType<typeof scim>;

beforeAll(async () => {
  app = await createTestApp();
  t = await app.tenant('Bulk Co');
  api = scim(app, t.token);
});
afterAll(async () => app.close());

let seq = 0;
const name = (prefix = 'bulk') => `${prefix}${seq++}@example.com`;
const bulk = (Operations: unknown[], extra: Record<string, unknown> = {}) => api.post(`${t.base}/Bulk`, { schemas: [BULK_REQUEST], ...extra, Operations });
const postUser = (bulkId: string, data: Record<string, unknown> = {}) => ({ method: 'POST', path: '/Users', bulkId, data: { schemas: [USER], userName: name(), ...data } });
const postGroup = (bulkId: string, data: Record<string, unknown> = {}) => ({ method: 'POST', path: '/Groups', bulkId, data: { schemas: [GROUP], displayName: `Bulk group ${seq++}`, ...data } });
const url = (path: string) => `https://provisio.test/scim/v2/${t.slug}${path}`;
const idOf = (location: string) => location.split('/').pop()!;

async function ok(res: { status: number; body: any }) {
  expect(res.status).toBe(200);
  expect(res.body.schemas).toEqual([BULK_RESPONSE]);
  return res.body.Operations as any[];
}

describe('POST /Bulk (RFC 7644 §3.7)', () => {
  it('creates users and a group whose members are bulkIds of those users, whatever the request order', async () => {
    const results = await ok(
      await bulk([
        postGroup('g1', { members: [{ value: 'bulkId:u1' }, { value: 'bulkId:u2' }] }),
        postUser('u1'),
        postUser('u2', { [ENT]: { manager: { value: 'bulkId:u1' } }, schemas: [USER, ENT] }),
      ]),
    );
    expect(results.map((r) => [r.method, r.bulkId, r.status])).toEqual([
      ['POST', 'g1', '201'],
      ['POST', 'u1', '201'],
      ['POST', 'u2', '201'],
    ]);
    for (const r of results) {
      expect(r.location).toMatch(new RegExp(`^${url(r.bulkId.startsWith('g') ? '/Groups/' : '/Users/')}[0-9a-f-]{36}$`));
      expect(r.version).toBe('W/"1"');
      expect(r.response).toBeUndefined();
    }
    const [g, u1, u2] = results.map((r) => idOf(r.location));
    const group = (await api.get(`${t.base}/Groups/${g}`)).body;
    expect(group.members.map((m: any) => m.value).sort()).toEqual([u1, u2].sort());
    const second = (await api.get(`${t.base}/Users/${u2}`)).body;
    expect(second[ENT].manager.value).toBe(u1);
    expect(second.groups.map((x: any) => x.value)).toEqual([g]);
  });

  it('PATCH, PUT and DELETE address resources created in the same request by bulkId path', async () => {
    const results = await ok(
      await bulk([
        postUser('a'),
        postUser('b'),
        postGroup('g'),
        { method: 'PATCH', path: '/Groups/bulkId:g', data: { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: 'bulkId:a' }, { value: 'bulkId:b' }] }] } },
        { method: 'PUT', path: '/Users/bulkId:a', data: { schemas: [USER], userName: 'replaced-in-bulk@example.com', displayName: 'Replaced' } },
        { method: 'PATCH', path: '/Users/bulkId:b', data: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] } },
        { method: 'DELETE', path: '/Users/bulkId:b' },
      ]),
    );
    expect(results.map((r) => r.status)).toEqual(['201', '201', '201', '204', '200', '200', '204']);
    const [a, b, g] = results.slice(0, 3).map((r) => idOf(r.location));
    expect(results[3]).toMatchObject({ method: 'PATCH', location: url(`/Groups/${g}`), version: 'W/"2"' });
    // created (1), joined g (2), replaced (3)
    expect(results[4]).toMatchObject({ method: 'PUT', location: url(`/Users/${a}`), version: 'W/"3"' });
    expect(results[6]).toEqual({ method: 'DELETE', location: url(`/Users/${b}`), status: '204' });
    expect((await api.get(`${t.base}/Users/${a}`)).body).toMatchObject({ userName: 'replaced-in-bulk@example.com', displayName: 'Replaced' });
    expect((await api.get(`${t.base}/Users/${b}`)).status).toBe(404);
    expect((await api.get(`${t.base}/Groups/${g}`)).body.members.map((m: any) => m.value)).toEqual([a]);
  });

  it('without failOnErrors every operation runs; failures carry their status and an Error response', async () => {
    const taken = name('taken');
    await api.post(`${t.base}/Users`, { schemas: [USER], userName: taken });
    const results = await ok(
      await bulk([
        postUser('dup', { userName: taken }),
        postUser('fine'),
        { method: 'DELETE', path: '/Users/00000000-0000-7000-8000-000000000000' },
        postUser('fine2'),
      ]),
    );
    expect(results.map((r) => r.status)).toEqual(['409', '201', '404', '201']);
    expect(results[0]).toEqual({ method: 'POST', bulkId: 'dup', status: '409', response: { schemas: [ERROR], status: '409', scimType: 'uniqueness', detail: expect.any(String) } });
    expect(results[2]).toMatchObject({ location: url('/Users/00000000-0000-7000-8000-000000000000'), response: { schemas: [ERROR], status: '404' } });
  });

  it('failOnErrors 1 stops after the first failure: later operations do not run', async () => {
    const taken = name('taken');
    await api.post(`${t.base}/Users`, { schemas: [USER], userName: taken });
    const later = name('never');
    const results = await ok(await bulk([postUser('first'), postUser('dup', { userName: taken }), postUser('never', { userName: later })], { failOnErrors: 1 }));
    expect(results.map((r) => [r.bulkId, r.status])).toEqual([
      ['first', '201'],
      ['dup', '409'],
    ]);
    const found = await api.get(`${t.base}/Users`).query({ filter: `userName eq "${later}"` });
    expect(found.body.totalResults).toBe(0);
  });

  it('failOnErrors 2 tolerates one failure and stops at the second', async () => {
    const results = await ok(
      await bulk(
        [
          { method: 'DELETE', path: '/Users/00000000-0000-7000-8000-000000000001' },
          postUser('x'),
          { method: 'DELETE', path: '/Users/00000000-0000-7000-8000-000000000002' },
          postUser('y'),
        ],
        { failOnErrors: 2 },
      ),
    );
    expect(results.map((r) => r.status)).toEqual(['404', '201', '404']);
  });

  it('a reference to a failed POST or to a bulkId no POST declares fails that operation with 409', async () => {
    const displayName = `Unresolved ${seq++}`;
    const results = await ok(
      await bulk([
        postUser('bad', { userName: '' }),
        postGroup('g', { displayName, members: [{ value: 'bulkId:bad' }] }),
        { method: 'PATCH', path: '/Users/bulkId:nowhere', data: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] } },
        postUser('m', { [ENT]: { manager: { value: 'bulkId:ghost' } }, schemas: [USER, ENT] }),
      ]),
    );
    expect(results.map((r) => r.status)).toEqual(['400', '409', '409', '409']);
    for (const r of results.slice(1)) expect(r.response).toMatchObject({ schemas: [ERROR], status: '409', detail: expect.stringMatching(/bulkId "(bad|nowhere|ghost)"/) });
    expect(results[1].location).toBeUndefined();
    expect((await api.get(`${t.base}/Groups`).query({ filter: `displayName eq "${displayName}"` })).body.totalResults).toBe(0);
  });

  it('circular references are resolved as RFC 7644 §3.7.1 describes: created, then completed', async () => {
    const manager = (ref: string) => ({ schemas: [USER, ENT], [ENT]: { department: 'Loops', manager: { value: ref } } });
    const results = await ok(
      await bulk([
        postUser('c1', manager('bulkId:c2')),
        postUser('c2', manager('bulkId:c3')),
        postUser('c3', manager('bulkId:c1')),
        postUser('self', manager('bulkId:self')),
        postGroup('dependent', { members: [{ value: 'bulkId:c1' }, { value: 'bulkId:self' }] }),
      ]),
    );
    expect(results.map((r) => [r.bulkId, r.status])).toEqual([
      ['c1', '201'],
      ['c2', '201'],
      ['c3', '201'],
      ['self', '201'],
      ['dependent', '201'],
    ]);
    const [c1, c2, c3, self, g] = results.map((r) => idOf(r.location));
    const read = async (id: string) => (await api.get(`${t.base}/Users/${id}`)).body;
    const users = { c1: await read(c1), c2: await read(c2), c3: await read(c3), self: await read(self) };
    expect(users.c1[ENT]).toEqual({ department: 'Loops', manager: expect.objectContaining({ value: c2 }) });
    expect(users.c2[ENT].manager.value).toBe(c3);
    expect(users.c3[ENT].manager.value).toBe(c1);
    expect(users.self[ENT].manager.value).toBe(self);
    // each result's version is the resource's after its completion; c3 needed none (c1 existed)
    expect(results[1].version).toBe(users.c2.meta.version);
    expect(results[1].version).toBe('W/"2"');
    expect(results[2].version).toBe('W/"1"');
    expect(users.c1.meta.version).toBe('W/"3"'); // completed (2), then joined the group (3)
    expect((await api.get(`${t.base}/Groups/${g}`)).body.members.map((m: any) => m.value).sort()).toEqual([c1, self].sort());
  });

  it('a cycle that cannot be completed leaves no half-made resource: its POSTs fail, 409 where a partner failed', async () => {
    const taken = name('taken');
    await api.post(`${t.base}/Users`, { schemas: [USER], userName: taken });
    const partner = name('partner');
    const manager = (ref: string) => ({ schemas: [USER, ENT], [ENT]: { manager: { value: ref } } });
    const results = await ok(await bulk([postUser('x', { ...manager('bulkId:y'), userName: taken }), postUser('y', { ...manager('bulkId:x'), userName: partner })]));
    expect(results.map((r) => [r.bulkId, r.status])).toEqual([
      ['x', '409'],
      ['y', '409'],
    ]);
    expect(results[0].response.scimType).toBe('uniqueness');
    expect(results[1].response.detail).toMatch(/bulkId "x"/);
    expect(results[1].location).toBeUndefined();
    expect((await api.get(`${t.base}/Users`).query({ filter: `userName eq "${partner}"` })).body.totalResults).toBe(0);
  });

  it('an operation version acts as If-Match: stale -> 412, current -> proceeds', async () => {
    const created = await api.post(`${t.base}/Users`, { schemas: [USER], userName: name() });
    const id = created.body.id;
    const v1 = created.headers.etag;
    const change = (version: string) => ({ method: 'PATCH', path: `/Users/${id}`, version, data: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'displayName', value: `v${seq++}` }] } });
    const first = await ok(await bulk([change(v1)]));
    expect(first[0]).toMatchObject({ status: '200', version: 'W/"2"' });
    const stale = await ok(await bulk([change(v1), { method: 'DELETE', path: `/Users/${id}`, version: v1 }]));
    expect(stale.map((r) => r.status)).toEqual(['412', '412']);
    expect(stale[0].response).toMatchObject({ schemas: [ERROR], status: '412' });
    const numeric = await ok(await bulk([{ method: 'DELETE', path: `/Users/${id}`, version: 2 }]));
    expect(numeric[0]).toMatchObject({ status: '400', response: { scimType: 'invalidValue' } });
    const del = await ok(await bulk([{ method: 'DELETE', path: `/Users/${id}`, version: first[0].version }]));
    expect(del[0].status).toBe('204');
  });

  it('resources of another tenant are not found, and cannot become members', async () => {
    const other = await app.tenant('Other Bulk Co');
    const foreign = (await scim(app, other.token).post(`${other.base}/Users`, { schemas: [USER], userName: name() })).body.id;
    const displayName = `Foreign members ${seq++}`;
    const results = await ok(
      await bulk([
        { method: 'PUT', path: `/Users/${foreign}`, data: { schemas: [USER], userName: name() } },
        { method: 'PATCH', path: `/Users/${foreign}`, data: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] } },
        { method: 'DELETE', path: `/Users/${foreign}` },
        postGroup('fg', { displayName, members: [{ value: foreign }] }),
      ]),
    );
    expect(results.map((r) => r.status)).toEqual(['404', '404', '404', '400']);
    expect((await scim(app, other.token).get(`${other.base}/Users/${foreign}`)).body.active).toBe(true);
    expect((await api.get(`${t.base}/Groups`).query({ filter: `displayName eq "${displayName}"` })).body.totalResults).toBe(0);
  });

  it('each operation is atomic: a PATCH whose second operation fails changes nothing', async () => {
    const created = (await api.post(`${t.base}/Users`, { schemas: [USER], userName: name(), displayName: 'Before' })).body;
    const results = await ok(
      await bulk([
        {
          method: 'PATCH',
          path: `/Users/${created.id}`,
          data: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'displayName', value: 'After' }, { op: 'replace', path: 'noSuchAttribute', value: 1 }] },
        },
      ]),
    );
    expect(results[0].status).toBe('400');
    const after = await api.get(`${t.base}/Users/${created.id}`);
    expect(after.body.displayName).toBe('Before');
    expect(after.headers.etag).toBe(created.meta.version);
  });

  it("an operation's own mistakes fail only that operation", async () => {
    const results = await ok(
      await bulk([
        { method: 'GET', path: '/Users' },
        { method: 'POST', path: '/Users', data: { schemas: [USER], userName: name() } },
        { method: 'POST', path: '/Widgets', bulkId: 'w', data: {} },
        { method: 'PUT', path: '/Users' },
        { method: 'POST', path: '/Users/abc', bulkId: 'p', data: { schemas: [USER], userName: name() } },
        { method: 'PUT', path: '/Users/00000000-0000-7000-8000-000000000000' },
        { method: 'patch', path: 'Users/x', data: {} },
        postUser('valid'),
      ]),
    );
    expect(results.map((r) => [r.status, r.response?.scimType])).toEqual([
      ['400', 'invalidValue'],
      ['400', 'invalidValue'],
      ['404', undefined],
      ['400', 'invalidPath'],
      ['400', 'invalidPath'],
      ['400', 'invalidSyntax'],
      ['400', 'invalidPath'],
      ['201', undefined],
    ]);
    expect(results[6].method).toBe('PATCH');
  });

  it.each([
    ['a JSON array', []],
    ['no Operations', { schemas: [BULK_REQUEST] }],
    ['Operations not an array', { schemas: [BULK_REQUEST], Operations: { method: 'POST' } }],
    ['a foreign schema', { schemas: [USER], Operations: [] }],
    ['failOnErrors 0', { schemas: [BULK_REQUEST], failOnErrors: 0, Operations: [] }],
    ['failOnErrors as text', { schemas: [BULK_REQUEST], failOnErrors: '1', Operations: [] }],
    ['an operation that is not an object', { schemas: [BULK_REQUEST], Operations: ['POST /Users'] }],
    ['a bulkId that is not a string', { schemas: [BULK_REQUEST], Operations: [{ method: 'POST', path: '/Users', bulkId: 7, data: {} }] }],
    ['a bulkId on two POSTs', { schemas: [BULK_REQUEST], Operations: [postUser('same'), postUser('same')] }],
  ])('a malformed BulkRequest (%s) is 400 invalidSyntax and runs nothing', async (_label, body) => {
    const before = (await api.get(`${t.base}/Users`).query({ count: 0 })).body.totalResults;
    const res = await api.post(`${t.base}/Bulk`, body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidSyntax' });
    expect((await api.get(`${t.base}/Users`).query({ count: 0 })).body.totalResults).toBe(before);
  });

  it('invalid JSON is 400 invalidSyntax', async () => {
    const res = await api.post(`${t.base}/Bulk`).send('{"Operations": [') as any;
    expect(res.status).toBe(400);
    expect(res.body.scimType).toBe('invalidSyntax');
  });

  it('more operations than maxOperations is 413 naming the limit, and runs nothing', async () => {
    const max = app.config.bulkMaxOperations;
    const ops = Array.from({ length: max + 1 }, (_, i) => (i === 0 ? postUser('first') : { method: 'DELETE', path: '/Users/00000000-0000-7000-8000-000000000000' }));
    const before = (await api.get(`${t.base}/Users`).query({ count: 0 })).body.totalResults;
    const res = await bulk(ops);
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ schemas: [ERROR], status: '413', detail: expect.stringContaining(`maxOperations (${max})`) });
    expect((await api.get(`${t.base}/Users`).query({ count: 0 })).body.totalResults).toBe(before);
  });

  it('a body larger than maxPayloadSize is 413 naming the limit', async () => {
    const max = app.config.bulkMaxPayloadBytes;
    const res = await bulk([postUser('big', { displayName: 'x'.repeat(max) })]);
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ schemas: [ERROR], status: '413', detail: expect.stringContaining(`maxPayloadSize (${max} bytes)`) });
  });

  it("accepts 1,000 creates from a client that orders each object's keys at random (more name paths than any other body may hold)", async () => {
    // a client serialising maps in their own iteration order: the same attributes, in a new order in every object
    const shuffled = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).sort(() => Math.random() - 0.5));
    const user = (i: number) =>
      shuffled({
        schemas: [USER, ENT],
        userName: name('shuffled'),
        externalId: `shuffled-${seq}`,
        active: true,
        displayName: `Shuffled ${i}`,
        title: 'Engineer',
        nickName: `s${i}`,
        locale: 'en-US',
        timezone: 'Europe/Paris',
        preferredLanguage: 'en',
        name: shuffled({ givenName: 'Shu', familyName: `Fled ${i}`, formatted: `Shu Fled ${i}`, middleName: 'M' }),
        emails: [shuffled({ value: `shuffled${i}@example.com`, type: 'work', primary: true }), shuffled({ value: `home${i}@example.net`, type: 'home', primary: false })],
        phoneNumbers: [shuffled({ value: '+33 1 23 45 67 89', type: 'work' })],
        [ENT]: shuffled({ employeeNumber: String(i), department: 'R&D', costCenter: 'C1', organization: 'Org', division: 'D' }),
      });
    const body = JSON.stringify({ schemas: [BULK_REQUEST], Operations: Array.from({ length: 1000 }, (_, i) => shuffled({ method: 'POST', path: '/Users', bulkId: `s${i}`, data: user(i) })) });
    // as any other body, it would be refused before parsing (MAX_JSON_NAME_PATHS)
    expect(() => assertJsonShape(Buffer.from(body))).toThrow(/MAX_JSON_NAME_PATHS/);
    const res = await api.post(`${t.base}/Bulk`, JSON.parse(body));
    const results = await ok(res);
    expect(results).toHaveLength(1000);
    expect(results.filter((r) => r.status === '201')).toHaveLength(1000);
    const found = await api.get(`${t.base}/Users?filter=${encodeURIComponent('emails[type eq "work"].value eq "shuffled999@example.com"')}`);
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0][ENT].department).toBe('R&D');
  }, 60_000);

  it('ServiceProviderConfig advertises bulk with its limits', async () => {
    const res = await api.get(`${t.base}/ServiceProviderConfig`);
    expect(res.body.bulk).toEqual({ supported: true, maxOperations: app.config.bulkMaxOperations, maxPayloadSize: app.config.bulkMaxPayloadBytes });
  });

  it('needs the tenant token', async () => {
    const other = await app.tenant('Bulk Intruder Co');
    const res = await scim(app, other.token).post(`${t.base}/Bulk`, { schemas: [BULK_REQUEST], Operations: [postUser('x')] });
    expect(res.status).toBe(401);
  });
});
