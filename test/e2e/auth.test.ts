import request from 'supertest';
import { hashToken } from '../../src/domain/connection/token-secret';
import { createTestApp, scim, TestApp } from '../support/app';

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => app.close());

function expect401(res: request.Response) {
  expect(res.status).toBe(401);
  expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
  expect(res.body).toMatchObject({ schemas: [ERROR], status: '401' });
}

describe('bearer tokens on a tenant SCIM URL', () => {
  it('401 with an Error body without a token, with a malformed header or an unknown token', async () => {
    const t = await app.tenant('Auth One');
    expect401(await request(app.server).get(`${t.base}/Users`));
    expect401(await request(app.server).get(`${t.base}/Users`).set('Authorization', `Basic ${Buffer.from('a:b').toString('base64')}`));
    expect401(await request(app.server).get(`${t.base}/Users`).set('Authorization', 'Bearer prv_unknown'));
    expect401(await request(app.server).get(`${t.base}/Users`).set('Authorization', `Bearer ${t.token}x`));
    expect401(await request(app.server).get(`/scim/v2/no-such-tenant/Users`).set('Authorization', `Bearer ${t.token}`));
  });

  it("isolates tenants: a token opens only its own tenant's URL, and ids never cross", async () => {
    const a = await app.tenant('Isolation A');
    const b = await app.tenant('Isolation B');
    const created = await scim(app, a.token).post(`${a.base}/Users`, { schemas: [USER], userName: 'shared.name@example.com' });
    expect(created.status).toBe(201);
    for (const path of ['/Users', `/Users/${created.body.id}`]) {
      expect401(await scim(app, b.token).get(`${a.base}${path}`));
      expect401(await scim(app, a.token).get(`${b.base}${path}`));
    }
    // the same userName is free in another tenant, and B sees only its own users
    expect((await scim(app, b.token).post(`${b.base}/Users`, { schemas: [USER], userName: 'shared.name@example.com' })).status).toBe(201);
    const bList = await scim(app, b.token).get(`${b.base}/Users`);
    expect(bList.body.totalResults).toBe(1);
    expect(bList.body.Resources[0].id).not.toBe(created.body.id);
    expect((await scim(app, b.token).get(`${b.base}/Users/${created.body.id}`)).status).toBe(404);
    expect((await scim(app, b.token).delete(`${b.base}/Users/${created.body.id}`)).status).toBe(404);
    expect((await scim(app, a.token).get(`${a.base}/Users/${created.body.id}`)).status).toBe(200);
  });

  it('stores only a hash of the token, never the token', async () => {
    const t = await app.tenant('Hashing');
    expect(t.token).toMatch(/^prv_[A-Za-z0-9_-]{43}$/);
    const rows = await app.orm.em.fork().getConnection().execute('select * from scim_token where id = ?', [t.tokenId]);
    expect(rows[0].hash).toBe(hashToken(t.token));
    expect(JSON.stringify(rows)).not.toContain(t.token.slice(4));
    expect(rows[0].prefix).toBe(t.token.slice(0, 12));
  });

  it('revocation takes effect on the next request', async () => {
    const t = await app.tenant('Revocation');
    expect((await scim(app, t.token).get(`${t.base}/Users`)).status).toBe(200);
    await app.services.connections.revokeToken(t.id, t.tokenId);
    expect401(await scim(app, t.token).get(`${t.base}/Users`));
  });

  it('rotation without overlap stops the old token at once; with overlap both work until the cutoff', async () => {
    const t = await app.tenant('Rotation');
    const next = await app.services.connections.rotateToken(t.id, t.tokenId, 0);
    expect401(await scim(app, t.token).get(`${t.base}/Users`));
    expect((await scim(app, next.token).get(`${t.base}/Users`)).status).toBe(200);

    const third = await app.services.connections.rotateToken(t.id, next.id, 30);
    expect((await scim(app, next.token).get(`${t.base}/Users`)).status).toBe(200);
    expect((await scim(app, third.token).get(`${t.base}/Users`)).status).toBe(200);
    const listed = await app.services.connections.listTokens(t.id);
    const old = listed.find((x) => x.id === next.id)!;
    expect(old.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 30 * 60_000 + 1000);
    expect(old.expiresAt.getTime()).toBeGreaterThan(Date.now() + 29 * 60_000);
  });

  it('an expired token is refused', async () => {
    const t = await app.tenant('Expiry');
    await app.orm.em.fork().getConnection().execute(`update scim_token set expires_at = now() - interval '1 second' where id = ?`, [t.tokenId]);
    expect401(await scim(app, t.token).get(`${t.base}/Users`));
  });

  it('lists token metadata only, and records last use', async () => {
    const t = await app.tenant('Listing');
    await scim(app, t.token).get(`${t.base}/Users`);
    const [info] = await app.services.connections.listTokens(t.id);
    expect(Object.keys(info).sort()).toEqual(['connectionId', 'createdAt', 'expiresAt', 'id', 'lastUsedAt', 'prefix', 'revokedAt', 'tenantId']);
    expect(info.lastUsedAt).toBeInstanceOf(Date);
    expect(info.expiresAt.getTime() - info.createdAt.getTime()).toBeCloseTo(365 * 86_400_000, -4);
  });

  it('enforces token lifetimes: default one year, at most ten years', async () => {
    const t = await app.tenant('Lifetimes');
    await expect(app.services.connections.issueToken(t.id, t.connectionId, 3651)).rejects.toMatchObject({ code: 'invalidValue' });
    await expect(app.services.connections.issueToken(t.id, t.connectionId, 0)).rejects.toMatchObject({ code: 'invalidValue' });
    const ten = await app.services.connections.issueToken(t.id, t.connectionId, 3650);
    expect((await scim(app, ten.token).get(`${t.base}/Users`)).status).toBe(200);
  });

  it("cannot revoke or rotate another tenant's token", async () => {
    const a = await app.tenant('Owner');
    const b = await app.tenant('Intruder');
    await expect(app.services.connections.revokeToken(b.id, a.tokenId)).rejects.toMatchObject({ code: 'notFound' });
    await expect(app.services.connections.rotateToken(b.id, a.tokenId)).rejects.toMatchObject({ code: 'notFound' });
    expect((await scim(app, a.token).get(`${a.base}/Users`)).status).toBe(200);
  });
});

describe('operations endpoints and unknown routes', () => {
  it('healthz and readyz answer 200', async () => {
    expect((await request(app.server).get('/healthz')).body).toEqual({ status: 'ok' });
    expect((await request(app.server).get('/readyz')).body).toEqual({ status: 'ok' });
  });

  it('echoes a sane X-Request-Id and makes one otherwise', async () => {
    const given = await request(app.server).get('/healthz').set('X-Request-Id', 'abc-123');
    expect(given.headers['x-request-id']).toBe('abc-123');
    const made = await request(app.server).get('/healthz').set('X-Request-Id', 'bad id with spaces');
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown SCIM routes with a SCIM 404 body', async () => {
    const t = await app.tenant('Routes');
    const res = await scim(app, t.token).get(`${t.base}/Nope`);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ schemas: [ERROR], status: '404' });
  });
});
