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
});
