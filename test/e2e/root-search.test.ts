import { createTestApp, scim, TestApp } from '../support/app';

/** POST /.search at the tenant root (RFC 7644 §3.4.3): one query over Users and Groups. */
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

let app: TestApp;
let t: Awaited<ReturnType<TestApp['tenant']>>;
let api: ReturnType<typeof scim>;
const users: Record<string, string> = {};
const groups: Record<string, string> = {};

beforeAll(async () => {
  app = await createTestApp();
  t = await app.tenant('Root Search Co');
  api = scim(app, t.token);
  for (const [name, displayName] of [['alice', 'Alice Sales'], ['bob', 'Bob Ops'], ['carol', 'Carol Sales'], ['dave', undefined]] as const) {
    const res = await api.post(`${t.base}/Users`, { schemas: [USER], userName: `${name}@example.com`, externalId: `u-${name}`, ...(displayName ? { displayName } : {}) });
    users[name] = res.body.id;
  }
  for (const [name, displayName] of [['sales', 'Sales'], ['ops', 'Ops team'], ['all', 'Everyone']]) {
    const res = await api.post(`${t.base}/Groups`, { schemas: [GROUP], displayName, externalId: `g-${name}`, members: name === 'sales' ? [{ value: users.alice }] : [] });
    groups[name] = res.body.id;
  }
  // another tenant's resources never show
  const other = await app.tenant('Elsewhere');
  await scim(app, other.token).post(`${other.base}/Users`, { schemas: [USER], userName: 'alice@example.com', displayName: 'Alice Sales' });
});
afterAll(async () => app.close());

const search = (body: Record<string, unknown>) => api.post(`${t.base}/.search`, { schemas: [SEARCH], ...body });
const ids = (res: { body: { Resources: { id: string }[] } }) => res.body.Resources.map((r) => r.id);

describe('POST /.search across resource types (RFC 7644 §3.4.3)', () => {
  it('returns users and groups, each with its own schemas and meta, totalResults exact', async () => {
    const res = await search({});
    expect(res.status).toBe(200);
    expect(res.body.totalResults).toBe(7);
    expect(res.body.startIndex).toBe(1);
    // no sortBy: creation order (UUIDv7 ids), users then groups as they were created
    expect(ids(res)).toEqual([...Object.values(users), ...Object.values(groups)]);
    const alice = res.body.Resources.find((r: { id: string }) => r.id === users.alice);
    expect(alice).toMatchObject({ schemas: [USER], userName: 'alice@example.com', meta: { resourceType: 'User' } });
    const sales = res.body.Resources.find((r: { id: string }) => r.id === groups.sales);
    expect(sales).toMatchObject({ schemas: [GROUP], displayName: 'Sales', meta: { resourceType: 'Group' }, members: [{ value: users.alice }] });
  });

  it('filters on attributes common to the types; one a type lacks is false for that type', async () => {
    expect(ids(await search({ filter: 'displayName co "sales"' })).sort()).toEqual([users.alice, users.carol, groups.sales].sort());
    expect(ids(await search({ filter: 'externalId sw "g-"' })).sort()).toEqual(Object.values(groups).sort());
    expect(ids(await search({ filter: 'meta.resourceType eq "Group"' })).sort()).toEqual(Object.values(groups).sort());
    // userName exists only on User: groups never match it, not even through ne or not
    expect(ids(await search({ filter: 'userName sw "a"' }))).toEqual([users.alice]);
    expect(ids(await search({ filter: 'userName ne "alice@example.com"' })).sort()).toEqual([users.bob, users.carol, users.dave].sort());
    expect(ids(await search({ filter: `members[value eq "${users.alice}"] or userName eq "bob@example.com"` })).sort()).toEqual([groups.sales, users.bob].sort());
    expect((await search({ filter: 'id eq "not-a-uuid"' })).body.totalResults).toBe(0);
  });

  it('refuses an attribute no type has, and bad syntax, with 400 invalidFilter', async () => {
    for (const filter of ['nickname eq "x" or favouriteColour eq "blue"', 'displayName eq', 'displayName zz "x"']) {
      const res = await search({ filter });
      expect([filter, res.status, res.body.scimType]).toEqual([filter, 400, 'invalidFilter']);
    }
    const res = await search({ filter: 'favouriteColour eq "blue"' });
    expect(res.body.detail).toMatch(/favouritecolour.*every resource type/i);
  });

  it('sorts across types (resources without the value last), pages by startIndex and by cursor, and projects', async () => {
    const sorted = await search({ sortBy: 'displayName', attributes: 'displayName' });
    // case-insensitive order; dave has no displayName: last
    expect(sorted.body.Resources.map((r: { displayName?: string }) => r.displayName ?? null)).toEqual([
      'Alice Sales', 'Bob Ops', 'Carol Sales', 'Everyone', 'Ops team', 'Sales', null,
    ]);
    expect(Object.keys(sorted.body.Resources[0]).sort()).toEqual(['displayName', 'id', 'schemas']);
    const all = ids(sorted);

    const byIndex: string[] = [];
    for (let start = 1; start <= 7; start += 3) byIndex.push(...ids(await search({ sortBy: 'displayName', startIndex: start, count: 3 })));
    expect(byIndex).toEqual(all);

    const byCursor: string[] = [];
    let cursor = '';
    for (;;) {
      const res = await search({ sortBy: 'displayName', cursor, count: 2 });
      expect(res.status).toBe(200);
      expect(res.body.totalResults).toBe(7);
      byCursor.push(...ids(res));
      if (!res.body.nextCursor) break;
      cursor = res.body.nextCursor;
    }
    expect(byCursor).toEqual(all);
    // a cursor of /Users is not one of /.search
    const usersCursor = (await api.get(`${t.base}/Users?cursor=&count=1&sortBy=displayName`)).body.nextCursor;
    const res = await search({ sortBy: 'displayName', cursor: usersCursor, count: 2 });
    expect([res.status, res.body.scimType]).toEqual([400, 'invalidCursor']);

    const desc = await search({ sortBy: 'userName', sortOrder: 'descending', excludedAttributes: 'members' });
    expect(ids(desc).slice(0, 4)).toEqual([users.dave, users.carol, users.bob, users.alice]);
    expect(desc.body.Resources.find((r: { id: string }) => r.id === groups.sales).members).toBeUndefined();
  });

  it('refuses a sortBy no type has, and a body that is not an object', async () => {
    const res = await search({ sortBy: 'favouriteColour' });
    expect([res.status, res.body.scimType]).toEqual([400, 'invalidValue']);
    const arr = await api.post(`${t.base}/.search`, [1, 2]);
    expect([arr.status, arr.body.scimType]).toEqual([400, 'invalidSyntax']);
  });
});
