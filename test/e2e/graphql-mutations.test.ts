import request from 'supertest';
import { scim } from '../support/app';
import { codes, createGqlTestApp, GqlTestApp } from './graphql-helpers';

let app: GqlTestApp;
let admin: string;
let auditor: string;
beforeAll(async () => {
  app = await createGqlTestApp();
  admin = await app.key('admin');
  auditor = await app.key('auditor');
});
afterAll(async () => app.close());

const USER = (userName: string) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, name: { givenName: 'G', familyName: 'F' } });
const scimGet = (path: string, token: string) => request(app.server).get(path).set('Authorization', `Bearer ${token}`);

describe('GraphQL mutations', () => {
  it('createTenant and updateTenant (name only: the slug is in every IdP configuration)', async () => {
    const created = await app.gql(admin, 'mutation { createTenant(input: { name: "Mut Co" }) { id slug name scimUrl } }');
    expect(created.body.data.createTenant).toMatchObject({ slug: 'mut-co', name: 'Mut Co', scimUrl: 'https://provisio.test/scim/v2/mut-co' });
    const explicit = await app.gql(admin, 'mutation { createTenant(input: { name: "X", slug: "custom-slug" }) { slug } }');
    expect(explicit.body.data.createTenant.slug).toBe('custom-slug');
    expect(codes(await app.gql(admin, 'mutation { createTenant(input: { name: "Y", slug: "Bad Slug" }) { slug } }'))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await app.gql(admin, 'mutation { createTenant(input: { name: "  " }) { slug } }'))).toEqual(['BAD_USER_INPUT']);
    const updated = await app.gql(admin, 'mutation { updateTenant(tenant: "mut-co", input: { name: "Mut Company" }) { slug name } }');
    expect(updated.body.data.updateTenant).toEqual({ slug: 'mut-co', name: 'Mut Company' });
    expect((await app.services.tenants.get('mut-co')).name).toBe('Mut Company');
    expect(codes(await app.gql(admin, 'mutation { updateTenant(tenant: "nope", input: { name: "Z" }) { slug } }'))).toEqual(['NOT_FOUND']);
    expect(codes(await app.gql(admin, 'mutation { updateTenant(tenant: "mut-co", input: { name: "" }) { slug } }'))).toEqual(['BAD_USER_INPUT']);
  });

  it('createScimConnection returns the token once, and that token works over SCIM on that tenant only', async () => {
    const t = await app.tenant('Conn Co');
    const other = await app.tenant('Elsewhere');
    const res = await app.gql(
      admin,
      `mutation { createScimConnection(tenant: "${t.slug}", idp: OKTA, name: "Okta prod", days: 30) { scimUrl token connection { id idp name activeTokens } tokenInfo { id prefix status expiresAt } } }`,
    );
    expect(res.body.errors).toBeUndefined();
    const c = res.body.data.createScimConnection;
    expect(c.scimUrl).toBe(`https://provisio.test/scim/v2/${t.slug}`);
    expect(c.connection).toMatchObject({ idp: 'OKTA', name: 'Okta prod', activeTokens: 1 });
    expect(c.token.startsWith(c.tokenInfo.prefix)).toBe(true);
    expect((await scim(app, c.token).post(`${t.base}/Users`, USER('via-gql-token@example.com'))).status).toBe(201);
    expect((await scimGet(`${other.base}/Users`, c.token)).status).toBe(401);
    // listed afterwards without the secret
    const listed = await app.gql(admin, `{ tenant(slug: "${t.slug}") { scimConnections { id name tokens { id } } } }`);
    expect(listed.body.data.tenant.scimConnections.map((x: any) => x.name)).toEqual(['generic', 'Okta prod']);
    expect(JSON.stringify(listed.body)).not.toContain(c.token);
    expect(codes(await app.gql(admin, `mutation { createScimConnection(tenant: "${t.slug}", idp: OKTA, days: 0) { token } }`))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await app.gql(admin, `mutation { createScimConnection(tenant: "${t.slug}", idp: AZURE) { token } }`))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('rotateToken: the old token keeps working for the overlap only; without overlap it stops at once', async () => {
    const t = await app.tenant('Rotate Co');
    const before = Date.now();
    const res = await app.gql(admin, `mutation { rotateToken(tenant: "${t.slug}", id: "${t.tokenId}", overlapMinutes: 30) { token scimUrl info { id status } } }`);
    const after = Date.now();
    expect(res.body.errors).toBeUndefined();
    const rotated = res.body.data.rotateToken;
    expect(rotated.info.id).not.toBe(t.tokenId);
    expect((await scimGet(`${t.base}/Users`, rotated.token)).status).toBe(200);
    expect((await scimGet(`${t.base}/Users`, t.token)).status).toBe(200);
    const tokens = await app.gql(admin, `{ tenant(slug: "${t.slug}") { scimTokens { id expiresAt status } } }`);
    const old = tokens.body.data.tenant.scimTokens.find((x: any) => x.id === t.tokenId);
    const expires = new Date(old.expiresAt).getTime();
    expect(expires).toBeGreaterThanOrEqual(before + 30 * 60_000 - 1000); // stored at timestamptz precision
    expect(expires).toBeLessThanOrEqual(after + 30 * 60_000);
    expect(old.status).toBe('ACTIVE');

    const again = await app.gql(admin, `mutation { rotateToken(tenant: "${t.slug}", id: "${rotated.info.id}") { token } }`);
    expect((await scimGet(`${t.base}/Users`, rotated.token)).status).toBe(401);
    expect((await scimGet(`${t.base}/Users`, again.body.data.rotateToken.token)).status).toBe(200);
    expect(codes(await app.gql(admin, `mutation { rotateToken(tenant: "${t.slug}", id: "${t.tokenId}", overlapMinutes: -1) { token } }`))).toEqual(['BAD_USER_INPUT']);
  });

  it('revokeToken: refused from the next request on', async () => {
    const t = await app.tenant('Revoke Co');
    expect((await scimGet(`${t.base}/Users`, t.token)).status).toBe(200);
    const res = await app.gql(admin, `mutation { revokeToken(tenant: "${t.slug}", id: "${t.tokenId}") { id status revokedAt } }`);
    expect(res.body.data.revokeToken).toMatchObject({ id: t.tokenId, status: 'REVOKED' });
    expect((await scimGet(`${t.base}/Users`, t.token)).status).toBe(401);
    expect(codes(await app.gql(admin, `mutation { revokeToken(tenant: "${t.slug}", id: "not-a-token") { id } }`))).toEqual(['NOT_FOUND']);
  });

  it('purgeUser erases a deleted user and its memberships; a live user cannot be purged', async () => {
    const t = await app.tenant('Purge Co');
    const client = scim(app, t.token);
    const u = (await client.post(`${t.base}/Users`, USER('erase-me@example.com'))).body.id;
    const g = (await client.post(`${t.base}/Groups`, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'G', members: [{ value: u }] })).body.id;
    const live = await app.gql(admin, `mutation { purgeUser(tenant: "${t.slug}", id: "${u}") }`);
    expect(codes(live)).toEqual(['CONFLICT']);
    expect((await client.get(`${t.base}/Users/${u}`)).status).toBe(200);
    expect((await client.delete(`${t.base}/Users/${u}`)).status).toBe(204);
    expect(codes(await app.gql(auditor, `mutation { purgeUser(tenant: "${t.slug}", id: "${u}") }`))).toEqual(['FORBIDDEN']);
    const purged = await app.gql(admin, `mutation { purgeUser(tenant: "${t.slug}", id: "${u}") }`);
    expect(purged.body.data.purgeUser).toBe(u);
    const rows = await app.orm.em.fork().getConnection().execute(`select (select count(*)::int from scim_user where id = '${u}') as users, (select count(*)::int from group_member where member_id = '${u}') as members`);
    expect(rows[0]).toEqual({ users: 0, members: 0 });
    expect(codes(await app.gql(admin, `mutation { purgeUser(tenant: "${t.slug}", id: "${u}") }`))).toEqual(['NOT_FOUND']);
    // the userName is free again, for a brand-new user (not a restore of the erased one)
    const again = await client.post(`${t.base}/Users`, USER('erase-me@example.com'));
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(u);
    expect((await client.get(`${t.base}/Groups/${g}`)).body.members ?? []).toEqual([]);
  });

  it('restoreUser brings a deleted user back under its id; refused when its userName was taken meanwhile', async () => {
    const t = await app.tenant('Restore Co');
    const client = scim(app, t.token);
    const u = (await client.post(`${t.base}/Users`, USER('back@example.com'))).body.id;
    expect(codes(await app.gql(admin, `mutation { restoreUser(tenant: "${t.slug}", id: "${u}") { id } }`))).toEqual(['CONFLICT']);
    await client.delete(`${t.base}/Users/${u}`);
    const res = await app.gql(admin, `mutation { restoreUser(tenant: "${t.slug}", id: "${u}") { id userName active version } }`);
    expect(res.body.data.restoreUser).toEqual({ id: u, userName: 'back@example.com', active: true, version: 3 });
    const scimUser = await client.get(`${t.base}/Users/${u}`);
    expect(scimUser.status).toBe(200);
    expect(scimUser.body.active).toBe(true);

    const v = (await client.post(`${t.base}/Users`, USER('taken@example.com'))).body.id;
    await client.delete(`${t.base}/Users/${v}`);
    // a different user with the same userName (the tombstone has no externalId to match, so create restores by userName)
    await app.orm.em.fork().getConnection().execute(`update scim_user set user_name = 'moved@example.com', user_name_key = 'moved@example.com', attributes = jsonb_set(attributes, '{userName}', '"moved@example.com"') where id = '${v}'`);
    expect((await client.post(`${t.base}/Users`, USER('taken@example.com'))).status).toBe(201);
    await app.orm.em.fork().getConnection().execute(`update scim_user set user_name = 'taken@example.com', user_name_key = 'taken@example.com', attributes = jsonb_set(attributes, '{userName}', '"taken@example.com"') where id = '${v}'`);
    const conflict = await app.gql(admin, `mutation { restoreUser(tenant: "${t.slug}", id: "${v}") { id } }`);
    expect(codes(conflict)).toEqual(['CONFLICT']);
    expect(conflict.body.errors![0].message).toBe('userName "taken@example.com" is already taken in this tenant'); // the user's own name, not ""
  });

  it('an auditor key can run no mutation', async () => {
    const t = await app.tenant('Readonly Co');
    const mutations = [
      'mutation { createTenant(input: { name: "A" }) { id } }',
      `mutation { updateTenant(tenant: "${t.slug}", input: { name: "B" }) { id } }`,
      `mutation { createScimConnection(tenant: "${t.slug}", idp: ENTRA) { token } }`,
      `mutation { rotateToken(tenant: "${t.slug}", id: "${t.tokenId}") { token } }`,
      `mutation { revokeToken(tenant: "${t.slug}", id: "${t.tokenId}") { id } }`,
      `mutation { restoreUser(tenant: "${t.slug}", id: "${t.tokenId}") { id } }`,
    ];
    for (const m of mutations) expect({ m, codes: codes(await app.gql(auditor, m)) }).toEqual({ m, codes: ['FORBIDDEN'] });
    expect((await scimGet(`${t.base}/Users`, t.token)).status).toBe(200);
    expect((await app.services.connections.listConnections(t.id)).length).toBe(1);
  });
});
