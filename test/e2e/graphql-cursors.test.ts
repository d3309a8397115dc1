import { scim } from '../support/app';
import { codes, createGqlTestApp, GqlTestApp } from './graphql-helpers';

let app: GqlTestApp;
let key: string;
beforeAll(async () => {
  app = await createGqlTestApp();
  key = await app.key('auditor');
});
afterAll(async () => app.close());

const USER = (userName: string) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName });
const usersQuery = (slug: string, orderBy = '') => `query($after: String, $first: Int) { tenant(slug: "${slug}") { users(first: $first, after: $after${orderBy}) {
  totalCount edges { cursor node { id userName } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`;

async function tenantWith(name: string, n: number) {
  const t = await app.tenant(name);
  const api = scim(app, t.token);
  const create = async (userName: string): Promise<string> => {
    const res = await api.post(`${t.base}/Users`, USER(userName));
    expect(res.status).toBe(201);
    return res.body.id;
  };
  const del = async (id: string) => expect((await api.delete(`${t.base}/Users/${id}`)).status).toBe(204);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(await create(`u${String(i * 10).padStart(3, '0')}@example.com`));
  return { t, ids, create, del };
}

describe('GraphQL connections page by keyset cursor (RFC 9865), not by offset', () => {
  it('inserts and deletes between pages neither skip nor repeat a user, in id order and sorted by userName', async () => {
    for (const sorted of [false, true]) {
      const { t, ids, create, del } = await tenantWith(sorted ? 'Cursor Sorted' : 'Cursor Ids', 12);
      const q = usersQuery(t.slug, sorted ? ', orderBy: { attribute: "userName" }' : '');
      const seen: string[] = [];
      const deletedUnseen: string[] = [];
      const insertedAhead: string[] = [];
      let after: string | null = null;
      for (let page = 0; ; page++) {
        const res = await app.gql(key, q, { after, first: 3 });
        expect(res.body.errors).toBeUndefined();
        const conn = res.body.data.tenant.users;
        seen.push(...conn.edges.map((e: any) => e.node.id));
        if (!conn.pageInfo.hasNextPage) break;
        after = conn.pageInfo.endCursor;
        if (page > 1) continue;
        // between pages: delete a user already read (an offset would then skip one) and one not read yet,
        // and insert users behind the position (never to be read) and ahead of it (to be read)
        const rest = ids.filter((id) => !seen.includes(id) && !deletedUnseen.includes(id));
        await del(seen[seen.length - 2]);
        await del(rest[1]);
        deletedUnseen.push(rest[1]);
        if (sorted) await create(`u000-${page}@example.com`); // sorts before every page read so far
        insertedAhead.push(await create(`u999-${page}@example.com`)); // sorts (and, UUIDv7, is numbered) after every user
      }
      expect(new Set(seen).size).toBe(seen.length); // nothing twice
      const expected = [...ids.filter((id) => !deletedUnseen.includes(id)), ...insertedAhead];
      expect(seen).toEqual(expected); // nothing skipped, in order; the users inserted behind were not read
    }
  });

  it("any edge's cursor continues right after its node, and cursors are bound to their query", async () => {
    const { t, ids } = await tenantWith('Cursor Edges', 7);
    const first = await app.gql(key, usersQuery(t.slug), { first: 4 });
    const conn = first.body.data.tenant.users;
    expect(conn.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false, startCursor: conn.edges[0].cursor, endCursor: conn.edges[3].cursor });
    const fromSecond = await app.gql(key, usersQuery(t.slug), { first: 2, after: conn.edges[1].cursor });
    expect(fromSecond.body.data.tenant.users.edges.map((e: any) => e.node.id)).toEqual(ids.slice(2, 4));
    expect(fromSecond.body.data.tenant.users.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const last = await app.gql(key, usersQuery(t.slug), { first: 10, after: conn.edges[3].cursor });
    expect(last.body.data.tenant.users).toMatchObject({ totalCount: 7, pageInfo: { hasNextPage: false, hasPreviousPage: true } });
    expect(last.body.data.tenant.users.edges.map((e: any) => e.node.id)).toEqual(ids.slice(4));
    // another order, another tenant, garbage, an offset cursor of the old scheme: BAD_USER_INPUT, never a 500
    const other = await tenantWith('Cursor Other', 1);
    const cursor = conn.edges[1].cursor;
    for (const [query, after] of [
      [usersQuery(t.slug, ', orderBy: { attribute: "userName" }'), cursor],
      [usersQuery(other.t.slug), cursor],
      [usersQuery(t.slug), 'not-a-cursor'],
      [usersQuery(t.slug), Buffer.from('o:3').toString('base64url')],
      [usersQuery(t.slug), cursor.slice(0, -2) + (cursor.endsWith('AA') ? 'AB' : 'AA')],
    ]) {
      const res = await app.gql(key, query, { first: 2, after });
      expect([after, res.status, codes(res)]).toEqual([after, 200, ['BAD_USER_INPUT']]);
      expect(res.body.errors![0].extensions!.reason).toBe('invalidCursor');
    }
    // the group members' connection binds the group too
    const api = scim(app, t.token);
    const g1 = (await api.post(`${t.base}/Groups`, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'A', members: ids.map((value) => ({ value })) })).body.id;
    const g2 = (await api.post(`${t.base}/Groups`, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'B', members: ids.map((value) => ({ value })) })).body.id;
    const members = (g: string) => `query($after: String) { tenant(slug: "${t.slug}") { group(id: "${g}") { members(first: 3, after: $after) { edges { cursor node { id } } } } } }`;
    const m1 = await app.gql(key, members(g1), {});
    const c = m1.body.data.tenant.group.members.edges[2].cursor;
    expect((await app.gql(key, members(g1), { after: c })).body.data.tenant.group.members.edges.map((e: any) => e.node.id)).toEqual(ids.slice(3, 6));
    expect(codes(await app.gql(key, members(g2), { after: c }))).toEqual(['BAD_USER_INPUT']);
  });
});
