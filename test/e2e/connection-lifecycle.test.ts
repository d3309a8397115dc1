import request from 'supertest';
import { scim } from '../support/app';
import { GROUP, USER } from '../support/events';
import { sql } from '../../src/db/sql';
import { createGqlTestApp, GqlTestApp } from './graphql-helpers';

/** Issue 12 §4: disable / enable / delete a connection, delete a tenant; 401s and audit rows. */
let app: GqlTestApp;
let admin: string;
beforeAll(async () => {
  app = await createGqlTestApp();
  admin = await app.key('admin');
});
afterAll(async () => app.close());

const CONNECTION = 'id name idp status deletePolicy disabledAt deletedAt activeTokens';

async function connectionOf(slug: string, name: string) {
  const res = await app.gql(
    admin,
    `mutation($t: String!, $n: String) { createScimConnection(tenant: $t, idp: OKTA, name: $n) { token tokenInfo { id } connection { ${CONNECTION} } } }`,
    { t: slug, n: name },
  );
  expect(res.body.errors).toBeUndefined();
  return res.body.data.createScimConnection as { token: string; tokenInfo: { id: string }; connection: Record<string, any> };
}

async function auditOf(tenantId: string, operation?: string) {
  await app.services.audit.drain();
  return (await app.services.audit.query(tenantId, operation ? { operation } : {})).entries;
}

describe('connection lifecycle', () => {
  it('disable: 401 with a distinct audit reason while disabled; enable: the same token works again', async () => {
    const t = await app.services.tenants.create({ name: 'Lifecycle' });
    const c = await connectionOf(t.slug, 'Okta production');
    expect(c.connection).toMatchObject({ name: 'Okta production', idp: 'OKTA', status: 'ACTIVE', deletePolicy: 'DEACTIVATE', activeTokens: 1 });
    const client = scim(app, c.token);
    const base = `/scim/v2/${t.slug}`;
    await client.get(`${base}/Users`).expect(200); // now in this process's token cache

    const disabled = await app.gql(admin, `mutation($t: String!, $id: ID!) { disableScimConnection(tenant: $t, id: $id) { ${CONNECTION} } }`, {
      t: t.slug,
      id: c.connection.id,
    });
    expect(disabled.body.data.disableScimConnection).toMatchObject({ status: 'DISABLED', activeTokens: 1 });
    expect(disabled.body.data.disableScimConnection.disabledAt).not.toBeNull();

    const refused = await client.post(`${base}/Users`, { schemas: [USER], userName: 'nope@example.com' }).expect(401);
    expect(refused.body).toMatchObject({ status: '401', detail: 'this SCIM connection is disabled' });
    expect(refused.headers['www-authenticate']).toContain('invalid_token');
    await client.get(`${base}/Users`).expect(401);

    // refusals are filed under the connection, with the reason; an unknown token stays anonymous with none
    await request(app.server).get(`${base}/Users`).set('Authorization', 'Bearer prv_unknown').expect(401);
    const refusals = (await auditOf(t.id)).filter((e) => e.status === 401);
    expect(refusals.map((e) => [e.actorKind, e.connectionId, e.tokenId, e.note]).sort()).toEqual(
      [
        ['anonymous', null, null, null],
        ['scim', c.connection.id, c.tokenInfo.id, 'connection_disabled'],
        ['scim', c.connection.id, c.tokenInfo.id, 'connection_disabled'],
      ].sort(),
    );
    const [disableEntry] = await auditOf(t.id, 'Admin.disableScimConnection');
    expect(disableEntry).toMatchObject({ status: 200, actorKind: 'admin', note: 'connection_disabled', resourceIds: [c.connection.id] });

    // the audit reason is in the GraphQL trail too
    const trail = await app.gql(admin, `query($t: String!) { tenant(slug: $t) { auditEntries(filter: { outcome: FAILURE }) { nodes { status note connectionId } } } }`, { t: t.slug });
    expect(trail.body.data.tenant.auditEntries.nodes.filter((n: any) => n.note === 'connection_disabled')).toHaveLength(2);

    const enabled = await app.gql(admin, `mutation($t: String!, $id: ID!) { enableScimConnection(tenant: $t, id: $id) { status disabledAt } }`, {
      t: t.slug,
      id: c.connection.id,
    });
    expect(enabled.body.data.enableScimConnection).toEqual({ status: 'ACTIVE', disabledAt: null });
    await client.post(`${base}/Users`, { schemas: [USER], userName: 'back@example.com' }).expect(201);
    expect((await auditOf(t.id, 'Admin.enableScimConnection'))[0]).toMatchObject({ status: 200, note: 'connection_enabled' });
  });

  it('delete: every token revoked (401), the connection hidden from listings but kept for history; an auditor may not', async () => {
    const t = await app.services.tenants.create({ name: 'Connection Delete' });
    const keep = await connectionOf(t.slug, 'Entra');
    const gone = await connectionOf(t.slug, 'Old Okta');
    const second = await app.services.connections.issueToken(t.id, gone.connection.id);
    const base = `/scim/v2/${t.slug}`;
    await scim(app, gone.token).post(`${base}/Users`, { schemas: [USER], userName: 'kept@example.com' }).expect(201);

    const auditor = await app.key('auditor');
    const refusedMutation = await app.gql(auditor, `mutation($t: String!, $id: ID!) { deleteScimConnection(tenant: $t, id: $id) { id } }`, { t: t.slug, id: gone.connection.id });
    expect(refusedMutation.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    const res = await app.gql(admin, `mutation($t: String!, $id: ID!) { deleteScimConnection(tenant: $t, id: $id) { ${CONNECTION} } }`, { t: t.slug, id: gone.connection.id });
    expect(res.body.data.deleteScimConnection).toMatchObject({ status: 'DELETED', activeTokens: 0 });

    for (const token of [gone.token, second.token]) {
      await scim(app, token).get(`${base}/Users`).expect(401);
    }
    await scim(app, keep.token).get(`${base}/Users`).expect(200);
    const refusals = (await auditOf(t.id)).filter((e) => e.status === 401);
    expect(refusals.map((e) => [e.connectionId, e.note])).toEqual([
      [gone.connection.id, 'connection_deleted'],
      [gone.connection.id, 'connection_deleted'],
    ]);

    const listed = await app.gql(admin, `query($t: String!) { tenant(slug: $t) { scimConnections { name } all: scimConnections(includeDeleted: true) { name status } scimTokens { connectionId status } } }`, { t: t.slug });
    expect(listed.body.data.tenant.scimConnections).toEqual([{ name: 'Entra' }]);
    expect(listed.body.data.tenant.all).toEqual([{ name: 'Entra', status: 'ACTIVE' }, { name: 'Old Okta', status: 'DELETED' }]);
    expect(listed.body.data.tenant.scimTokens.filter((x: any) => x.connectionId === gone.connection.id).map((x: any) => x.status)).toEqual(['REVOKED', 'REVOKED']);

    // history kept: the users it created and its audit entries still name it
    const created = await auditOf(t.id, 'User.create');
    expect(created[0]).toMatchObject({ connectionId: gone.connection.id, status: 201 });
    // a deleted connection cannot be enabled, issued a token, or deleted again
    const again = await app.gql(admin, `mutation($t: String!, $id: ID!) { enableScimConnection(tenant: $t, id: $id) { id } }`, { t: t.slug, id: gone.connection.id });
    expect(again.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    await expect(app.services.connections.issueToken(t.id, gone.connection.id)).rejects.toMatchObject({ code: 'notFound' });
    const audited = await auditOf(t.id, 'Admin.deleteScimConnection');
    expect(audited.map((e) => [e.status, e.note]).sort()).toEqual([[200, 'connection_deleted'], [403, null]].sort());
  });
});

describe('tenant deletion', () => {
  it('needs the slug as confirmation, then purges users, groups and events, revokes tokens (401) and keeps the audit trail', async () => {
    const t = await app.services.tenants.create({ name: 'Leaving' });
    const other = await app.services.tenants.create({ name: 'Staying' });
    const c = await connectionOf(t.slug, 'Entra');
    const o = await connectionOf(other.slug, 'Entra');
    const base = `/scim/v2/${t.slug}`;
    const client = scim(app, c.token);
    const u = await client.post(`${base}/Users`, { schemas: [USER], userName: 'ada@example.com' }).expect(201);
    await client.post(`${base}/Users`, { schemas: [USER], userName: 'bob@example.com' }).expect(201);
    await client.post(`${base}/Groups`, { schemas: [GROUP], displayName: 'Team', members: [{ value: u.body.id }] }).expect(201);
    await client.delete(`${base}/Users/${u.body.id}`).expect(204); // a deactivated user with a held membership
    await scim(app, o.token).post(`/scim/v2/${other.slug}/Users`, { schemas: [USER], userName: 'ada@example.com' }).expect(201);

    const unconfirmed = await app.gql(admin, `mutation($t: String!) { deleteTenant(tenant: $t, confirm: "yes") { id } }`, { t: t.slug });
    expect(unconfirmed.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(unconfirmed.body.errors?.[0].message).toContain(`"${t.slug}"`);
    await client.get(`${base}/Users`).expect(200); // nothing happened

    const res = await app.gql(
      admin,
      `mutation($t: String!) { deleteTenant(tenant: $t, confirm: $t) { id slug deletedAt purgedUsers purgedGroups purgedEvents connectionsDeleted } }`,
      { t: t.slug },
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.deleteTenant).toMatchObject({ id: t.id, slug: t.slug, purgedUsers: 2, purgedGroups: 1, connectionsDeleted: 1 });
    expect(res.body.data.deleteTenant.purgedEvents).toBeGreaterThan(0);

    const refused = await client.get(`${base}/Users`).expect(401);
    expect(refused.body.status).toBe('401');
    const em = app.orm.em.fork() as never;
    const left = await sql<{ users: number; groups: number; held: number; events: number; audit: number; live_tokens: number }>(
      em,
      `select (select count(*) from scim_user where tenant_id = ?)::int as users,
              (select count(*) from scim_group where tenant_id = ?)::int as groups,
              (select count(*) from held_membership h join scim_group g on g.id = h.group_id where g.tenant_id = ?)::int as held,
              (select count(*) from event_outbox where tenant_id = ? and type <> 'tenant.deleted')::int as events,
              (select count(*) from audit_entry where tenant_id = ?)::int as audit,
              (select count(*) from scim_token where tenant_id = ? and revoked_at is null)::int as live_tokens`,
      [t.id, t.id, t.id, t.id, t.id, t.id],
    );
    expect(left[0]).toMatchObject({ users: 0, groups: 0, held: 0, events: 0, live_tokens: 0 });
    expect(left[0].audit).toBeGreaterThan(5);
    // the one event left tells downstream to drop the tenant's data
    const feed = await request(app.server).get(`/events?tenant=${t.id}&after=0`).set('Authorization', `Bearer ${admin}`);
    expect(feed.status).toBe(404); // the tenant is gone from the admin API ...
    const [last] = await sql<{ type: string; subject: string }>(em, 'select type, subject from event_outbox where tenant_id = ?', [t.id]);
    expect(last).toEqual({ type: 'tenant.deleted', subject: t.id }); // ... but its last event waits for the relay

    // gone from the admin API, the slug stays reserved, the audit trail is kept and has the deletion
    const gone = await app.gql(admin, `query($t: String!) { tenant(slug: $t) { id } tenants { slug } }`, { t: t.slug });
    expect(gone.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    await expect(app.services.tenants.create({ name: 'Again', slug: t.slug })).rejects.toMatchObject({ code: 'uniqueness' });
    const deletion = await auditOf(t.id, 'Admin.deleteTenant');
    expect(deletion.map((e) => e.status).sort()).toEqual([200, 400]);
    expect(deletion.find((e) => e.status === 200)?.note).toBe('purged users=2 groups=1 events=' + res.body.data.deleteTenant.purgedEvents);
    const refusals = (await auditOf(t.id)).filter((e) => e.status === 401);
    expect(refusals.map((e) => e.note)).toEqual(['tenant_deleted']);

    // the other tenant is untouched
    await scim(app, o.token).get(`/scim/v2/${other.slug}/Users?filter=${encodeURIComponent('userName eq "ada@example.com"')}`).expect(200);
    const stays = await app.gql(admin, `{ tenants { slug } }`);
    expect(stays.body.data.tenants.map((x: any) => x.slug)).toContain(other.slug);
    expect(stays.body.data.tenants.map((x: any) => x.slug)).not.toContain(t.slug);
  });
});
