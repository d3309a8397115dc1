import type { RequestContext } from '../../src/domain/context';
import { createTestApp, scim, TestApp } from '../support/app';

/** POST /.search reads each tenant's own resource types: its custom attributes filter and sort there too. */
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => app.close());

const ctxOf = (t: { id: string; slug: string }): RequestContext => ({ tenant: { id: t.id, slug: t.slug, name: t.slug }, actor: { kind: 'admin' }, requestId: 'test' });

describe('POST /.search with custom attributes', () => {
  it("filters and sorts on the tenant's custom User and Group attributes; another tenant does not know them", async () => {
    const a = await app.tenant('Search Custom A');
    const b = await app.tenant('Search Custom B');
    const api = scim(app, a.token);
    const X = (await app.services.customAttributes.define(ctxOf(a), { resourceType: 'User', name: 'level', type: 'integer' })).schema;
    const G = (await app.services.customAttributes.define(ctxOf(a), { resourceType: 'Group', name: 'region', type: 'string', returned: 'always' })).schema;
    const user = async (userName: string, level?: number) =>
      (await api.post(`${a.base}/Users`, { schemas: [USER, ...(level !== undefined ? [X] : [])], userName, ...(level !== undefined ? { [X]: { level } } : {}) })).body.id as string;
    const u3 = await user('three@example.com', 3);
    const u1 = await user('one@example.com', 1);
    const u2 = await user('two@example.com', 2);
    const none = await user('none@example.com');
    const emea = (await api.post(`${a.base}/Groups`, { schemas: [GROUP, G], displayName: 'EMEA', [G]: { region: 'emea' } })).body.id as string;
    const amer = (await api.post(`${a.base}/Groups`, { schemas: [GROUP, G], displayName: 'AMER', [G]: { region: 'amer' } })).body.id as string;
    const search = (body: Record<string, unknown>, on = a, token = a.token) => scim(app, token).post(`${on.base}/.search`, { schemas: [SEARCH], ...body });
    const ids = (res: { body: { Resources: { id: string }[] } }) => res.body.Resources.map((r) => r.id);

    const ge2 = await search({ filter: `${X}:level ge 2` });
    expect(ge2.status).toBe(200);
    expect(ge2.body.totalResults).toBe(2);
    expect(ids(ge2)).toEqual([u3, u2]);
    // an attribute of one type is false for the other (RFC 7644 §3.4.3)
    const either = await search({ filter: `${X}:level eq 1 or ${G}:region eq "EMEA"` });
    expect(ids(either)).toEqual([u1, emea]);
    // sorted by the custom integer (numerically); resources without it (groups too) sort last, ties by id in the same direction
    const sorted = await search({ sortBy: `${X}:level`, sortOrder: 'descending' });
    expect(ids(sorted)).toEqual([u3, u2, u1, amer, emea, none]);
    const byRegion = await search({ filter: `${G}:region pr`, sortBy: `${G}:region` });
    expect(ids(byRegion)).toEqual([amer, emea]);
    // the hits are rendered with the tenant's resource type: returned "always" survives attributes
    const projected = await search({ filter: `${G}:region eq "amer"`, attributes: ['displayName'] });
    expect(projected.body.Resources[0]).toMatchObject({ displayName: 'AMER', [G]: { region: 'amer' } });
    // cursor paging reads the same resource types
    const page1 = await search({ sortBy: `${X}:level`, count: 2, cursor: '' });
    expect(ids(page1)).toEqual([u1, u2]);
    const page2 = await search({ sortBy: `${X}:level`, count: 2, cursor: page1.body.nextCursor });
    expect(ids(page2)).toEqual([u3, none]);

    // tenant B: none of A's attributes exist for any of its types
    const onB = await search({ filter: `${X}:level ge 2` }, b, b.token);
    expect(onB.status).toBe(400);
    expect(onB.body.scimType).toBe('invalidFilter');

    // removed: unknown again at once
    await app.services.customAttributes.remove(ctxOf(a), { resourceType: 'User', name: 'level' });
    const gone = await search({ filter: `${X}:level ge 2` });
    expect([gone.status, gone.body.scimType]).toEqual([400, 'invalidFilter']);
  });
});
