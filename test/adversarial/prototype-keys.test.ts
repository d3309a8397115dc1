import request from 'supertest';
import { createGqlTestApp, GqlTestApp } from '../e2e/graphql-helpers';
import { scim } from '../support/app';
import { BULK, GROUP, PATCH_OP, raw, SEARCH, snapshot, Tenant, USER } from './helpers';

/**
 * Names that every JavaScript object answers to (`constructor`, `__proto__`, `toString`…) used
 * wherever a client names something: PATCH paths, keys of a PATCH value, attribute names in
 * bodies, filters, sortBy, attributes, URL segments, Bulk methods, GraphQL filters. A lookup table
 * written as an object literal finds Object.prototype's members for them (the fuzz test found
 * `{"op":"add","path":"__proto__"}` giving 500). Whatever the name: never a 5xx, every error an
 * RFC 7644 §3.12 body, and a refused request changes nothing.
 */
const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '__defineGetter__'];

let app: GqlTestApp;
let t: Tenant;
let userId: string;
let groupId: string;
let adminKey: string;

beforeAll(async () => {
  app = await createGqlTestApp();
  t = await app.tenant('Proto Co');
  adminKey = await app.key('admin');
  const api = scim(app, t.token);
  userId = (await api.post(`${t.base}/Users`, { schemas: [USER], userName: 'proto@example.com' })).body.id;
  groupId = (await api.post(`${t.base}/Groups`, { schemas: [GROUP], displayName: 'Proto group' })).body.id;
});
afterAll(async () => app.close());

/** Never a 5xx; an error is a SCIM error body; a refusal leaves the tenant as it was. */
async function safe(send: () => Promise<{ status: number; body: any }>): Promise<number> {
  const before = await snapshot(app, t.id);
  const res = await send();
  expect({ status: res.status < 500 ? 'not 5xx' : res.status, body: res.status < 500 ? undefined : res.body }).toEqual({ status: 'not 5xx', body: undefined });
  if (res.status >= 400) {
    expect(res.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    expect(await snapshot(app, t.id)).toEqual(before);
  }
  return res.status;
}

/** `{"<name>": value}` written as JSON text, so `__proto__` is a member and not a prototype. */
const member = (name: string, value: unknown) => `{${JSON.stringify(name)}:${JSON.stringify(value)}}`;

describe.each(NAMES)('the name %s', (name) => {
  it('as a PATCH path of a user and of a group, for add, replace and remove', async () => {
    const api = scim(app, t.token);
    for (const [kind, id] of [['Users', userId], ['Groups', groupId]]) {
      for (const op of ['add', 'replace', 'remove']) {
        for (const path of [name, `${name}.x`, `emails[${name} eq "x"]`, `${USER}:${name}`]) {
          const status = await safe(() => api.patch(`${t.base}/${kind}/${id}`, { schemas: [PATCH_OP], Operations: [{ op, path, value: {} }] }));
          expect(status).toBeGreaterThanOrEqual(400); // no such attribute: noTarget / invalidPath
        }
      }
    }
  });

  it('as a key of a PATCH value without a path and of a created resource', async () => {
    for (const [kind, id] of [['Users', userId], ['Groups', groupId]]) {
      await safe(() => raw(app, t.token, 'patch', `${t.base}/${kind}/${id}`, `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"add","value":${member(name, { a: 1 })}}]}`));
    }
    const created = await safe(() => raw(app, t.token, 'post', `${t.base}/Users`, `{"schemas":["${USER}"],"userName":"k-${name}@example.com",${member(name, 'x').slice(1, -1)},"name":${member(name, 'y')}}`));
    if (created === 201) {
      // an unknown member is dropped (lenient) and never becomes the stored document's prototype
      const res = await scim(app, t.token).get(`${t.base}/Users?filter=${encodeURIComponent(`userName eq "k-${name}@example.com"`)}`);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body.Resources[0])).not.toContain(name);
    }
    await safe(() => raw(app, t.token, 'post', `${t.base}/Groups`, `{"schemas":["${GROUP}"],"displayName":"g-${name}",${member(name, [])
      .slice(1, -1)},"members":[${member(name, 'x')}]}`));
  });

  it('in a filter, sortBy, attributes and excludedAttributes, and as a URL segment', async () => {
    const api = scim(app, t.token);
    const q = encodeURIComponent;
    for (const url of [
      `${t.base}/Users?filter=${q(`${name} eq "x"`)}`,
      `${t.base}/Users?filter=${q(`emails[${name} eq "x"]`)}`,
      `${t.base}/Users?filter=${q(`${name}.value pr`)}`,
      `${t.base}/Groups?filter=${q(`members[${name} eq "x"]`)}`,
      `${t.base}/Users?sortBy=${q(name)}`,
      `${t.base}/Users?attributes=${q(name)}`,
      `${t.base}/Users/${userId}?excludedAttributes=${q(name)}`,
      `${t.base}/${q(name)}`,
      `${t.base}/Users/${q(name)}`,
      `${t.base}/Schemas/${q(name)}`,
      `${t.base}/ResourceTypes/${q(name)}`,
    ]) {
      await safe(() => api.get(url));
    }
    await safe(() => api.post(`${t.base}/Users/.search`, { schemas: [SEARCH], filter: `${name} pr`, sortBy: name, attributes: [name] }));
  });

  it('as a Bulk method, bulkId and operation member', async () => {
    const status = await safe(() =>
      raw(app, t.token, 'post', `${t.base}/Bulk`, `{"schemas":["${BULK}"],"Operations":[{"method":${JSON.stringify(name)},"path":"/Users","bulkId":${JSON.stringify(name)},"data":{"schemas":["${USER}"],"userName":"bulk-${name}"}},${member(name, 1).slice(0, -1)},"method":"POST","path":"/Groups","bulkId":"g","data":{"schemas":["${GROUP}"],"displayName":"bulk ${name}"}}]}`),
    );
    expect(status).toBe(200);
  });

  it('in GraphQL filters and variables', async () => {
    for (const filter of [`${name} eq "x"`, `emails[${name} eq "x"]`]) {
      const res = await request(app.server).post('/graphql').set('Authorization', `Bearer ${adminKey}`).set('Content-Type', 'application/json').send({
        query: 'query($slug: String!, $f: String) { tenant(slug: $slug) { users(filter: $f, first: 5) { totalCount } } }',
        variables: { slug: t.slug, f: filter },
      });
      expect(res.status).toBeLessThan(500);
      // an unknown attribute in a filter is the client's mistake, never an internal error
      expect((res.body.errors ?? []).map((e: any) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    }
  });
});
