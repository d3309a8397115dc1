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
});
