import { scim } from '../support/app';
import { createGqlTestApp, GqlTestApp } from './graphql-helpers';

let app: GqlTestApp;
let key: string;
let t: Awaited<ReturnType<GqlTestApp['tenant']>>;
const userIds: string[] = [];
let groupId: string;
let emptyGroupId: string;

const USER = (i: number, active = true) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName: `user${String(i).padStart(2, '0')}@example.com`,
  externalId: `ext-${i}`,
  active,
  name: { givenName: 'User', familyName: `Family${String(25 - i).padStart(2, '0')}` },
});

beforeAll(async () => {
  app = await createGqlTestApp();
  key = await app.key('auditor');
  t = await app.tenant('Query Co');
  const client = scim(app, t.token);
  for (let i = 0; i < 23; i++) {
    const res = await client.post(`${t.base}/Users`, USER(i, i % 4 !== 0));
    expect(res.status).toBe(201);
    userIds.push(res.body.id);
  }
  const g = await client.post(`${t.base}/Groups`, {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
    displayName: 'Engineering',
    externalId: 'g-eng',
    members: userIds.slice(0, 17).map((value) => ({ value })),
  });
  groupId = g.body.id;
  emptyGroupId = (await client.post(`${t.base}/Groups`, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Empty' })).body.id;
  expect((await client.delete(`${t.base}/Users/${userIds[22]}`)).status).toBe(204);
});
afterAll(async () => app.close());

/** Walks a connection with `first` until the end, returning every node id in order. */
async function walk(field: (after: string | null) => string, pick: (data: any) => any, first: number): Promise<{ ids: string[]; total: number; pages: number }> {
  const ids: string[] = [];
  let after: string | null = null;
  let total = -1;
  let pages = 0;
  for (;;) {
    const res = await app.gql(key, field(after));
    expect(res.body.errors).toBeUndefined();
    const conn = pick(res.body.data);
    total = conn.totalCount;
    pages++;
    expect(conn.edges.length).toBeLessThanOrEqual(first);
    ids.push(...conn.edges.map((e: any) => e.node.id));
    expect(conn.nodes.map((n: any) => n.id)).toEqual(conn.edges.map((e: any) => e.node.id));
    if (!conn.pageInfo.hasNextPage) break;
    expect(conn.pageInfo.endCursor).toBe(conn.edges[conn.edges.length - 1].cursor);
    after = conn.pageInfo.endCursor;
  }
  return { ids, total, pages };
}

describe('GraphQL queries', () => {
  it('tenants and tenant(slug|id)', async () => {
    const other = await app.tenant('Other Co');
    const res = await app.gql(key, '{ tenants { id slug name scimUrl createdAt updatedAt } }');
    expect(res.body.data.tenants.map((x: any) => x.slug)).toEqual([t.slug, other.slug]);
    expect(res.body.data.tenants[0]).toMatchObject({ id: t.id, name: 'Query Co', scimUrl: `https://provisio.test/scim/v2/${t.slug}` });
    expect(new Date(res.body.data.tenants[0].createdAt).toISOString()).toBe(res.body.data.tenants[0].createdAt);
    const byId = await app.gql(key, `query($id: ID) { tenant(id: $id) { slug } }`, { id: t.id });
    expect(byId.body.data.tenant.slug).toBe(t.slug);
    const both = await app.gql(key, `{ tenant(id: "${t.id}", slug: "${t.slug}") { slug } }`);
    expect(both.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('a user created over SCIM is visible over GraphQL at once, with its groups', async () => {
    const res = await app.gql(
      key,
      `query($t: String, $id: ID!) { tenant(slug: $t) { user(id: $id) { id userName externalId displayName active version createdAt updatedAt attributes groups { id displayName externalId memberCount } } } }`,
      { t: t.slug, id: userIds[0] },
    );
    expect(res.body.errors).toBeUndefined();
    const u = res.body.data.tenant.user;
    expect(u).toMatchObject({ id: userIds[0], userName: 'user00@example.com', externalId: 'ext-0', displayName: null, active: false, version: 2 }); // created (1), then joined Engineering (2): User.groups is part of the user
    expect(u.attributes.name).toEqual({ givenName: 'User', familyName: 'Family25' });
    expect(u.groups).toEqual([{ id: groupId, displayName: 'Engineering', externalId: 'g-eng', memberCount: 17 }]);
    const scimUser = await scim(app, t.token).get(`${t.base}/Users/${userIds[0]}`);
    expect(u.updatedAt).toBe(scimUser.body.meta.lastModified);
  });

  it('users: every live user exactly once over pages, in id order, for several page sizes', async () => {
    for (const first of [1, 5, 7, 22, 50]) {
      const { ids, total, pages } = await walk(
        (after) => `{ tenant(slug: "${t.slug}") { users(first: ${first}${after ? `, after: "${after}"` : ''}) { totalCount edges { cursor node { id } } nodes { id } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`,
        (d) => d.tenant.users,
        first,
      );
      expect(total).toBe(22);
      expect(ids).toEqual(userIds.slice(0, 22));
      expect(pages).toBe(Math.max(1, Math.ceil(22 / first)));
    }
  });

  it('users: SCIM filter and orderBy, paged', async () => {
    const q = `query($f: String, $after: String) { tenant(slug: "${t.slug}") { users(filter: $f, first: 2, after: $after, orderBy: { attribute: "name.familyName", direction: DESC }) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } nodes { userName active } } } }`;
    const page1 = await app.gql(key, q, { f: 'active eq false' });
    const c1 = page1.body.data.tenant.users;
    expect(c1.totalCount).toBe(6); // users 0, 4, 8, 12, 16, 20 (22 is active, and deleted)
    expect(c1.nodes).toEqual([
      { userName: 'user00@example.com', active: false },
      { userName: 'user04@example.com', active: false },
    ]);
    expect(c1.pageInfo.hasPreviousPage).toBe(false);
    const page2 = await app.gql(key, q, { f: 'active eq false', after: c1.pageInfo.endCursor });
    expect(page2.body.data.tenant.users.nodes.map((n: any) => n.userName)).toEqual(['user08@example.com', 'user12@example.com']);
    expect(page2.body.data.tenant.users.pageInfo.hasPreviousPage).toBe(true);
    const sw = await app.gql(key, `{ tenant(slug: "${t.slug}") { users(filter: "userName sw \\"USER1\\"") { totalCount } } }`);
    expect(sw.body.data.tenant.users.totalCount).toBe(10);
  });

  it('deletedUsers lists tombstones only', async () => {
    const res = await app.gql(key, `{ tenant(slug: "${t.slug}") { deletedUsers { totalCount nodes { id userName } } } }`);
    expect(res.body.data.tenant.deletedUsers).toEqual({ totalCount: 1, nodes: [{ id: userIds[22], userName: 'user22@example.com' }] });
  });

  it('groups with a filter; group(id) with members paged, every member exactly once', async () => {
    const groups = await app.gql(key, `{ tenant(slug: "${t.slug}") { groups { totalCount nodes { id displayName memberCount } } empty: groups(filter: "not (members pr)") { nodes { id } } } }`);
    expect(groups.body.data.tenant.groups).toEqual({
      totalCount: 2,
      nodes: [
        { id: groupId, displayName: 'Engineering', memberCount: 17 },
        { id: emptyGroupId, displayName: 'Empty', memberCount: 0 },
      ],
    });
    expect(groups.body.data.tenant.empty.nodes).toEqual([{ id: emptyGroupId }]);
    for (const first of [4, 17, 100]) {
      const { ids, total } = await walk(
        (after) => `{ tenant(slug: "${t.slug}") { group(id: "${groupId}") { displayName members(first: ${first}${after ? `, after: "${after}"` : ''}) { totalCount edges { cursor node { id } } nodes { id } pageInfo { hasNextPage endCursor } } } } }`,
        (d) => d.tenant.group.members,
        first,
      );
      expect(total).toBe(17);
      expect(ids).toEqual(userIds.slice(0, 17));
    }
  });

  it('members are found with the SCIM filter on User.groups, which SCIM clients can use too', async () => {
    const viaScim = await scim(app, t.token).get(`${t.base}/Users?filter=${encodeURIComponent(`groups[value eq "${groupId}"] and active eq true`)}&count=100`);
    expect(viaScim.status).toBe(200);
    expect(viaScim.body.Resources.map((r: any) => r.id)).toEqual(userIds.slice(0, 17).filter((_, i) => i % 4 !== 0));
    const viaGql = await app.gql(key, `{ tenant(slug: "${t.slug}") { users(filter: "groups.value eq \\"${emptyGroupId}\\"") { totalCount } } }`);
    expect(viaGql.body.data.tenant.users.totalCount).toBe(0);
  });

  it('SCIM connections and tokens: metadata only, with the last request', async () => {
    // one SCIM request marks the token used
    expect((await scim(app, t.token).get(`${t.base}/Users?count=1`)).status).toBe(200);
    const res = await app.gql(
      key,
      `{ tenant(slug: "${t.slug}") { scimConnections { id idp name lastRequestAt activeTokens tokens { id prefix status lastUsedAt expiresAt revokedAt createdAt connectionId } } scimTokens { id } } }`,
    );
    expect(res.body.errors).toBeUndefined();
    const [conn] = res.body.data.tenant.scimConnections;
    expect(conn).toMatchObject({ id: t.connectionId, idp: 'GENERIC', activeTokens: 1 });
    expect(conn.lastRequestAt).not.toBeNull();
    expect(conn.tokens).toHaveLength(1);
    expect(conn.tokens[0]).toMatchObject({ id: t.tokenId, status: 'ACTIVE', revokedAt: null, connectionId: t.connectionId });
    expect(t.token.startsWith(conn.tokens[0].prefix)).toBe(true);
    expect(conn.tokens[0].lastUsedAt).toBe(conn.lastRequestAt);
    expect(JSON.stringify(res.body)).not.toContain(t.token);
    expect(res.body.data.tenant.scimTokens).toEqual([{ id: t.tokenId }]);
  });

  it('stats per tenant and over every tenant', async () => {
    const res = await app.gql(
      key,
      `{ tenant(slug: "${t.slug}") { stats { usersActive usersInactive usersDeleted groups memberships connections { id lastRequestAt } } } all: stats { usersActive usersDeleted groups connections { id } } one: stats(tenant: "${t.slug}") { usersInactive } }`,
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.tenant.stats).toMatchObject({ usersActive: 16, usersInactive: 6, usersDeleted: 1, groups: 2, memberships: 17 });
    expect(res.body.data.tenant.stats.connections).toHaveLength(1);
    expect(res.body.data.all).toMatchObject({ usersActive: 16, usersDeleted: 1, groups: 2 });
    expect(res.body.data.all.connections.length).toBeGreaterThanOrEqual(2); // Other Co's connection too
    expect(res.body.data.one.usersInactive).toBe(6);
  });

  it('depth and cost limits reject an operation before it runs, with a code', async () => {
    const deep = `{ tenants { users { nodes { groups { members { nodes { groups { members { nodes { groups { members { nodes { id } } } } } } } } } } } } }`;
    const d = await app.gql(key, deep);
    expect(d.status).toBe(400);
    expect(d.body.errors?.[0].extensions).toMatchObject({ code: 'QUERY_TOO_DEEP', maxDepth: 12 });
    const costly = `{ tenants { users(first: 1000) { nodes { groups { members(first: 1000) { nodes { id } } } } } } }`;
    const c = await app.gql(key, costly);
    expect(c.status).toBe(400);
    expect(c.body.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(c.body.errors?.[0].extensions?.cost).toBeGreaterThan(c.body.errors?.[0].extensions?.maxCost);
    // introspection is not counted as depth
    const intro = await app.gql(key, '{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name } } } } } } } }');
    expect(intro.body.errors).toBeUndefined();
  });
});
