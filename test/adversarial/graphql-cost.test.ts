import { parse } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { COUNT_COST, LOOKUP_COST } from '../../src/graphql/cost';
import { DEFAULT_LIMITS } from '../../src/graphql/limits';
import { adminSchema } from '../../src/graphql/schema';
import { codes, createGqlTestApp, GqlTestApp } from '../e2e/graphql-helpers';
import { scim } from '../support/app';
import { USER, type Tenant } from './helpers';

/**
 * Issue 13 item 7: the cost limit prices every field that reads the database (`stats` and
 * `totalCount` were free: 2,000 aliases of tenants{stats{usersActive}} ran 26 s, 90 aliases of
 * users(first:1000){totalCount} stalled the server 2.6 s), and a per-request time budget stops an
 * operation that runs past it with QUERY_TIMEOUT.
 */
let app: GqlTestApp;
let t: Tenant;
let key: string;

beforeAll(async () => {
  app = await createGqlTestApp();
  t = await app.tenant('Cost Co');
  key = await app.key('admin');
  for (let i = 0; i < 3; i++) expect((await scim(app, t.token).post(`${t.base}/Users`, { schemas: [USER], userName: `c${i}@example.com` })).status).toBe(201);
});
afterAll(async () => app.close());

const cost = (query: string) =>
  getComplexity({ schema: adminSchema(), query: parse(query), variables: {}, estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })] });

const aliases = (n: number, body: (i: number) => string) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${body(i)}`).join(' ')} }`;

it('2,000 aliases of tenants{stats{usersActive}} are refused while parsing (too many tokens), before validation', async () => {
  const res = await app.gql(key, aliases(2000, () => 'tenants { stats { usersActive } }'));
  expect(res.status).toBe(400);
  expect(codes(res)).toEqual(['GRAPHQL_PARSE_FAILED']);
  expect(res.body.errors![0].message).toContain(`${DEFAULT_LIMITS.maxTokens} tokens`) // graphql-js: "Document contains more that N tokens";
  expect(res.body.data).toBeUndefined();
});

it('200 aliases of tenants{stats{usersActive}} (under the token cap) are refused by cost before anything runs (QUERY_TOO_COMPLEX)', async () => {
  const res = await app.gql(key, aliases(200, () => 'tenants { stats { usersActive } }'));
  expect(res.status).toBe(400);
  expect(codes(res)).toEqual(['QUERY_TOO_COMPLEX']);
  expect(res.body.errors![0].extensions!.cost).toBeGreaterThan(DEFAULT_LIMITS.maxCost);
  expect(res.body.data).toBeUndefined();
});

it('90 aliases of users(first:1000){totalCount} are refused (QUERY_TOO_COMPLEX)', async () => {
  const res = await app.gql(key, aliases(90, () => `tenant(slug: "${t.slug}") { users(first: 1000) { totalCount } }`));
  expect(res.status).toBe(400);
  expect(codes(res)).toEqual(['QUERY_TOO_COMPLEX']);
});

it('totalCount costs one count per connection, not one per item; a dashboard query stays well under the limit', async () => {
  const withCount = cost(`{ tenant(slug: "x") { users(first: 100) { totalCount nodes { id } } } }`);
  const without = cost(`{ tenant(slug: "x") { users(first: 100) { nodes { id } } } }`);
  expect(withCount - without).toBe(COUNT_COST);
  expect(cost(`{ tenant(slug: "x") { users(first: 100) { ... on UserConnection { totalCount } } } }`)).toBeGreaterThanOrEqual(COUNT_COST);
  const dashboard = `{ tenants { name stats { usersActive usersInactive groups requestsByOutcome { count } events { heldEvents } }
      scimConnections { name lastRequest { status } tokens { id } } users(first: 50) { totalCount nodes { id userName groups { displayName } } } } }`;
  expect(cost(dashboard)).toBeLessThan(DEFAULT_LIMITS.maxCost);
  const res = await app.gql(key, dashboard);
  expect(res.body.errors).toBeUndefined();
  expect(res.body.data.tenants.find((x: { name: string }) => x.name === 'Cost Co').users.totalCount).toBe(3);
});

it.each([
  ['stats', '{ stats { usersActive } }', COUNT_COST],
  ['tenant.stats', '{ tenant(slug: "x") { stats { groups } } }', COUNT_COST],
  ['stats.requestsByOutcome', '{ stats { requestsByOutcome { count } } }', 2 * COUNT_COST],
  ['stats.events', '{ stats { events { heldEvents } } }', 2 * COUNT_COST],
  ['tenant.user', '{ tenant(slug: "x") { user(id: "y") { id } } }', LOOKUP_COST],
  ['tenant.group.memberCount', '{ tenant(slug: "x") { group(id: "y") { memberCount } } }', 2 * LOOKUP_COST],
  ['tenant.scimTokens', '{ tenant(slug: "x") { scimTokens { id } } }', LOOKUP_COST],
  ['tenant.eventHolds', '{ tenant(slug: "x") { eventHolds { id } } }', LOOKUP_COST],
  ['tenant.attributeDefinitions', '{ tenant(slug: "x") { attributeDefinitions { name } } }', LOOKUP_COST],
  ['connection.lastRequest', '{ tenant(slug: "x") { scimConnections { lastRequest { status } } } }', LOOKUP_COST * 2],
])('%s is priced as a database read', (_name, query, atLeast) => {
  expect(cost(query)).toBeGreaterThanOrEqual(atLeast);
});

describe('time budget', () => {
  let tight: GqlTestApp;
  beforeAll(async () => {
    tight = await createGqlTestApp({ limits: { ...DEFAULT_LIMITS, timeBudgetMs: 0 } });
  });
  afterAll(async () => tight.close());

  it('a query past its budget stops with QUERY_TIMEOUT naming the budget, not a 5xx; the same query within budget answers', async () => {
    const k = await tight.key('admin');
    await tight.tenant('Budget Co');
    const res = await tight.gql(k, aliases(5, () => 'tenants { name stats { usersActive } }'));
    expect(res.status).toBeLessThan(500);
    expect(new Set(codes(res))).toEqual(new Set(['QUERY_TIMEOUT']));
    expect(res.body.errors![0].message).toContain('time budget of 0 ms');
    expect(res.body.errors![0].extensions!.budgetMs).toBe(0);
    const ok = await app.gql(key, aliases(5, () => 'tenants { name stats { usersActive } }'));
    expect(ok.body.errors).toBeUndefined();
  });
});
