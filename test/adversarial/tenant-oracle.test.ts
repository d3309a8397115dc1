import request from 'supertest';
import { createGqlTestApp, GqlResponse, GqlTestApp } from '../e2e/graphql-helpers';
import type { Tenant } from './helpers';

/**
 * Issue 13 item 8: a key limited to one tenant learns nothing about the others. Naming another
 * tenant (by slug or id) gets exactly the answer naming no tenant gets, through every entry point
 * that takes a tenant, and changes nothing there.
 */
let app: GqlTestApp;
let a: Tenant;
let b: Tenant;
let scoped: string;
let scopedAuditor: string;

beforeAll(async () => {
  app = await createGqlTestApp();
  a = await app.tenant('Oracle A');
  b = await app.tenant('Oracle B');
  scoped = await app.key('admin', a.slug);
  scopedAuditor = await app.key('auditor', a.slug);
});
afterAll(async () => app.close());

/** The answer with the tenant reference the caller sent replaced, so two answers compare as equal when nothing else differs. */
function shape(res: GqlResponse, ref: string): unknown {
  return JSON.parse(JSON.stringify({ status: res.status, body: res.body }).split(ref).join('<ref>'));
}

const NO_SUCH_SLUG = 'oracle-nobody';
const NO_SUCH_ID = '0190a3e4-0000-7000-8000-000000000000';

const operations: [string, (ref: string) => string][] = [
  ['tenant(slug)', (ref) => `{ tenant(slug: "${ref}") { name } }`],
  ['tenant(id)', (ref) => `{ tenant(id: "${ref}") { name } }`],
  ['stats(tenant)', (ref) => `{ stats(tenant: "${ref}") { usersActive } }`],
  ['events(tenant)', (ref) => `{ events(tenant: "${ref}") { endCursor } }`],
  ['updateTenant', (ref) => `mutation { updateTenant(tenant: "${ref}", input: { name: "pwned" }) { name } }`],
  ['createScimConnection', (ref) => `mutation { createScimConnection(tenant: "${ref}", idp: GENERIC) { token } }`],
  ['revokeToken', (ref) => `mutation { revokeToken(tenant: "${ref}", id: "${NO_SUCH_ID}") { id } }`],
  ['purgeUser', (ref) => `mutation { purgeUser(tenant: "${ref}", id: "${NO_SUCH_ID}") }`],
];

describe.each(operations)('%s', (_name, op) => {
  it.each([
    ['admin', () => scoped],
    ['auditor', () => scopedAuditor],
  ])('a %s key limited to tenant A gets the same answer for tenant B as for no tenant (by slug and by id)', async (_role, key) => {
    const bySlug = await app.gql(key(), op(b.slug));
    const noSlug = await app.gql(key(), op(NO_SUCH_SLUG));
    expect(bySlug.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(shape(bySlug, b.slug)).toEqual(shape(noSlug, NO_SUCH_SLUG));
    const byId = await app.gql(key(), op(b.id));
    const noId = await app.gql(key(), op(NO_SUCH_ID));
    expect(shape(byId, b.id)).toEqual(shape(noId, NO_SUCH_ID));
  });
});

it('GET /events: the same 404 for another tenant and for none', async () => {
  const other = await request(app.server).get(`/events?tenant=${b.slug}`).set('Authorization', `Bearer ${scoped}`);
  const none = await request(app.server).get(`/events?tenant=${NO_SUCH_SLUG}`).set('Authorization', `Bearer ${scoped}`);
  expect(other.status).toBe(404);
  expect({ status: other.status, body: JSON.stringify(other.body).split(b.slug).join('<ref>') }).toEqual({
    status: none.status,
    body: JSON.stringify(none.body).split(NO_SUCH_SLUG).join('<ref>'),
  });
});

it('the key still reaches its own tenant, and tenant B is unchanged by the attempts', async () => {
  const own = await app.gql(scoped, `{ tenant(slug: "${a.slug}") { name } }`);
  expect(own.body.data.tenant.name).toBe('Oracle A');
  const ownById = await app.gql(scoped, `{ tenant(id: "${a.id.toUpperCase()}") { name } }`);
  expect(ownById.body.data.tenant.name).toBe('Oracle A');
  const unscoped = await app.key('admin');
  const bNow = await app.gql(unscoped, `{ tenant(slug: "${b.slug}") { name scimConnections { id } } }`);
  expect(bNow.body.data.tenant.name).toBe('Oracle B');
  expect(bNow.body.data.tenant.scimConnections).toHaveLength(1);
});
