import { runCommand } from '../../src/cli/commands';
import type { RequestContext } from '../../src/domain/context';
import { migrate } from '../../src/db/orm';
import { createTestApp, scim, TestApp } from '../support/app';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let app: TestApp;
let a: Awaited<ReturnType<TestApp['tenant']>>;
let b: Awaited<ReturnType<TestApp['tenant']>>;
let apiA: ReturnType<typeof scim>;
let apiB: ReturnType<typeof scim>;
let X: string; // tenant A's User extension URN
let ctxA: RequestContext;

beforeAll(async () => {
  app = await createTestApp();
  a = await app.tenant('Custom A');
  b = await app.tenant('Custom B');
  apiA = scim(app, a.token);
  apiB = scim(app, b.token);
  ctxA = { tenant: { id: a.id, slug: a.slug, name: 'Custom A' }, actor: { kind: 'admin' }, requestId: 'test' };
  const define = (input: Record<string, unknown>) => app.services.customAttributes.define(ctxA, { resourceType: 'User', ...input } as never);
  const first = await define({ name: 'costCode', type: 'string' });
  X = first.schema;
  await define({ name: 'level', type: 'integer' });
  await define({ name: 'score', type: 'decimal' });
  await define({ name: 'hired', type: 'dateTime' });
  await define({ name: 'vip', type: 'boolean' });
  await define({ name: 'tags', type: 'string', multiValued: true });
  await define({ name: 'badge', type: 'string', caseExact: true });
  await define({ name: 'site', type: 'reference', referenceTypes: ['external'] });
  await define({ name: 'badgeId', type: 'string', mutability: 'immutable' });
  await define({ name: 'budget', type: 'complex', subAttributes: [{ name: 'code', type: 'string' }, { name: 'amount', type: 'decimal' }] });
});
afterAll(async () => app.close());

const userA = (userName: string, ext: Record<string, unknown>) => ({ schemas: [USER, X], userName, [X]: ext });
async function createA(userName: string, ext: Record<string, unknown>): Promise<Record<string, any>> {
  const res = await apiA.post(`${a.base}/Users`, userA(userName, ext));
  expect(res.status).toBe(201);
  return res.body;
}
const names = (res: { body: any }) => res.body.Resources.map((r: any) => r.userName);

describe('defining custom attributes', () => {
  it('uses the tenant slug in the default extension URN', () => {
    expect(X).toBe(`urn:ietf:params:scim:schemas:extension:${a.slug}:2.0:User`);
  });

  it('refuses bad definitions: reserved URNs, bad names, unknown types, duplicates (any case), sub-attributes on simple types', async () => {
    const define = (input: Record<string, unknown>) => app.services.customAttributes.define(ctxA, { resourceType: 'User', ...input } as never);
    await expect(define({ name: 'x1', type: 'string', schema: 'urn:ietf:params:scim:schemas:core:2.0:User' })).rejects.toMatchObject({ code: 'invalidValue' });
    await expect(define({ name: 'x1', type: 'string', schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User' })).rejects.toMatchObject({ code: 'invalidValue' });
    await expect(define({ name: 'x1', type: 'string', schema: "urn:x:y'?:User" })).rejects.toMatchObject({ code: 'invalidValue' });
    await expect(define({ name: '1abc', type: 'string' })).rejects.toMatchObject({ code: 'invalidValue' });
    await expect(define({ name: 'a.b', type: 'string' })).rejects.toMatchObject({ code: 'invalidValue' });
    await expect(define({ name: 'x2', type: 'float' })).rejects.toMatchObject({ code: 'invalidValue' });
    await expect(define({ name: 'COSTCODE', type: 'string' })).rejects.toMatchObject({ code: 'uniqueness' });
    await expect(define({ name: 'x3', type: 'string', subAttributes: [{ name: 's', type: 'string' }] })).rejects.toMatchObject({ code: 'invalidValue' });
    await expect(define({ name: 'x4', type: 'complex', subAttributes: [{ name: 'deep', type: 'complex' }] })).rejects.toMatchObject({ code: 'invalidValue' });
    await expect(define({ name: 'x5', type: 'string', mutability: 'readOnly' })).rejects.toMatchObject({ code: 'invalidValue' });
    await expect(define({ name: 'x6', type: 'string', uniqueness: 'server' })).rejects.toMatchObject({ code: 'invalidValue' });
    // required only before the tenant has users: afterwards every existing user would fail its PATCHes
    await apiA.post(`${a.base}/Users`, { schemas: [USER], userName: 'ca.exists@example.com' });
    await expect(define({ name: 'x8', type: 'string', required: true })).rejects.toMatchObject({ code: 'invalidValue' });
    // a Group attribute cannot go into the User extension's schema
    await expect(app.services.customAttributes.define(ctxA, { resourceType: 'Group', schema: X, name: 'x7', type: 'string' })).rejects.toMatchObject({ code: 'invalidValue' });
    expect((await app.services.customAttributes.list(ctxA, { resourceType: 'User' })).map((d) => d.attribute.name)).not.toContain('x1');
  });
});

describe('discovery shows a tenant its own extension only', () => {
  it('/Schemas and /ResourceTypes of A list the extension with its characteristics; B sees nothing of it', async () => {
    const schemas = await apiA.get(`${a.base}/Schemas`);
    const ext = schemas.body.Resources.find((s: any) => s.id === X);
    expect(ext.attributes.map((x: any) => x.name)).toEqual(['costCode', 'level', 'score', 'hired', 'vip', 'tags', 'badge', 'site', 'badgeId', 'budget']);
    expect(ext.attributes.find((x: any) => x.name === 'tags')).toMatchObject({ type: 'string', multiValued: true, uniqueness: 'none' });
    expect(ext.attributes.find((x: any) => x.name === 'budget').subAttributes.map((s: any) => [s.name, s.type])).toEqual([
      ['code', 'string'],
      ['amount', 'decimal'],
    ]);
    expect((await apiA.get(`${a.base}/Schemas/${X}`)).body.id).toBe(X);
    const rt = await apiA.get(`${a.base}/ResourceTypes/User`);
    expect(rt.body.schemaExtensions).toEqual([
      { schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', required: false },
      { schema: X, required: false },
    ]);

    const other = await apiB.get(`${b.base}/Schemas`);
    expect(other.body.Resources.map((s: any) => s.id)).not.toContain(X);
    expect((await apiB.get(`${b.base}/Schemas/${X}`)).status).toBe(404);
    expect((await apiB.get(`${b.base}/ResourceTypes/User`)).body.schemaExtensions).toHaveLength(1);
  });
});

describe('values through the SCIM API', () => {
  it('are validated, stored as sent in the user document and returned with the extension in schemas', async () => {
    const u = await createA('ca.one@example.com', {
      costCode: 'CC-1',
      level: 3,
      score: 2.5,
      hired: '2020-02-29T08:00:00Z',
      vip: true,
      tags: ['blue', 'Green'],
      badge: 'AbC',
      site: 'https://example.com/site/1',
      budget: { code: 'B1', amount: 12.5 },
    });
    expect(u.schemas).toEqual([USER, X]);
    expect(u[X]).toEqual({
      costCode: 'CC-1', level: 3, score: 2.5, hired: '2020-02-29T08:00:00Z', vip: true, tags: ['blue', 'Green'], badge: 'AbC',
      site: 'https://example.com/site/1', budget: { code: 'B1', amount: 12.5 },
    });
    expect((await apiA.get(`${a.base}/Users/${u.id}`)).body[X]).toEqual(u[X]);
  });

  it.each([
    ['level', '3'],
    ['level', 2.5],
    ['score', 'high'],
    ['hired', 'yesterday'],
    ['hired', '2021-02-29T00:00:00Z'],
    ['vip', 'yes'],
    ['tags', [{ nested: true }]],
    ['budget', { amount: 'lots' }],
    ['costCode', { an: 'object' }],
  ])('400 invalidValue for %s = %j, and nothing is stored', async (name, value) => {
    const userName = `bad.${name}.${JSON.stringify(value).length}@example.com`;
    const res = await apiA.post(`${a.base}/Users`, userA(userName, { [name]: value }));
    expect(res.status).toBe(400);
    expect(res.body.scimType).toBe('invalidValue');
    expect((await apiA.get(`${a.base}/Users`).query({ filter: `userName eq "${userName}"` })).body.totalResults).toBe(0);
  });

  it('a string boolean for a custom boolean reads as a boolean: every connection but a strict one is lenient', async () => {
    const u = await createA('ca.vip@example.com', { vip: 'False' });
    expect(u[X].vip).toBe(false);
  });

  it('PATCH sets, adds and removes them by URN path, path-less object and value filter; immutable holds', async () => {
    const u = await createA('ca.patch@example.com', { level: 1, tags: ['a'], badgeId: 'B-1' });
    const patch = (Operations: unknown[]) => apiA.patch(`${a.base}/Users/${u.id}`, { schemas: [PATCH], Operations });
    let res = await patch([
      { op: 'replace', path: `${X}:level`, value: 7 },
      { op: 'add', path: `${X}:tags`, value: ['b'] },
      { op: 'add', value: { [`${X}:costCode`]: 'CC-9', [X]: { score: 9.75 } } },
      { op: 'replace', path: `${X}:budget.amount`, value: 100 },
    ]);
    expect(res.status).toBe(200);
    expect(res.body[X]).toEqual({ level: 7, tags: ['a', 'b'], badgeId: 'B-1', costCode: 'CC-9', score: 9.75, budget: { amount: 100 } });
    res = await patch([{ op: 'replace', path: `${X}:tags[value eq "A"]`, value: 'c' }]);
    expect(res.body[X].tags).toEqual(['c', 'b']); // a simple multi-valued attribute filters on "value", case-insensitively
    res = await patch([{ op: 'remove', path: `${X}:tags[value eq "b"]` }]);
    expect(res.body[X].tags).toEqual(['c']);
    res = await patch([{ op: 'remove', path: `${X}:tags` }, { op: 'remove', path: `${X}:budget` }]);
    expect(res.body[X]).toEqual({ level: 7, badgeId: 'B-1', costCode: 'CC-9', score: 9.75 });
    res = await patch([{ op: 'replace', path: `${X}:badgeId`, value: 'B-2' }]);
    expect(res.status).toBe(400);
    expect(res.body.scimType).toBe('mutability');
    res = await patch([{ op: 'replace', path: `${X}:level`, value: 'seven' }]);
    expect(res.body.scimType).toBe('invalidValue');
    expect((await apiA.get(`${a.base}/Users/${u.id}`)).body[X].level).toBe(7);
  });

  it('are filterable and sortable in SQL, typed by their definition', async () => {
    await createA('ca.f1@example.com', { level: 10, score: 1.5, tags: ['red'], vip: true, hired: '2019-01-01T00:00:00Z', badge: 'XY', budget: { code: 'F', amount: 5 } });
    await createA('ca.f2@example.com', { level: 20, score: 3.25, tags: ['RED', 'green'], vip: false, hired: '2021-06-01T00:00:00Z', badge: 'xy', budget: { code: 'F', amount: 50 } });
    await createA('ca.f3@example.com', { level: 30, score: 2, tags: ['blue'], hired: '2023-01-01T12:00:00Z', budget: { code: 'G', amount: 500 } });
    const find = (filter: string, extra: Record<string, string> = {}) =>
      apiA.get(`${a.base}/Users`).query({ filter: `userName sw "ca.f" and (${filter})`, ...extra });
    expect(names(await find(`${X}:level ge 20`))).toEqual(['ca.f2@example.com', 'ca.f3@example.com']);
    expect(names(await find(`${X}:score gt 1.75 and ${X}:score lt 3`))).toEqual(['ca.f3@example.com']);
    expect(names(await find(`${X}:tags eq "red"`))).toEqual(['ca.f1@example.com', 'ca.f2@example.com']); // caseExact false
    expect(names(await find(`${X}:badge eq "xy"`))).toEqual(['ca.f2@example.com']); // caseExact true
    expect(names(await find(`${X}:vip eq false`))).toEqual(['ca.f2@example.com']);
    expect(names(await find(`${X}:hired gt "2020-01-01T00:00:00Z"`))).toEqual(['ca.f2@example.com', 'ca.f3@example.com']);
    expect(names(await find(`${X}:budget.amount ge 50 and ${X}:budget.code eq "F"`))).toEqual(['ca.f2@example.com']);
    expect(names(await find(`not (${X}:vip pr)`))).toEqual(['ca.f3@example.com']);
    expect(names(await find(`${X}:level pr`, { sortBy: `${X}:score`, sortOrder: 'descending' }))).toEqual([
      'ca.f2@example.com',
      'ca.f3@example.com',
      'ca.f1@example.com',
    ]);
    const bad = await find(`${X}:level eq "ten"`);
    expect(bad.status).toBe(400);
    expect(bad.body.scimType).toBe('invalidFilter');
  });

  it('projection: attributes and excludedAttributes name them by URN', async () => {
    const u = await createA('ca.proj@example.com', { level: 4, costCode: 'P' });
    const only = await apiA.get(`${a.base}/Users/${u.id}`).query({ attributes: `${X}:level` });
    expect(only.body[X]).toEqual({ level: 4 });
    expect(only.body.userName).toBeUndefined();
    const without = await apiA.get(`${a.base}/Users/${u.id}`).query({ excludedAttributes: `${X}:costCode` });
    expect(without.body[X]).toEqual({ level: 4 });
    expect(without.body.userName).toBe('ca.proj@example.com');
  });

  it('returned "always" attributes come back whatever the projection asks (RFC 7643 §2.2)', async () => {
    const def = await app.services.customAttributes.define(ctxA, { resourceType: 'User', name: 'tenantKey', type: 'string', returned: 'always' });
    const u = await createA('ca.always@example.com', { tenantKey: 'K', level: 1 });
    const only = await apiA.get(`${a.base}/Users/${u.id}`).query({ attributes: 'userName' });
    expect(only.body[X]).toEqual({ tenantKey: 'K' });
    const excluded = await apiA.get(`${a.base}/Users/${u.id}`).query({ excludedAttributes: `${X}:tenantKey,${X}:level` });
    expect(excluded.body[X]).toEqual({ tenantKey: 'K' });
    await app.services.customAttributes.remove(ctxA, { resourceType: 'User', name: def.attribute.name });
  });

  it('another tenant cannot use them: values ignored on write, 400 on filter', async () => {
    const res = await apiB.post(`${b.base}/Users`, { schemas: [USER], userName: 'b.one@example.com', [X]: { level: 1 } });
    expect(res.status).toBe(201);
    expect(res.body[X]).toBeUndefined();
    expect(res.body.schemas).toEqual([USER]);
    const filtered = await apiB.get(`${b.base}/Users`).query({ filter: `${X}:level eq 1` });
    expect(filtered.status).toBe(400);
    expect(filtered.body.scimType).toBe('invalidFilter');
  });
});

describe('the CLI and removal', () => {
  const run = (name: Parameters<typeof runCommand>[2], args: Record<string, string | number | boolean | undefined>) =>
    runCommand(app.services, app.config, name, args, () => migrate(app.orm));

  it('defines a Group attribute from the CLI, which groups then carry and filter on', async () => {
    const out = (await run('attribute.define', { tenant: a.slug, resource: 'group', name: 'region', type: 'string', canonicalValues: 'emea,amer' })) as any;
    expect(out).toMatchObject({ resourceType: 'Group', name: 'region', schema: `urn:ietf:params:scim:schemas:extension:${a.slug}:2.0:Group` });
    const G = out.schema;
    const cx = (await run('attribute.define', { tenant: a.slug, resource: 'Group', name: 'cost', sub: 'code:string,amount:decimal' })) as any;
    expect(cx.attribute.type).toBe('complex');
    const listed = (await run('attribute.list', { tenant: a.slug, resource: 'Group' })) as any[];
    expect(listed.map((r) => r.name)).toEqual(['region', 'cost']);
    const created = await apiA.post(`${a.base}/Groups`, { schemas: [GROUP, G], displayName: 'EMEA team', [G]: { region: 'emea' } });
    expect(created.status).toBe(201);
    expect(created.body.schemas).toEqual([GROUP, G]);
    expect((await apiA.get(`${a.base}/Groups`).query({ filter: `${G}:region eq "EMEA"` })).body.Resources.map((g: any) => g.displayName)).toEqual(['EMEA team']);
    await expect(run('attribute.define', { tenant: a.slug, resource: 'Group', name: 'region', type: 'string' })).rejects.toMatchObject({ code: 'uniqueness' });
  });

  it('remove drops the definition and every stored value, bumping versions; the name can be redefined with another type', async () => {
    const u = await createA('ca.remove@example.com', { costCode: 'R-1', level: 2 });
    const out = (await run('attribute.remove', { tenant: a.slug, resource: 'User', name: 'costcode' })) as any;
    expect(out.name).toBe('costCode');
    expect(out.resourcesChanged).toBeGreaterThanOrEqual(1);
    const after = await apiA.get(`${a.base}/Users/${u.id}`);
    expect(after.body[X]).toEqual({ level: 2 });
    expect(after.body.meta.version).not.toBe(u.meta.version);
    const schema = await apiA.get(`${a.base}/Schemas/${X}`);
    expect(schema.body.attributes.map((x: any) => x.name)).not.toContain('costCode');
    const filter = await apiA.get(`${a.base}/Users`).query({ filter: `${X}:costCode eq "R-1"` });
    expect(filter.body.scimType).toBe('invalidFilter');
    await run('attribute.define', { tenant: a.slug, resource: 'User', name: 'costCode', type: 'integer' });
    const patched = await apiA.patch(`${a.base}/Users/${u.id}`, { schemas: [PATCH], Operations: [{ op: 'add', path: `${X}:costCode`, value: 5 }] });
    expect(patched.body[X]).toEqual({ level: 2, costCode: 5 });
    await expect(run('attribute.remove', { tenant: a.slug, resource: 'User', name: 'nope' })).rejects.toMatchObject({ code: 'notFound' });
  });

  it("removing a user extension's last attribute drops the URN from documents and schemas", async () => {
    const ctxB: RequestContext = { tenant: { id: b.id, slug: b.slug, name: 'Custom B' }, actor: { kind: 'admin' }, requestId: 't' };
    const def = await app.services.customAttributes.define(ctxB, { resourceType: 'User', name: 'only', type: 'boolean' });
    const res = await apiB.post(`${b.base}/Users`, { schemas: [USER, def.schema], userName: 'b.only@example.com', [def.schema]: { only: true } });
    expect(res.body[def.schema]).toEqual({ only: true });
    await app.services.customAttributes.remove(ctxB, { resourceType: 'User', name: 'only' });
    const after = await apiB.get(`${b.base}/Users/${res.body.id}`);
    expect(after.body.schemas).toEqual([USER]);
    expect(after.body[def.schema]).toBeUndefined();
    expect((await apiB.get(`${b.base}/Schemas`)).body.Resources.map((s: any) => s.id)).not.toContain(def.schema);
  });
});

describe('a required custom attribute', () => {
  it('defined before any user exists, is required on POST and PUT and cannot be removed by PATCH', async () => {
    const c = await app.tenant('Custom Required');
    const api = scim(app, c.token);
    const ctx: RequestContext = { tenant: { id: c.id, slug: c.slug, name: 'Custom Required' }, actor: { kind: 'admin' }, requestId: 't' };
    const def = await app.services.customAttributes.define(ctx, { resourceType: 'User', name: 'costCenterCode', type: 'string', required: true });
    const missing = await api.post(`${c.base}/Users`, { schemas: [USER], userName: 'r1@example.com' });
    expect([missing.status, missing.body.scimType]).toEqual([400, 'invalidValue']);
    const ok = await api.post(`${c.base}/Users`, { schemas: [USER, def.schema], userName: 'r1@example.com', [def.schema]: { costCenterCode: 'CC' } });
    expect(ok.status).toBe(201);
    const removed = await api.patch(`${c.base}/Users/${ok.body.id}`, { schemas: [PATCH], Operations: [{ op: 'remove', path: `${def.schema}:costCenterCode` }] });
    expect([removed.status, removed.body.scimType]).toEqual([400, 'mutability']);
    const schema = await api.get(`${c.base}/Schemas/${def.schema}`);
    expect(schema.body.attributes[0]).toMatchObject({ name: 'costCenterCode', required: true });
    const rt = await api.get(`${c.base}/ResourceTypes/User`);
    expect(rt.body.schemaExtensions).toContainEqual({ schema: def.schema, required: true });
  });
});
