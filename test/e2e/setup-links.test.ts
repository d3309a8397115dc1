import request from 'supertest';
import { codes, createGqlTestApp, GqlTestApp } from './graphql-helpers';
import { SCIM_JSON } from '../support/app';

const CREATE = `mutation($t: String!, $idp: IdpKind!, $days: Int) { createSetupLink(tenant: $t, idp: $idp, days: $days) { url secret link { id state expiresAt } } }`;
const OPEN = `query($s: String!) { setupLink(secret: $s) { tenantName idp expiresAt scimUrl } }`;
const COMPLETE = `mutation($s: String!) { completeSetupLink(secret: $s) { scimUrl token connectionId idp } }`;
const LINKS = `query($t: String!) { tenant(slug: $t) { setupLinks { id state openedAt completedAt connectionId } scimConnections { id idp } } }`;

describe('self-serve setup links (GraphQL)', () => {
  let app: GqlTestApp;
  let admin: string;
  beforeAll(async () => {
    app = await createGqlTestApp();
    admin = await app.key('admin');
  });
  afterAll(() => app.close());

  it('created for a tenant and IdP (7 days by default); opened and completed once without an admin key; a connection of that tenant only', async () => {
    const acme = await app.services.tenants.create({ name: 'Acme', slug: 'acme' });
    await app.services.tenants.create({ name: 'Other', slug: 'other' });
    const created = await app.gql(admin, CREATE, { t: 'acme', idp: 'OKTA' });
    const { secret, url, link } = created.body.data.createSetupLink;
    expect(url).toBe(`https://provisio.test/admin/setup#${secret}`);
    expect(link.state).toBe('PENDING');
    const days = (new Date(link.expiresAt).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);
    // the secret is stored hashed only
    const rows = await app.orm.em.fork().getConnection().execute('select hash, prefix from setup_link');
    expect(rows[0].hash).not.toContain(secret);
    expect(rows[0].hash).toHaveLength(64);
    expect(secret.startsWith(rows[0].prefix)).toBe(true);

    const opened = await app.gql(undefined, OPEN, { s: secret });
    expect(opened.body.data.setupLink).toMatchObject({ tenantName: 'Acme', idp: 'OKTA', scimUrl: 'https://provisio.test/scim/v2/acme' });

    const done = await app.gql(undefined, COMPLETE, { s: secret });
    const result = done.body.data.completeSetupLink;
    expect(result.scimUrl).toBe('https://provisio.test/scim/v2/acme');
    // the token works on this tenant, and on no other
    const ok = await request(app.server).get('/scim/v2/acme/Users').set('Authorization', `Bearer ${result.token}`).set('Accept', SCIM_JSON);
    expect(ok.status).toBe(200);
    const other = await request(app.server).get('/scim/v2/other/Users').set('Authorization', `Bearer ${result.token}`);
    expect(other.status).toBe(401);

    // single use: a second completion and a second opening are refused
    const again = await app.gql(undefined, COMPLETE, { s: secret });
    expect(codes(again)).toEqual(['NOT_FOUND']);
    expect(again.body.errors![0].message).toMatch(/already been used/);
    expect(codes(await app.gql(undefined, OPEN, { s: secret }))).toEqual(['NOT_FOUND']);

    const listed = (await app.gql(admin, LINKS, { t: 'acme' })).body.data.tenant;
    expect(listed.setupLinks).toEqual([expect.objectContaining({ state: 'COMPLETED', connectionId: result.connectionId })]);
    expect(listed.setupLinks[0].openedAt).not.toBeNull();
    expect(listed.scimConnections).toEqual([{ id: result.connectionId, idp: 'OKTA' }]);

    await app.services.audit.drain();
    const audit = await app.services.audit.query(acme.id, {});
    const ops = audit.entries.map((e) => `${e.operation} ${e.status} ${e.actorKind}`);
    expect(ops).toEqual(expect.arrayContaining(['setupLink.open 200 anonymous', 'setupLink.complete 200 anonymous', 'setupLink.complete 410 anonymous', 'setupLink.open 410 anonymous']));
  });

  it('concurrent completions: exactly one wins', async () => {
    await app.services.tenants.create({ name: 'Race', slug: 'race' });
    const { secret } = (await app.gql(admin, CREATE, { t: 'race', idp: 'ENTRA' })).body.data.createSetupLink;
    const results = await Promise.all(Array.from({ length: 5 }, () => app.gql(undefined, COMPLETE, { s: secret })));
    expect(results.filter((r) => r.body.data?.completeSetupLink).length).toBe(1);
    expect(results.filter((r) => codes(r)[0] === 'NOT_FOUND').length).toBe(4);
    const conns = (await app.gql(admin, LINKS, { t: 'race' })).body.data.tenant.scimConnections;
    expect(conns).toHaveLength(1);
  });

  it('revoked and expired links are refused, and the expiry is audited once', async () => {
    const t = await app.services.tenants.create({ name: 'Gone', slug: 'gone' });
    const a = (await app.gql(admin, CREATE, { t: 'gone', idp: 'GENERIC' })).body.data.createSetupLink;
    const revoked = await app.gql(admin, `mutation($t: String!, $id: ID!) { revokeSetupLink(tenant: $t, id: $id) { state } }`, { t: 'gone', id: a.link.id });
    expect(revoked.body.data.revokeSetupLink.state).toBe('REVOKED');
    const refused = await app.gql(undefined, COMPLETE, { s: a.secret });
    expect(refused.body.errors![0].message).toMatch(/revoked/);

    const b = (await app.gql(admin, CREATE, { t: 'gone', idp: 'GENERIC', days: 1 })).body.data.createSetupLink;
    await app.orm.em.fork().getConnection().execute(`update setup_link set expires_at = now() - interval '1 minute' where id = ?`, [b.link.id]);
    for (let i = 0; i < 2; i++) expect((await app.gql(undefined, OPEN, { s: b.secret })).body.errors![0].message).toMatch(/expired/);
    await app.services.audit.drain();
    const audit = await app.services.audit.query(t.id, { operation: 'setupLink.expired' });
    expect(audit.entries).toHaveLength(1);
    expect((await app.gql(admin, LINKS, { t: 'gone' })).body.data.tenant.scimConnections).toHaveLength(0);
  });

  it('bad input: unknown secret, out-of-range validity, auditor key, and no other field without a key', async () => {
    await app.services.tenants.create({ name: 'Bad', slug: 'bad' });
    expect(codes(await app.gql(undefined, OPEN, { s: 'prvsetup_nope' }))).toEqual(['NOT_FOUND']);
    expect(codes(await app.gql(admin, CREATE, { t: 'bad', idp: 'OKTA', days: 91 }))).toEqual(['BAD_USER_INPUT']);
    const auditor = await app.key('auditor');
    expect(codes(await app.gql(auditor, CREATE, { t: 'bad', idp: 'OKTA' }))).toEqual(['FORBIDDEN']);
    const anon = await app.gql(undefined, `{ setupLink(secret: "x") { idp } tenants { id } }`);
    expect(anon.status).toBe(401);
    expect(codes(anon)).toEqual(['UNAUTHENTICATED']);
    const scoped = await app.key('admin', 'bad');
    expect(codes(await app.gql(scoped, `{ viewer { role tenant } adminKeys { id } }`))).toEqual(['FORBIDDEN']);
    expect((await app.gql(scoped, `{ viewer { role tenant } }`)).body.data.viewer).toEqual({ role: 'ADMIN', tenant: 'bad' });
  });
});
