import { scim } from '../support/app';
import { codes, createGqlTestApp, GqlTestApp } from './graphql-helpers';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

let app: GqlTestApp;
let admin: string;
let auditor: string;
beforeAll(async () => {
  app = await createGqlTestApp();
  admin = await app.key('admin');
  auditor = await app.key('auditor');
});
afterAll(async () => app.close());

const DEFINE = `mutation Define($tenant: String!, $input: DefineAttributeInput!) {
  defineAttribute(tenant: $tenant, input: $input) { id resourceType schema name type multiValued caseExact mutability returned canonicalValues subAttributes { name type } }
}`;
const REMOVE = `mutation Remove($tenant: String!, $resourceType: String!, $name: String!) {
  removeAttribute(tenant: $tenant, resourceType: $resourceType, name: $name) { resourcesChanged attribute { name schema } }
}`;
const LIST = `query List($slug: String!, $rt: String) { tenant(slug: $slug) { attributeDefinitions(resourceType: $rt) { name type resourceType schema subAttributes { name type } } } }`;
const schemaIds = async (api: ReturnType<typeof scim>, base: string) => (await api.get(`${base}/Schemas`)).body.Resources.map((s: any) => s.id);

describe('custom attributes over GraphQL', () => {
  it('an attribute defined over GraphQL is usable over SCIM for that tenant only, and listed in its /Schemas; remove undoes it', async () => {
    const a = await app.tenant('Gql Attr A');
    const b = await app.tenant('Gql Attr B');
    const apiA = scim(app, a.token);
    const apiB = scim(app, b.token);
    const res = await app.gql(admin, DEFINE, { tenant: a.slug, input: { resourceType: 'user', name: 'costCenter', canonicalValues: ['R&D', 'Sales'] } });
    expect(res.body.errors).toBeUndefined();
    const def = res.body.data.defineAttribute;
    const X = `urn:ietf:params:scim:schemas:extension:${a.slug}:2.0:User`;
    expect(def).toMatchObject({ resourceType: 'User', schema: X, name: 'costCenter', type: 'string', multiValued: false, mutability: 'readWrite', returned: 'default', subAttributes: null });
    expect(def.canonicalValues).toEqual(['R&D', 'Sales']);
    const complex = await app.gql(admin, DEFINE, { tenant: a.slug, input: { resourceType: 'User', name: 'budget', subAttributes: [{ name: 'code' }, { name: 'amount', type: 'decimal' }] } });
    expect(complex.body.data.defineAttribute).toMatchObject({ type: 'complex', subAttributes: [{ name: 'code', type: 'string' }, { name: 'amount', type: 'decimal' }] });

    // SCIM: written, read back, filtered and sorted on tenant A
    for (const [userName, cc] of [['gql.a1@example.com', 'Sales'], ['gql.a2@example.com', 'R&D']]) {
      const created = await apiA.post(`${a.base}/Users`, { schemas: [USER, X], userName, [X]: { costCenter: cc, budget: { code: 'B', amount: 1.5 } } });
      expect(created.status).toBe(201);
      expect(created.body[X]).toEqual({ costCenter: cc, budget: { code: 'B', amount: 1.5 } });
    }
    const filtered = await apiA.get(`${a.base}/Users`).query({ filter: `${X}:costCenter eq "sales"` });
    expect(filtered.body.Resources.map((u: any) => u.userName)).toEqual(['gql.a1@example.com']);
    const sorted = await apiA.get(`${a.base}/Users`).query({ sortBy: `${X}:costCenter` });
    expect(sorted.body.Resources.map((u: any) => u.userName)).toEqual(['gql.a2@example.com', 'gql.a1@example.com']);
    expect(await schemaIds(apiA, a.base)).toContain(X);
    const schema = await apiA.get(`${a.base}/Schemas/${X}`);
    expect(schema.body.attributes.map((x: any) => x.name)).toEqual(['costCenter', 'budget']);

    // tenant B knows nothing of it
    expect(await schemaIds(apiB, b.base)).not.toContain(X);
    const onB = await apiB.post(`${b.base}/Users`, { schemas: [USER], userName: 'gql.b1@example.com', [X]: { costCenter: 'Sales' } });
    expect(onB.status).toBe(201);
    expect(onB.body[X]).toBeUndefined();
    expect((await apiB.get(`${b.base}/Users`).query({ filter: `${X}:costCenter eq "Sales"` })).body.scimType).toBe('invalidFilter');
    expect((await app.gql(admin, LIST, { slug: b.slug })).body.data.tenant.attributeDefinitions).toEqual([]);

    // listed, also to an auditor, optionally by resource type
    const listed = await app.gql(auditor, LIST, { slug: a.slug, rt: 'User' });
    expect(listed.body.data.tenant.attributeDefinitions.map((x: any) => x.name)).toEqual(['costCenter', 'budget']);
    expect((await app.gql(auditor, LIST, { slug: a.slug, rt: 'Group' })).body.data.tenant.attributeDefinitions).toEqual([]);
    expect(codes(await app.gql(auditor, LIST, { slug: a.slug, rt: 'Device' }))).toEqual(['BAD_USER_INPUT']);

    // remove: the values go with it, the schema no longer lists it
    const removed = await app.gql(admin, REMOVE, { tenant: a.slug, resourceType: 'User', name: 'COSTCENTER' });
    expect(removed.body.data.removeAttribute).toEqual({ resourcesChanged: 2, attribute: { name: 'costCenter', schema: X } });
    const after = await apiA.get(`${a.base}/Users`).query({ filter: 'userName eq "gql.a1@example.com"' });
    expect(after.body.Resources[0][X]).toEqual({ budget: { code: 'B', amount: 1.5 } });
    expect((await apiA.get(`${a.base}/Schemas/${X}`)).body.attributes.map((x: any) => x.name)).toEqual(['budget']);
    expect((await apiA.get(`${a.base}/Users`).query({ filter: `${X}:costCenter eq "sales"` })).body.scimType).toBe('invalidFilter');
    await app.gql(admin, REMOVE, { tenant: a.slug, resourceType: 'User', name: 'budget' });
    expect(await schemaIds(apiA, a.base)).not.toContain(X);
    expect(codes(await app.gql(admin, REMOVE, { tenant: a.slug, resourceType: 'User', name: 'budget' }))).toEqual(['NOT_FOUND']);
  });

  it('is refused to auditors and to keys of another tenant; a key of the tenant may define', async () => {
    const t = await app.tenant('Gql Attr Roles');
    const other = await app.tenant('Gql Attr Other');
    const input = { resourceType: 'Group', name: 'region' };
    expect(codes(await app.gql(auditor, DEFINE, { tenant: t.slug, input }))).toEqual(['FORBIDDEN']);
    // another tenant's key: the answer for a tenant that does not exist (no existence oracle)
    expect(codes(await app.gql(await app.key('admin', other.slug), DEFINE, { tenant: t.slug, input }))).toEqual(['NOT_FOUND']);
    expect(codes(await app.gql(await app.key('auditor', other.slug), LIST, { slug: t.slug }))).toEqual(['NOT_FOUND']);
    expect(codes(await app.gql(undefined, DEFINE, { tenant: t.slug, input }))).toEqual(['UNAUTHENTICATED']);
    expect(await app.services.customAttributes.list({ tenant: { id: t.id, slug: t.slug, name: '' }, actor: { kind: 'admin' }, requestId: 't' })).toEqual([]);
    const own = await app.gql(await app.key('admin', t.slug), DEFINE, { tenant: t.slug, input });
    expect(own.body.data.defineAttribute).toMatchObject({ resourceType: 'Group', name: 'region' });
    expect(codes(await app.gql(auditor, REMOVE, { tenant: t.slug, resourceType: 'Group', name: 'region' }))).toEqual(['FORBIDDEN']);
    expect((await app.gql(auditor, LIST, { slug: t.slug })).body.data.tenant.attributeDefinitions.map((x: any) => x.name)).toEqual(['region']);
  });

  it('bad definitions are BAD_USER_INPUT, a duplicate name (any case) is CONFLICT, and nothing is stored', async () => {
    const t = await app.tenant('Gql Attr Bad');
    const bad: Record<string, unknown>[] = [
      { resourceType: 'User', name: '1abc' },
      { resourceType: 'User', name: 'a.b' },
      { resourceType: 'Device', name: 'x' },
      { resourceType: 'User', name: 'x', type: 'float' },
      { resourceType: 'User', name: 'x', mutability: 'readOnly' },
      { resourceType: 'User', name: 'x', returned: 'never' },
      { resourceType: 'User', name: 'x', schema: 'urn:ietf:params:scim:schemas:core:2.0:User' },
      { resourceType: 'User', name: 'x', type: 'integer', canonicalValues: ['a'] },
      { resourceType: 'User', name: 'x', type: 'string', subAttributes: [{ name: 'y' }] },
      { resourceType: 'User', name: 'x', subAttributes: [{ name: 'y' }, { name: 'Y' }] },
      { resourceType: 'User', name: 'x', subAttributes: [{ name: 'y', type: 'complex' }] },
    ];
    for (const input of bad) expect([JSON.stringify(input), codes(await app.gql(admin, DEFINE, { tenant: t.slug, input }))]).toEqual([JSON.stringify(input), ['BAD_USER_INPUT']]);
    expect((await app.gql(admin, LIST, { slug: t.slug })).body.data.tenant.attributeDefinitions).toEqual([]);
    expect((await app.gql(admin, DEFINE, { tenant: t.slug, input: { resourceType: 'User', name: 'badge' } })).body.errors).toBeUndefined();
    const dup = await app.gql(admin, DEFINE, { tenant: t.slug, input: { resourceType: 'User', name: 'BADGE', type: 'integer' } });
    expect(codes(dup)).toEqual(['CONFLICT']);
    expect(dup.body.errors![0].extensions!.reason).toBe('uniqueness');
    expect(codes(await app.gql(admin, DEFINE, { tenant: 'no-such-tenant', input: { resourceType: 'User', name: 'x' } }))).toEqual(['NOT_FOUND']);
    // GraphQL's own type checks come first
    const typed = await app.gql(admin, DEFINE, { tenant: t.slug, input: { resourceType: 'User', name: 'x', multiValued: 'yes' } });
    expect([typed.status, codes(typed)]).toEqual([400, ['BAD_USER_INPUT']]);
    expect((await app.gql(admin, LIST, { slug: t.slug })).body.data.tenant.attributeDefinitions.map((x: any) => x.name)).toEqual(['badge']);
  });
});

describe('a definition that keeps losing to concurrent writes', () => {
  it('is retried, then refused as SERVICE_UNAVAILABLE (never INTERNAL_SERVER_ERROR), with nothing stored', async () => {
    const t = await app.tenant('Gql Attr Busy');
    const run = (text: string) => app.orm.em.getConnection().execute(text);
    await run('create sequence gql_busy_seq');
    await run(`create function gql_busy() returns trigger language plpgsql as $$
      begin
        if new.name = 'busyOnce' and nextval('gql_busy_seq') = 1 then raise exception 'forced' using errcode = '40P01'; end if;
        if new.name = 'busyAlways' then raise exception 'forced' using errcode = '40001'; end if;
        return new;
      end $$`);
    await run('create trigger gql_busy before insert on custom_attribute for each row execute function gql_busy()');
    try {
      const once = await app.gql(admin, DEFINE, { tenant: t.slug, input: { resourceType: 'User', name: 'busyOnce' } });
      expect(once.body.errors).toBeUndefined(); // the deadlock victim ran again
      const always = await app.gql(admin, DEFINE, { tenant: t.slug, input: { resourceType: 'User', name: 'busyAlways' } });
      expect(codes(always)).toEqual(['SERVICE_UNAVAILABLE']);
      expect(always.body.errors![0].extensions!.reason).toBe('unavailable');
      expect((await app.gql(admin, LIST, { slug: t.slug })).body.data.tenant.attributeDefinitions.map((x: any) => x.name)).toEqual(['busyOnce']);
    } finally {
      await run('drop trigger gql_busy on custom_attribute');
    }
  });
});
