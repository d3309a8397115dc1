import fc from 'fast-check';
import { createTestApp, scim, TestApp } from '../support/app';

/**
 * Property tests through HTTP: random PATCH documents and random resource bodies, for a strict
 * RFC client and for a lenient IdP profile. Whatever is sent: never a 5xx, every error is an RFC
 * 7644 §3.12 body, and a request that fails changes nothing (the stored resource, its version
 * and the group's members read back exactly as before).
 */
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);

let app: TestApp;
beforeAll(async () => {
  // no request-rate limits: with FUZZ_RUNS in the thousands the runs outpace a connection's 250/s,
  // and a 429 would be the limiter answering, not the code under test
  app = await createTestApp({ env: { RATE_LIMIT_TENANT_PER_SECOND: '0', RATE_LIMIT_CONNECTION_PER_SECOND: '0' } });
});
afterAll(async () => app.close());

const USER_PATHS = [
  'userName', 'displayName', 'nickName', 'title', 'active', 'password', 'id', 'externalId', 'meta', 'meta.created', 'groups',
  'name', 'name.givenName', 'name.familyName', 'NAME.GIVENNAME', 'emails', 'emails.value', 'emails[type eq "work"]',
  'emails[type eq "work"].value', 'emails[type eq "work" and primary eq true].primary', 'emails[value co "@"]', 'emails[primary eq true].type',
  'phoneNumbers', 'phoneNumbers[type eq "mobile"].value', 'addresses[type eq "home"].locality', 'x509Certificates', 'roles', 'manager',
  `${ENT}:manager`, `${ENT}:manager.value`, `${ENT}:department`, ENT, `${USER}:nickName`, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User',
  'emails[', 'emails[type eq]', 'emails]', '', ' ', 'a.b.c', '__proto__', 'constructor', 'toString', 'emails[type eq "work"].value.x', 'members', '$ref', 'emails[value eq "x"][type eq "y"]',
];
const CUSTOM = 'urn:example:fuzz:2.0:User';
const CUSTOM_PATHS = [
  CUSTOM, `${CUSTOM}:level`, `${CUSTOM}:hired`, `${CUSTOM}:tags`, `${CUSTOM}:tags[value eq "x"]`, `${CUSTOM}:badge`, `${CUSTOM}:budget`,
  `${CUSTOM}:budget.amount`, `${CUSTOM}:items`, `${CUSTOM}:items[primary eq true].value`, 'level', 'budget.code',
];
const GROUP_PATHS = [
  'displayName', 'externalId', 'members', 'members.value', 'members[value eq "00000000-0000-4000-8000-000000000000"]', 'members[display eq "x"]',
  'members[value eq "{u}"]', 'members[value eq "{u}"].display', 'id', 'meta', 'members[', '__proto__', 'constructor', GROUP, `${GROUP}:displayName`,
];

/** Values: mostly plausible for SCIM attributes, sometimes anything JSON. */
const value = (ids: string[]) =>
  fc.oneof(
    fc.constantFrom('x', '', 'True', 'false', 'work', 'a@example.com', '2020-01-01T00:00:00Z', '+1 (425) 555-0100'),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.constant(null),
    fc.constantFrom(...ids).map((id) => [{ value: id }]),
    fc.constantFrom(...ids).map((id) => ({ value: id })),
    fc.constantFrom(...ids),
    fc.record({ value: fc.constantFrom('a@example.com', 'b@example.com'), type: fc.constantFrom('work', 'home'), primary: fc.boolean() }).map((e) => [e]),
    fc.dictionary(fc.constantFrom('givenName', 'familyName', 'value', 'type', 'primary', 'displayName', 'active', 'id', 'emails', 'name.givenName', ENT, 'members', 'level', 'tags', 'badge', 'budget', 'amount', `${CUSTOM}:tags`), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
    fc.jsonValue({ maxDepth: 3 }),
  );

const operation = (paths: string[], ids: string[]) =>
  fc.record(
    {
      op: fc.constantFrom('add', 'replace', 'remove', 'Add', 'Replace', 'Remove', 'REPLACE', 'merge', 3),
      path: fc.oneof(fc.constantFrom(...paths), fc.string({ maxLength: 12 })),
      value: value(ids),
    },
    { requiredKeys: ['op'] },
  );

const patchBody = (paths: string[], ids: string[]) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.record({ schemas: fc.constant([PATCH]), Operations: fc.array(operation(paths, ids), { minLength: 1, maxLength: 4 }) }) },
    { weight: 1, arbitrary: fc.record({ schemas: fc.constant([PATCH]), Operations: fc.jsonValue({ maxDepth: 2 }) }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  );

/** Valid nine times in ten: a request with one odd part still exercises the rest. */
const sometimes = <T,>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<T>) => fc.oneof({ weight: 9, arbitrary: valid }, { weight: 1, arbitrary: invalid });

function expectScimError(res: { status: number; body: any }): void {
  expect(res.status).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    expect(res.body.status).toBe(String(res.status));
  }
}

describe.each([
  ['a strict RFC client', 'generic'],
  ['an Entra connection (lenient)', 'entra'],
])('fuzzing as %s', (_label, idp) => {
  let t: Awaited<ReturnType<TestApp['tenant']>>;
  let api: ReturnType<typeof scim>;
  let others: string[];
  beforeAll(async () => {
    t = await app.tenant(`Fuzz ${idp}`, idp);
    api = scim(app, t.token);
    // custom attributes of every kind, so PATCH and bodies reach them too (paths in CUSTOM_PATHS)
    const ctx = { tenant: { id: t.id, slug: t.slug, name: 'fuzz' }, actor: { kind: 'admin' as const }, requestId: 'fuzz' };
    const define = (input: Record<string, unknown>) => app.services.customAttributes.define(ctx, { resourceType: 'User', schema: CUSTOM, ...input } as never);
    await define({ name: 'level', type: 'integer' });
    await define({ name: 'hired', type: 'dateTime' });
    await define({ name: 'tags', type: 'string', multiValued: true });
    await define({ name: 'badge', type: 'string', mutability: 'immutable' });
    await define({ name: 'budget', type: 'complex', subAttributes: [{ name: 'code', type: 'string' }, { name: 'amount', type: 'decimal' }] });
    await define({ name: 'items', type: 'complex', multiValued: true, subAttributes: [{ name: 'value', type: 'string' }, { name: 'primary', type: 'boolean' }] });
    others = [];
    for (const name of ['fz.a', 'fz.b']) others.push((await api.post(`${t.base}/Users`, { schemas: [USER], userName: `${name}@example.com` })).body.id);
  });

  it('PATCH /Users: never a 5xx; a refused PATCH changes nothing', async () => {
    const created = await api.post(`${t.base}/Users`, {
      schemas: [USER, ENT],
      userName: 'fz.target@example.com',
      name: { givenName: 'F', familyName: 'Z' },
      emails: [{ value: 'fz@example.com', type: 'work', primary: true }],
      [ENT]: { department: 'D' },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    await fc.assert(
      fc.asyncProperty(patchBody([...USER_PATHS, ...CUSTOM_PATHS], [...others, 'not-an-id']), async (body) => {
        const before = await api.get(`${t.base}/Users/${id}`);
        const res = await api.patch(`${t.base}/Users/${id}`, body);
        expectScimError(res);
        const after = await api.get(`${t.base}/Users/${id}`);
        if (res.status >= 400) expect(after.body).toEqual(before.body);
        else {
          expect(res.status).toBe(200);
          expect(after.body).toEqual(res.body);
          expect(after.body.userName).toEqual(expect.any(String));
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('PATCH /Groups: never a 5xx; a refused PATCH changes neither the group nor its members', async () => {
    const g = await api.post(`${t.base}/Groups`, { schemas: [GROUP], displayName: `Fuzz group ${idp}`, members: [{ value: others[0] }] });
    expect(g.status).toBe(201);
    const id = g.body.id;
    const paths = GROUP_PATHS.map((p) => p.replace('{u}', others[0]));
    await fc.assert(
      fc.asyncProperty(patchBody(paths, [...others, id, 'not-an-id', '00000000-0000-4000-8000-000000000000']), async (body) => {
        const before = await api.get(`${t.base}/Groups/${id}`);
        const res = await api.patch(`${t.base}/Groups/${id}`, body);
        expectScimError(res);
        const after = await api.get(`${t.base}/Groups/${id}`);
        if (res.status >= 400) expect(after.body).toEqual(before.body);
        else expect(after.body.displayName).toEqual(expect.any(String));
      }),
      { numRuns: RUNS },
    );
  });

  it('POST and PUT /Users with random bodies: never a 5xx; a refused one creates or changes nothing', async () => {
    const target = (await api.post(`${t.base}/Users`, { schemas: [USER], userName: 'fz.put@example.com' })).body.id;
    const key = fc.constantFrom('schemas', 'userName', 'USERNAME', 'name', 'emails', 'active', 'id', 'meta', 'groups', 'password', 'title', 'externalId', ENT, `${ENT}:department`, 'phoneNumbers', 'x509Certificates', 'nope', CUSTOM, `${CUSTOM}:level`, `${CUSTOM}:budget`);
    const body = fc.oneof(
      { weight: 6, arbitrary: fc.dictionary(key, value(others), { maxKeys: 6 }).map((b) => ({ ...b, userName: typeof b.userName === 'string' ? `fz.${b.userName}` : b.userName })) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(body, fc.boolean(), async (b, usePut) => {
        const count = async () => {
          const res = await api.get(`${t.base}/Users?count=0`);
          expect(res.status).toBe(200);
          return res.body.totalResults as number;
        };
        if (usePut) {
          const before = await api.get(`${t.base}/Users/${target}`);
          const res = await api.put(`${t.base}/Users/${target}`, b);
          expectScimError(res);
          const after = await api.get(`${t.base}/Users/${target}`);
          if (res.status >= 400) expect(after.body).toEqual(before.body);
          else if (after.body.userName !== 'fz.put@example.com') {
            // put the name back, so later PUTs that send no userName keep failing on "required", not on uniqueness
            await api.put(`${t.base}/Users/${target}`, { schemas: [USER], userName: 'fz.put@example.com' });
          }
          return;
        }
        const total = await count();
        const sent = b && typeof b === 'object' && !Array.isArray(b) && typeof (b as any).userName === 'string' ? { ...(b as object), userName: `${(b as any).userName}.${n++}` } : b;
        const res = await api.post(`${t.base}/Users`, sent);
        expectScimError(res);
        expect(await count()).toBe(res.status === 201 ? total + 1 : total);
      }),
      { numRuns: RUNS },
    );
  });

  it('GET /Users and /Groups with random filter, sortBy, attributes, startIndex, count and cursor: never a 5xx', async () => {
    // filters from RFC 7644 §3.4.2.2's grammar, so that most reach the compiler and the database
    // (not only the parser), one in ten with a random token dropped in
    const attr = fc.constantFrom('userName', 'displayName', 'name.givenName', 'title', 'active', 'externalId', 'emails.value', 'emails.type', 'members.value', 'groups.value', 'meta.created', 'meta.lastModified', 'id', `${ENT}:department`, `${CUSTOM}:level`, `${CUSTOM}:hired`, `${CUSTOM}:tags`, `${CUSTOM}:budget.amount`, 'nope', 'emails');
    const literal = fc.constantFrom('"x"', '"work"', '"fz.a@example.com"', '"2020-01-01T00:00:00Z"', 'true', 'false', 'null', '1', '-2.5', '"a\\"b"', '""', '"%"', '"_"');
    const compareOp = fc.constantFrom('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'EQ');
    const { f: grammar } = fc.letrec<{ f: string }>((tie) => ({
      f: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.tuple(attr, compareOp, literal).map((p) => p.join(' ')),
        attr.map((a) => `${a} pr`),
        fc.tuple(tie('f'), fc.constantFrom('and', 'or', 'AND'), tie('f')).map(([l, o, r]) => `${l} ${o} ${r}`),
        tie('f').map((f) => `not (${f})`),
        tie('f').map((f) => `(${f})`),
        fc.tuple(fc.constantFrom('emails', 'members', 'groups', `${CUSTOM}:items`, 'name'), tie('f')).map(([a, f]) => `${a}[${f}]`),
      ),
    }));
    const junk = fc.constantFrom('(', ')', '[', ']', '"', '\\', 'and', 'not', 'eq', '.', ':', 'x y');
    const filter = fc.oneof(
      { weight: 9, arbitrary: grammar },
      { weight: 1, arbitrary: fc.tuple(grammar, junk, fc.nat()).map(([f, j, at]) => { const words = f.split(' '); words.splice(at % (words.length + 1), 0, j); return words.join(' '); }) },
    );
    const paths = sometimes(
      fc.array(fc.constantFrom('userName', 'emails', 'emails.value', 'members', 'name.givenName', 'meta', `${ENT}:department`, `${CUSTOM}:level`, 'nope'), { maxLength: 3 }).map((p) => p.join(',')),
      fc.constantFrom('x[', ',', 'emails[type eq', ''),
    );
    // a cursor not issued by the server is refused (400) whatever else the query says: rare here
    const query = fc.record(
      {
        filter: sometimes(filter, fc.constant('')),
        sortBy: sometimes(fc.constantFrom('displayName', 'externalId', 'meta.created', 'meta.lastModified', 'id'), fc.constantFrom('userName', 'emails.value', 'members', `${CUSTOM}:level`, 'nope')),
        sortOrder: sometimes(fc.constantFrom('ascending', 'descending'), fc.constantFrom('up', '')),
        attributes: paths,
        excludedAttributes: paths,
        startIndex: sometimes(fc.integer({ min: 1, max: 5 }).map(String), fc.constantFrom('0', '-1', 'x', '1e3', '99999999999999999999')),
        count: sometimes(fc.integer({ min: 0, max: 20 }).map(String), fc.constantFrom('-1', 'x', '1.5', '99999999999999999999')),
        cursor: sometimes(fc.constant(undefined), fc.oneof(fc.constant(''), fc.string({ maxLength: 20 }), fc.base64String({ maxLength: 40 }))),
      },
      { requiredKeys: [] },
    );
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('Users', 'Groups'), query, async (resource, q) => {
        const search = new URLSearchParams(Object.entries(q).filter(([, v]) => v !== undefined) as [string, string][]).toString();
        const res = await api.get(`${t.base}/${resource}?${search}`);
        expectScimError(res);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 200) expect(res.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:ListResponse']);
      }),
      { numRuns: RUNS },
    );
    // the queries must reach the database, not only the parser (about a third answer 200)
    expect(statuses.get(200)).toBeGreaterThan(0);
  });

  it('POST /Bulk with random operations: never a 5xx, neither for the request nor for any of its operations', async () => {
    const userBody = fc.dictionary(fc.constantFrom('userName', 'displayName', 'emails', 'active', 'externalId', 'name', 'title'), value(others), { maxKeys: 4 })
      .map((d) => ({ schemas: [USER], userName: 'u', ...d }));
    const groupBody = fc.dictionary(fc.constantFrom('displayName', 'members', 'externalId'), value([...others, 'bulkId:a', 'bulkId:b']), { maxKeys: 3 })
      .map((d) => ({ schemas: [GROUP], displayName: 'g', ...d }));
    const op = fc.oneof(
      fc.record({ method: fc.constant('POST'), path: fc.constant('/Users'), bulkId: fc.constantFrom('a', 'c'), data: userBody }),
      fc.record({ method: fc.constant('POST'), path: fc.constant('/Groups'), bulkId: fc.constantFrom('b', 'd'), data: groupBody }),
      fc.record({ method: fc.constantFrom('PUT', 'PATCH', 'DELETE'), path: fc.constantFrom(`/Users/${others[0]}`, '/Users/bulkId:a', '/Users/not-an-id', '/Groups/bulkId:b'), version: fc.constantFrom('W/"1"', 'W/"99"'), data: fc.oneof(userBody, patchBody(USER_PATHS, others)) }, { requiredKeys: ['method', 'path'] }),
      // and anything
      fc.record(
        {
          method: fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE', 'GET', 'post', 'MERGE', 1),
          path: fc.oneof(fc.constantFrom('/Users', '/Groups', '/Users/bulkId:a', '/Bulk', '', '/'), fc.string({ maxLength: 10 })),
          bulkId: fc.constantFrom('a', 'b', 'c', ''),
          data: fc.jsonValue({ maxDepth: 2 }),
        },
        { requiredKeys: [] },
      ),
    );
    const body = fc.oneof(
      {
        weight: 9,
        arbitrary: fc.record(
          {
            schemas: fc.constant(['urn:ietf:params:scim:api:messages:2.0:BulkRequest']),
            failOnErrors: sometimes(fc.integer({ min: 1, max: 3 }), fc.constantFrom(0, -1, 'x')),
            // a POST's bulkId is its position's letter (bulkId:a and bulkId:b then resolve when ops 0 and 1 are POSTs), one in ten the generated one
            Operations: fc.array(fc.tuple(op, fc.nat(9)), { maxLength: 6 }).map((ops) =>
              ops.map(([o, dice], i) => ((o as { method?: unknown }).method === 'POST' && dice > 0 ? { ...o, bulkId: 'abcdef'[i] } : o)),
            ),
          },
          { requiredKeys: ['schemas', 'Operations'] },
        ),
      },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
    );
    let n = 0;
    const statuses = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        // distinct names per run, so that a create is not refused for the previous run's name alone
        const sent = JSON.parse(JSON.stringify(b).replace(/"userName":"([^"]*)"/g, (_, u) => `"userName":"fz.bulk.${n++}.${u}"`));
        const res = await api.post(`${t.base}/Bulk`, sent);
        expectScimError(res);
        statuses.set(`bulk ${res.status}`, (statuses.get(`bulk ${res.status}`) ?? 0) + 1);
        if (res.status === 200) for (const o of res.body.Operations) {
          statuses.set(`${o.method} ${o.status}`, (statuses.get(`${o.method} ${o.status}`) ?? 0) + 1);
          expect(Number(o.status)).toBeLessThan(500);
        }
      }),
      { numRuns: RUNS },
    );
    // and the operations must get as far as writing (about a fifth of them create)
    expect(statuses.get('POST 201')).toBeGreaterThan(0);
  });
});
