import fc from 'fast-check';
import { scim } from '../support/app';
import { codes, createGqlTestApp, GqlTestApp } from './graphql-helpers';

/**
 * Property tests of the admin API's list queries: random SCIM filters (RFC 7644 §3.4.2.2's grammar,
 * sometimes with a stray token), orderBy, page sizes and cursors on users, deletedUsers and groups,
 * and random audit filters. Whatever is asked: never INTERNAL_SERVER_ERROR, every error carries an
 * extensions.code, and a query answered without errors returns a connection.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

let app: GqlTestApp;
let key: string;
let slug: string;
beforeAll(async () => {
  app = await createGqlTestApp();
  key = await app.key('admin');
  const t = await app.tenant('GraphQL Fuzz');
  slug = t.slug;
  const api = scim(app, t.token);
  const ids: string[] = [];
  for (const [i, name] of ['ann', 'bob', 'cy'].entries()) {
    const res = await api.post(`${t.base}/Users`, {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENT],
      userName: `${name}@example.com`,
      title: i % 2 ? 'Eng' : 'Ops',
      emails: [{ value: `${name}@corp.example.com`, type: 'work' }],
      [ENT]: { department: `D${i}` },
    });
    ids.push(res.body.id);
  }
  await api.post(`${t.base}/Groups`, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Team', members: ids.map((value) => ({ value })) });
  await api.delete(`${t.base}/Users/${ids[2]}`);
});
afterAll(async () => app.close());

const attr = fc.constantFrom('userName', 'displayName', 'title', 'active', 'externalId', 'emails.value', 'emails.type', 'members.value', 'groups.value', 'meta.created', 'meta.lastModified', 'id', `${ENT}:department`, 'nope', 'emails', 'name.givenName');
const literal = fc.constantFrom('"ann@example.com"', '"Eng"', '"Team"', '"2020-01-01T00:00:00Z"', 'true', 'false', 'null', '1', '""', '"%"', '"a\\"b"');
const { f: grammar } = fc.letrec<{ f: string }>((tie) => ({
  f: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(attr, fc.constantFrom('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'), literal).map((p) => p.join(' ')),
    attr.map((a) => `${a} pr`),
    fc.tuple(tie('f'), fc.constantFrom('and', 'or'), tie('f')).map(([l, o, r]) => `${l} ${o} ${r}`),
    tie('f').map((f) => `not (${f})`),
    fc.tuple(fc.constantFrom('emails', 'members', 'groups'), tie('f')).map(([a, f]) => `${a}[${f}]`),
  ),
}));
const filter = fc.oneof(
  { weight: 8, arbitrary: grammar },
  { weight: 1, arbitrary: fc.tuple(grammar, fc.constantFrom('(', ')', '[', '"', 'and', 'eq'), fc.nat()).map(([f, j, at]) => { const w = f.split(' '); w.splice(at % (w.length + 1), 0, j); return w.join(' '); }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);
/** Valid nine times in ten: a query with one odd argument still exercises the rest. */
const sometimes = <T,>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<T>) => fc.oneof({ weight: 9, arbitrary: valid }, { weight: 1, arbitrary: invalid });
const listArgs = fc.record(
  {
    filter,
    first: sometimes(fc.integer({ min: 0, max: 20 }), fc.constantFrom(-1, 100_000)),
    after: sometimes(fc.constant(undefined), fc.oneof(fc.string({ maxLength: 16 }), fc.base64String({ maxLength: 32 }))),
    orderBy: fc.record({ attribute: sometimes(fc.constantFrom('displayName', 'meta.created', 'meta.lastModified', 'externalId'), fc.constantFrom('userName', 'title', 'nope', 'emails', '')), direction: fc.constantFrom('ASC', 'DESC') }),
  },
  { requiredKeys: [] },
);

/** Never a 500; every error coded; a result without errors is a connection. */
function expectAnswered(res: Awaited<ReturnType<GqlTestApp['gql']>>, field: string): boolean {
  expect(res.status).toBeLessThan(500);
  const errorCodes = codes(res);
  expect(errorCodes).not.toContain('INTERNAL_SERVER_ERROR');
  for (const c of errorCodes) expect(c).toEqual(expect.any(String));
  if (errorCodes.length) return false;
  expect(res.body.data.tenant[field].nodes).toEqual(expect.any(Array));
  return true;
}

it.each([
  ['users', 'userName'],
  ['deletedUsers', 'userName'],
  ['groups', 'displayName'],
])('tenant.%s with random filter, orderBy, first and after: never INTERNAL_SERVER_ERROR', async (field, name) => {
  let answered = 0;
  await fc.assert(
    fc.asyncProperty(listArgs, async (args) => {
      const res = await app.gql(
        key,
        `query($slug: String, $filter: String, $first: Int, $after: String, $orderBy: OrderBy) {
           tenant(slug: $slug) { ${field}(filter: $filter, first: $first, after: $after, orderBy: $orderBy) { nodes { id ${name} } } } }`,
        { slug, ...args },
      );
      if (expectAnswered(res, field)) answered++;
    }),
    { numRuns: RUNS },
  );
  // the queries must reach the database, not only the validation
  expect(answered).toBeGreaterThan(0);
});

it('tenant.auditEntries with random filters and cursors: never INTERNAL_SERVER_ERROR', async () => {
  const auditFilter = fc.record(
    {
      operation: fc.constantFrom('User.create', 'User.list', 'Group.create', '', 'x'),
      outcome: fc.constantFrom('SUCCESS', 'FAILURE'),
      from: fc.constantFrom('2020-01-01T00:00:00Z', '2100-01-01T00:00:00Z', 'not a date'),
      to: fc.constantFrom('2020-01-01T00:00:00Z', '2100-01-01T00:00:00Z'),
      resourceId: fc.oneof(fc.uuid(), fc.constant('not-an-id')),
      actorKind: fc.constantFrom('SCIM', 'ADMIN', 'SYSTEM', 'NOPE'),
    },
    { requiredKeys: [] },
  );
  let answered = 0;
  await fc.assert(
    fc.asyncProperty(auditFilter, sometimes(fc.constant(undefined), fc.string({ maxLength: 16 })), sometimes(fc.integer({ min: 0, max: 30 }), fc.constant(-1)), async (f, after, first) => {
      const res = await app.gql(
        key,
        `query($slug: String, $filter: AuditFilter, $first: Int, $after: String) { tenant(slug: $slug) { auditEntries(filter: $filter, first: $first, after: $after) { nodes { id operation } } } }`,
        { slug, filter: f, first, after },
      );
      if (expectAnswered(res, 'auditEntries')) answered++;
    }),
    { numRuns: RUNS },
  );
  expect(answered).toBeGreaterThan(0);
});
