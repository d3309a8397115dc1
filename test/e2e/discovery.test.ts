import request from 'supertest';
import { createTestApp, scim, TestApp } from '../support/app';

let app: TestApp;
let t: Awaited<ReturnType<TestApp['tenant']>>;
let api: ReturnType<typeof scim>;
beforeAll(async () => {
  app = await createTestApp();
  t = await app.tenant('Discovery Co');
  api = scim(app, t.token);
});
afterAll(async () => app.close());

const hasNull = (v: unknown): boolean =>
  v === null || (typeof v === 'object' && v !== null && Object.values(v).some(hasNull));

describe('discovery (RFC 7644 §4)', () => {
  it('ServiceProviderConfig says what works, with bearer-token authentication', async () => {
    const res = await api.get(`${t.base}/ServiceProviderConfig`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(res.body).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      patch: { supported: true },
      filter: { supported: true, maxResults: app.config.maxResults },
      sort: { supported: true },
      authenticationSchemes: [expect.objectContaining({ type: 'oauthbearertoken' })],
    });
    expect(hasNull(res.body)).toBe(false);
    // documentationUri points to a page this server serves
    const doc = new URL(res.body.documentationUri);
    expect(doc.origin).toBe(app.config.publicUrl);
    const page = await request(app.server).get(doc.pathname);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('/ServiceProviderConfig');
  });

  it('ResourceTypes lists User (with the enterprise extension) and Group', async () => {
    const res = await api.get(`${t.base}/ResourceTypes`);
    expect(res.body.totalResults).toBe(2);
    const user = res.body.Resources.find((r: any) => r.name === 'User');
    expect(user).toMatchObject({ endpoint: '/Users', schema: 'urn:ietf:params:scim:schemas:core:2.0:User' });
    expect(user.schemaExtensions).toEqual([{ schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', required: false }]);
    expect((await api.get(`${t.base}/ResourceTypes/group`)).body.endpoint).toBe('/Groups');
    expect((await api.get(`${t.base}/ResourceTypes/Nope`)).status).toBe(404);
  });

  it('Schemas come from the catalogue, one by one too, without nulls', async () => {
    const res = await api.get(`${t.base}/Schemas`);
    expect(res.body.Resources.map((s: any) => s.id).sort()).toEqual([
      'urn:ietf:params:scim:schemas:core:2.0:Group',
      'urn:ietf:params:scim:schemas:core:2.0:User',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
    ]);
    expect(hasNull(res.body)).toBe(false);
    const user = await api.get(`${t.base}/Schemas/urn:ietf:params:scim:schemas:core:2.0:User`);
    const userName = user.body.attributes.find((a: any) => a.name === 'userName');
    expect(userName).toMatchObject({ type: 'string', required: true, uniqueness: 'server', caseExact: false });
    const password = user.body.attributes.find((a: any) => a.name === 'password');
    expect(password).toMatchObject({ mutability: 'writeOnly', returned: 'never' });
  });

  it('matches resource paths case-insensitively and answers /Me with 501', async () => {
    expect((await api.get(`${t.base}/users`)).status).toBe(200);
    expect((await api.get(`${t.base}/serviceproviderconfig`)).status).toBe(200);
    const me = await api.get(`${t.base}/Me`);
    expect(me.status).toBe(501);
    expect(me.body.status).toBe('501');
  });

  it('unknown routes under a tenant get a SCIM 404 body, with and without a token', async () => {
    for (const path of ['/Nope', '/Users/x/y', '/Schemas/urn:nope:nope/extra']) {
      const res = await api.get(`${t.base}${path}`);
      expect({ path, status: res.status, schemas: res.body.schemas, s: res.body.status }).toEqual({ path, status: 404, schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], s: '404' });
      expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
    }
    const anonymous = await request(app.server).get(`${t.base}/Nope`);
    expect(anonymous.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    expect((await api.get(`${t.base}/Schemas/urn:nope:nope`)).body.status).toBe('404');
  });

  it('every discovery resource is a ListResponse or resource without nulls, each with meta.location', async () => {
    for (const path of ['/ResourceTypes', '/Schemas']) {
      const res = await api.get(`${t.base}${path}`);
      expect(res.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], startIndex: 1 });
      expect(res.body.totalResults).toBe(res.body.Resources.length);
      expect(res.body.itemsPerPage).toBe(res.body.Resources.length);
      expect(hasNull(res.body)).toBe(false);
      for (const r of res.body.Resources) {
        const self = await api.get(new URL(r.meta.location).pathname);
        expect(self.status).toBe(200);
        expect(self.body).toEqual(r);
      }
    }
  });

  it('the schemas describe what the service enforces: readOnly id, immutable member value, Group members and displayName', async () => {
    const user = (await api.get(`${t.base}/Schemas/urn:ietf:params:scim:schemas:core:2.0:User`)).body;
    const groups = user.attributes.find((a: any) => a.name === 'groups');
    expect(groups).toMatchObject({ mutability: 'readOnly', multiValued: true });
    const group = (await api.get(`${t.base}/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group`)).body;
    expect(group.attributes.find((a: any) => a.name === 'displayName')).toMatchObject({ required: true });
    const members = group.attributes.find((a: any) => a.name === 'members');
    expect(members.subAttributes.find((a: any) => a.name === 'value')).toMatchObject({ mutability: 'immutable' });
    const ent = (await api.get(`${t.base}/Schemas/urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`)).body;
    expect(ent.attributes.map((a: any) => a.name)).toEqual(['employeeNumber', 'costCenter', 'organization', 'division', 'department', 'manager']);
  });
});
