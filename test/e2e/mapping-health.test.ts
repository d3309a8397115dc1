import request from 'supertest';
import { runCommand } from '../../src/cli/commands';
import { migrate } from '../../src/db/orm';
import type { HealthReport } from '../../src/domain/connection/health';
import { allEvents, ENT, GROUP, USER } from '../support/events';
import { createGqlTestApp, GqlTestApp } from './graphql-helpers';

/**
 * Phone numbers with RFC 3966 forms (events, GraphQL) and each connection's mapping health, fed
 * by live SCIM traffic of Entra-, Okta- and generic-shaped clients (docs/idp-profiles.md).
 */
let app: GqlTestApp;
let admin: string;
beforeAll(async () => {
  app = await createGqlTestApp();
  admin = await app.key('admin');
});
afterAll(async () => app.close());

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

async function connection(tenantId: string, idp: string, userAgent: string) {
  const { connection, token } = await app.services.connections.createConnection(tenantId, { idp, name: `${idp} conn` });
  const auth = (r: request.Test) => r.set('Authorization', `Bearer ${token.token}`).set('User-Agent', userAgent);
  return {
    id: connection.id,
    post: (url: string, body: unknown) => auth(request(app.server).post(url)).set('Content-Type', 'application/scim+json').send(body as object),
    patch: (url: string, ops: unknown[]) => auth(request(app.server).patch(url)).set('Content-Type', 'application/scim+json').send({ schemas: [PATCH], Operations: ops }),
    get: (url: string) => auth(request(app.server).get(url)),
  };
}

async function health(tenantId: string, connectionId: string): Promise<HealthReport> {
  await app.services.health.drain();
  return app.services.health.report(tenantId, connectionId, 24);
}

describe('phone numbers and mapping health', () => {
  it('Entra-, Okta- and generic-shaped users: tel: forms in events and GraphQL, values as sent, health per connection', async () => {
    const t = await app.services.tenants.create({ name: 'Health Co' });
    const base = `/scim/v2/${t.slug}`;
    const entra = await connection(t.id, 'entra', 'Microsoft.Identity.Provisioning/1.0 (Azure AD SCIM client)');
    const okta = await connection(t.id, 'okta', 'Okta SCIM Client 1.0.0');
    const generic = await connection(t.id, 'generic', 'PostmanRuntime/7.39.0');

    // Entra: every mandatory attribute, an international number; the old misspelt URN and a string boolean
    const e = await entra.post(`${base}/Users`, {
      schemas: [USER, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User'],
      externalId: 'aad-1', userName: 'ada@health.test', active: 'True',
      emails: [{ primary: true, type: 'work', value: 'ada@health.test' }],
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      phoneNumbers: [{ type: 'work', value: '+1 (425) 555-0100' }],
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0User': { department: 'R&D' },
    });
    expect(e.status).toBe(201);
    expect(e.body.phoneNumbers).toEqual([{ type: 'work', value: '+1 (425) 555-0100' }]); // stored as sent

    // Okta: a national number (no region yet: unparsable), no externalId, an attribute Okta adds that no schema knows
    const o = await okta.post(`${base}/Users`, {
      schemas: [USER], userName: 'grace@health.test', password: 'x', locale: 'en-US', groups: [],
      name: { givenName: 'Grace', familyName: 'Hopper' }, emails: [{ primary: true, type: 'work', value: 'grace@health.test' }],
      phoneNumbers: [{ type: 'mobile', value: '425-555-0199' }], oktaProfileUrl: 'https://example.okta.com/u/1',
    });
    expect(o.status).toBe(201);

    // generic (Postman): userName and an untyped email only, a phone that is no number, unknown keys,
    // and a manager naming no user (accepted as sent, counted)
    const g = await generic.post(`${base}/Users`, {
      schemas: [USER, ENT], userName: 'postman@health.test', emails: [{ value: 'postman@health.test' }],
      phoneNumbers: [{ value: 'call reception' }], favouriteColour: 'teal', [ENT]: { manager: { value: '0190a1b2-0000-7000-8000-000000000000' }, shoeSize: 44 },
    });
    expect(g.status).toBe(201);
    expect(g.body[ENT]).toEqual({ manager: { value: '0190a1b2-0000-7000-8000-000000000000' } });
    // and some refused requests, one of them twice
    expect((await generic.post(`${base}/Users`, { schemas: [USER] })).status).toBe(400);
    expect((await generic.post(`${base}/Users`, { schemas: [USER] })).status).toBe(400);
    expect((await generic.get(`${base}/Users?filter=${encodeURIComponent('userName eq')}`)).status).toBe(400);
    // 409 on a rename onto a taken userName names the name
    const clash = await generic.patch(`${base}/Users/${g.body.id}`, [{ op: 'Replace', path: 'userName', value: 'ADA@health.test' }]);
    expect(clash.status).toBe(409);
    expect(clash.body.detail).toContain('"ADA@health.test"');

    // events carry the tel: forms beside the values as sent
    const created = (await allEvents(app, t.id)).filter((ev) => ev.type.endsWith('user.created'));
    const phones = Object.fromEntries(created.map((ev) => [(ev.data as any).userName, (ev.data as any).phones]));
    expect(phones['ada@health.test']).toEqual([{ value: '+1 (425) 555-0100', type: 'work', tel: 'tel:+14255550100' }]);
    expect(phones['grace@health.test']).toEqual([{ value: '425-555-0199', type: 'mobile', tel: null }]);
    expect(phones['postman@health.test']).toEqual([{ value: 'call reception', tel: null }]);

    // per connection health
    const he = await health(t.id, entra.id);
    expect(he).toMatchObject({ userWrites: 1, users: 1, usersMissingMandatory: 0, missing: [], unparsablePhones: 0, unknownAttributes: [], unknownManagers: 0, errors: 0, recentErrors: [] });
    const ho = await health(t.id, okta.id);
    expect(ho).toMatchObject({ users: 1, usersMissingMandatory: 1, missing: [{ attribute: 'externalId', users: 1 }], unparsablePhones: 1, usersWithUnparsablePhones: 1 });
    expect(ho.unknownAttributes).toEqual([{ attribute: 'oktaProfileUrl', count: 1 }]);
    const hg = await health(t.id, generic.id);
    expect(hg).toMatchObject({ users: 1, usersMissingMandatory: 1, unparsablePhones: 1, unknownManagers: 1, errors: 4 });
    expect(hg.missing.map((m) => m.attribute).sort()).toEqual(['emails[type eq "work"]', 'externalId', 'name.familyName', 'name.givenName']);
    expect(hg.unknownAttributes.map((u) => u.attribute).sort()).toEqual(['favouriteColour', `${ENT}:shoeSize`]);
    expect(hg.recentErrors).toHaveLength(3); // distinct
    expect(hg.recentErrors[0]).toMatchObject({ status: 409, scimType: 'uniqueness', count: 1, method: 'PATCH' });
    expect(hg.recentErrors[0].detail).toContain('ADA@health.test');
    expect(hg.recentErrors.find((r) => r.scimType === 'invalidValue')).toMatchObject({ status: 400, count: 2, detail: expect.stringContaining('userName') });
    expect(hg.recentErrors.find((r) => r.scimType === 'invalidFilter')).toMatchObject({ status: 400, count: 1, method: 'GET' });

    // with a default region the national number reads; GraphQL shows the forms and the health
    const set = await app.gql(admin, `mutation { setTenantPhoneRegion(tenant: "${t.slug}", region: "us") }`);
    expect(set.body.data).toEqual({ setTenantPhoneRegion: 'US' });
    const bad = await app.gql(admin, `mutation { setTenantPhoneRegion(tenant: "${t.slug}", region: "XX") }`);
    expect(bad.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const q = await app.gql(
      admin,
      `{ tenant(slug: "${t.slug}") { phoneRegion users(filter: "userName eq \\"grace@health.test\\"") { nodes { phoneNumbers { value type primary tel } } }
         scimConnections { id health(windowHours: 1) { users usersMissingMandatory missing { attribute users } unparsablePhones unknownAttributes { attribute count } unknownManagers errors recentErrors { status scimType detail count lastRequest } } } } }`,
    );
    expect(q.body.errors).toBeUndefined();
    const tenant = q.body.data.tenant;
    expect(tenant.phoneRegion).toBe('US');
    expect(tenant.users.nodes[0].phoneNumbers).toEqual([{ value: '425-555-0199', type: 'mobile', primary: false, tel: 'tel:+14255550199' }]);
    const byId = Object.fromEntries(tenant.scimConnections.map((c: any) => [c.id, c.health]));
    expect(byId[okta.id]).toMatchObject({ users: 1, missing: [{ attribute: 'externalId', users: 1 }], unknownAttributes: [{ attribute: 'oktaProfileUrl', count: 1 }] });
    expect(byId[generic.id]).toMatchObject({ unknownManagers: 1, errors: 4 });
    expect(byId[generic.id].recentErrors[0]).toMatchObject({ status: 409, lastRequest: `PATCH ${base}/Users/${g.body.id}` });
    expect(byId[entra.id]).toMatchObject({ users: 1, usersMissingMandatory: 0, errors: 0 });

    // the audit trail names the client: a generic connection records the client it recognised
    const sniffed = await connection(t.id, 'generic', 'Microsoft.Identity.Provisioning/1.0 (Azure AD SCIM client)');
    expect((await sniffed.get(`${base}/Users?filter=${encodeURIComponent('userName eq "nobody"')}`)).status).toBe(200);
    await app.services.audit.drain();
    const clientOf = async (connectionId: string) => (await app.services.audit.query(t.id, { actor: connectionId, limit: 1 })).entries[0]?.idp;
    expect(await clientOf(sniffed.id)).toBe('entra');
    expect(await clientOf(generic.id)).toBe('generic');
    expect(await clientOf(okta.id)).toBe('okta');

    // the CLI prints the same report
    const cli = (await runCommand(app.services, app.config, 'connection.health', { tenant: t.slug, connection: 'okta conn', hours: 24 }, () => migrate(app.orm))) as HealthReport;
    expect(cli).toMatchObject({ connectionId: okta.id, users: 1, usersMissingMandatory: 1 });
    await expect(runCommand(app.services, app.config, 'connection.health', { tenant: t.slug, connection: 'nope' }, () => migrate(app.orm))).rejects.toMatchObject({ code: 'notFound' });
    await expect(runCommand(app.services, app.config, 'connection.health', { tenant: t.slug, connection: okta.id, hours: 0 }, () => migrate(app.orm))).rejects.toMatchObject({ code: 'invalidValue' });
  });

  it('each failed operation of a /Bulk request counts as an error; its users count as users', async () => {
    const t = await app.services.tenants.create({ name: 'Bulk Health Co' });
    const c = await connection(t.id, 'generic', 'AcmeHR-Sync/4.2');
    const res = await c.post(`/scim/v2/${t.slug}/Bulk`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'ok', data: { schemas: [USER], userName: 'bulk@health.test', externalId: 'b-1' } },
        { method: 'POST', path: '/Users', bulkId: 'bad', data: { schemas: [USER], displayName: 'no userName' } },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.Operations.map((o: { status: string }) => o.status)).toEqual(['201', '400']);
    const h = await health(t.id, c.id);
    expect(h).toMatchObject({ users: 1, errors: 1, missing: expect.arrayContaining([{ attribute: 'name.givenName', users: 1 }]) });
    expect(h.recentErrors).toEqual([expect.objectContaining({ status: 400, scimType: 'invalidValue', method: 'Bulk POST', count: 1 })]);
  });
  it('group writes count, and the attributes they carried in vain are listed with the users\'', async () => {
    const t = await app.services.tenants.create({ name: 'Group Health' });
    const base = `/scim/v2/${t.slug}`;
    const okta = await connection(t.id, 'okta', 'Okta SCIM Client 1.0.0');
    // "description" is no attribute of the core Group (RFC 7643 §4.2) or User schema: ignored, counted
    const g = await okta.post(`${base}/Groups`, { schemas: [GROUP], displayName: 'Eng', description: 'engineers' });
    expect(g.status).toBe(201);
    expect(g.body.description).toBeUndefined();
    const renamed = await okta.patch(`${base}/Groups/${g.body.id}`, [{ op: 'replace', value: { displayName: 'Engineering', description: 'all engineers' } }]);
    expect([200, 204]).toContain(renamed.status);
    const u = await okta.post(`${base}/Users`, { schemas: [USER], userName: 'eng@health.test', description: 'an engineer' });
    expect(u.status).toBe(201);
    const joined = await okta.patch(`${base}/Groups/${g.body.id}`, [{ op: 'add', path: 'members', value: [{ value: u.body.id }] }]);
    expect([200, 204]).toContain(joined.status);
    // a refused group write is an error, not a write
    expect((await okta.post(`${base}/Groups`, { schemas: [GROUP] })).status).toBe(400);

    const h = await health(t.id, okta.id);
    expect(h).toMatchObject({ userWrites: 1, groupWrites: 3, errors: 1 });
    expect(h.unknownAttributes).toEqual([{ attribute: 'description', count: 3 }]);
  });
});
