import request from 'supertest';
import { scim } from '../support/app';
import { GROUP, USER } from '../support/events';
import { createGqlTestApp, GqlTestApp } from './graphql-helpers';

/** Issue 12 §3: what a SCIM DELETE of a user does, per connection; seen over SCIM, on GET /events and in the audit trail. */
let app: GqlTestApp;
let admin: string;
beforeAll(async () => {
  app = await createGqlTestApp();
  admin = await app.key('admin');
});
afterAll(async () => app.close());

async function setup(name: string, deletePolicy?: 'DELETE' | 'DEACTIVATE') {
  const t = await app.services.tenants.create({ name });
  const created = await app.gql(
    admin,
    `mutation($t: String!, $p: DeletePolicy) { createScimConnection(tenant: $t, idp: GENERIC, name: "Entra ID production", deletePolicy: $p) {
       token connection { id name deletePolicy status } } }`,
    { t: t.slug, p: deletePolicy ?? null },
  );
  expect(created.body.errors).toBeUndefined();
  const c = created.body.data.createScimConnection;
  const base = `/scim/v2/${t.slug}`;
  const client = scim(app, c.token);
  const user = await client.post(`${base}/Users`, { schemas: [USER], userName: 'ada@example.com', externalId: 'ext-ada', name: { givenName: 'Ada' } }).expect(201);
  const other = await client.post(`${base}/Users`, { schemas: [USER], userName: 'bob@example.com' }).expect(201);
  const sales = await client
    .post(`${base}/Groups`, { schemas: [GROUP], displayName: 'Sales', members: [{ value: user.body.id }, { value: other.body.id }] })
    .expect(201);
  const admins = await client.post(`${base}/Groups`, { schemas: [GROUP], displayName: 'Admins', members: [{ value: user.body.id }] }).expect(201);
  return { t, c, base, client, userId: user.body.id as string, otherId: other.body.id as string, salesId: sales.body.id as string, adminsId: admins.body.id as string };
}

/** Every event of the tenant after `after`, through the HTTP feed. */
async function feed(slug: string, after = 0): Promise<{ type: string; subject: string; data: any }[]> {
  const res = await request(app.server).get(`/events?tenant=${slug}&after=${after}&limit=1000`).set('Authorization', `Bearer ${admin}`).expect(200);
  return res.body.events.map((e: any) => ({ type: e.type.replace('com.provisio.', ''), subject: e.subject, data: e.data }));
}

async function lastSequence(slug: string): Promise<number> {
  const res = await request(app.server).get(`/events?tenant=${slug}&after=0&limit=1000`).set('Authorization', `Bearer ${admin}`).expect(200);
  return Number(res.body.next);
}

const memberIds = (g: { members?: { value: string }[] }) => (g.members ?? []).map((m) => m.value).sort();

describe('delete policy "deactivate" (the default of a new connection)', () => {
  it('DELETE: 404 over SCIM, user.deactivated downstream, memberships hidden; a re-POST brings the user back with its groups and user.reactivated', async () => {
    const s = await setup('Deactivating');
    expect(s.c.connection.deletePolicy).toBe('DEACTIVATE');
    const before = await lastSequence(s.t.slug);
    const salesBefore = await s.client.get(`${s.base}/Groups/${s.salesId}`).expect(200);

    await s.client.delete(`${s.base}/Users/${s.userId}`).expect(204);
    // RFC 7644 §3.6: gone over SCIM, by id and by filter; its userName is free
    await s.client.get(`${s.base}/Users/${s.userId}`).expect(404);
    const byName = await s.client.get(`${s.base}/Users?filter=${encodeURIComponent('userName eq "ada@example.com"')}`).expect(200);
    expect(byName.body.totalResults).toBe(0);
    // memberships hidden from every SCIM read and filter, and the group's version moved (its member list changed)
    const sales = await s.client.get(`${s.base}/Groups/${s.salesId}`).expect(200);
    expect(memberIds(sales.body)).toEqual([s.otherId]);
    expect(sales.headers.etag).not.toBe(salesBefore.headers.etag);
    const withAda = await s.client.get(`${s.base}/Groups?filter=${encodeURIComponent(`members[value eq "${s.userId}"]`)}`).expect(200);
    expect(withAda.body.totalResults).toBe(0);

    // downstream: only user.deactivated, no membership event
    const deleted = await feed(s.t.slug, before);
    expect(deleted.map((e) => e.type)).toEqual(['user.deactivated']);
    expect(deleted[0]).toMatchObject({ subject: s.userId, data: { id: s.userId, userName: 'ada@example.com', externalId: 'ext-ada', cause: 'delete' } });

    // a group write meanwhile does not drop the held membership (the IdP cannot see it)
    await s.client
      .patch(`${s.base}/Groups/${s.salesId}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'displayName', value: 'Sales EMEA' }] })
      .expect(204);
    // and the deactivated user cannot be added back by id (it is not a user of the tenant over SCIM)
    await s.client
      .patch(`${s.base}/Groups/${s.adminsId}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'add', path: 'members', value: [{ value: s.userId }] }] })
      .expect(400);

    // re-POST by externalId (a new userName): same id, groups back, user.reactivated
    const mid = await lastSequence(s.t.slug);
    const back = await s.client.post(`${s.base}/Users`, { schemas: [USER], userName: 'ada.lovelace@example.com', externalId: 'ext-ada', name: { givenName: 'Ada' } }).expect(201);
    expect(back.body.id).toBe(s.userId);
    expect(back.body.active).toBe(true);
    expect(back.body.groups.map((g: { value: string }) => g.value).sort()).toEqual([s.adminsId, s.salesId].sort());
    const salesAfter = await s.client.get(`${s.base}/Groups/${s.salesId}`).expect(200);
    expect(memberIds(salesAfter.body)).toEqual([s.otherId, s.userId].sort());
    const admins = await s.client.get(`${s.base}/Groups/${s.adminsId}`).expect(200);
    expect(memberIds(admins.body)).toEqual([s.userId]);

    const revived = await feed(s.t.slug, mid);
    expect(revived.map((e) => e.type)).toEqual(['user.updated', 'user.reactivated']);
    expect(revived[0].data.changes).toEqual([{ attribute: 'userName', old: 'ada@example.com', new: 'ada.lovelace@example.com' }]);
    expect(revived[1]).toMatchObject({ subject: s.userId, data: { userName: 'ada.lovelace@example.com', groups: [s.adminsId, s.salesId].sort() } });
    expect(revived[1].data.version).toBe(back.body.meta.version.replace(/\D/g, '') * 1);

    // the audit trail shows the policy the DELETE applied
    await app.services.audit.drain();
    const { entries } = await app.services.audit.query(s.t.id, { operation: 'User.delete' });
    expect(entries.map((e) => [e.status, e.note])).toEqual([[204, 'deletePolicy=deactivate']]);
  });

  it('a re-POST by userName works too; a group deleted meanwhile is simply not restored', async () => {
    const s = await setup('Deactivating Again');
    await s.client.delete(`${s.base}/Users/${s.userId}`).expect(204);
    await s.client.delete(`${s.base}/Groups/${s.adminsId}`).expect(204);
    const back = await s.client.post(`${s.base}/Users`, { schemas: [USER], userName: 'ADA@example.com' }).expect(201);
    expect(back.body.id).toBe(s.userId);
    expect(back.body.groups.map((g: { value: string }) => g.value)).toEqual([s.salesId]);
  });
});

describe('admin restore of a deactivated user', () => {
  it('restoreUser brings it back with its groups and user.reactivated; deletedUsers lists it meanwhile', async () => {
    const s = await setup('Admin Restore');
    await s.client.delete(`${s.base}/Users/${s.userId}`).expect(204);
    const listed = await app.gql(admin, `query($t: String!) { tenant(slug: $t) { deletedUsers { nodes { id } } } }`, { t: s.t.slug });
    expect(listed.body.data.tenant.deletedUsers.nodes).toEqual([{ id: s.userId }]);
    const before = await lastSequence(s.t.slug);
    const res = await app.gql(admin, `mutation($t: String!, $id: ID!) { restoreUser(tenant: $t, id: $id) { id active } }`, { t: s.t.slug, id: s.userId });
    expect(res.body.data.restoreUser).toEqual({ id: s.userId, active: true });
    const user = await s.client.get(`${s.base}/Users/${s.userId}`).expect(200);
    expect(user.body.groups.map((g: { value: string }) => g.value).sort()).toEqual([s.adminsId, s.salesId].sort());
    const events = await feed(s.t.slug, before);
    expect(events.map((e) => e.type)).toEqual(['user.reactivated']);
    expect(events[0].data.groups).toEqual([s.adminsId, s.salesId].sort());
  });
});

describe('delete policy "delete" (existing behaviour)', () => {
  it('DELETE: 404, memberships removed with group.members_removed then user.deleted; a re-POST restores the user without groups (user.restored)', async () => {
    const s = await setup('Deleting', 'DELETE');
    expect(s.c.connection.deletePolicy).toBe('DELETE');
    const before = await lastSequence(s.t.slug);
    await s.client.delete(`${s.base}/Users/${s.userId}`).expect(204);
    await s.client.get(`${s.base}/Users/${s.userId}`).expect(404);
    const sales = await s.client.get(`${s.base}/Groups/${s.salesId}`).expect(200);
    expect(memberIds(sales.body)).toEqual([s.otherId]);

    const deleted = await feed(s.t.slug, before);
    expect(deleted.map((e) => e.type).sort()).toEqual(['group.members_removed', 'group.members_removed', 'user.deleted']);
    expect(deleted[deleted.length - 1]).toMatchObject({ type: 'user.deleted', subject: s.userId });
    expect(deleted.filter((e) => e.type === 'group.members_removed').every((e) => e.data.cause === 'user.deleted' && e.data.members[0] === s.userId)).toBe(true);

    const mid = await lastSequence(s.t.slug);
    const back = await s.client.post(`${s.base}/Users`, { schemas: [USER], userName: 'ada@example.com', externalId: 'ext-ada' }).expect(201);
    expect(back.body.id).toBe(s.userId);
    expect(back.body.groups ?? []).toEqual([]);
    const salesAfter = await s.client.get(`${s.base}/Groups/${s.salesId}`).expect(200);
    expect(memberIds(salesAfter.body)).toEqual([s.otherId]);
    expect((await feed(s.t.slug, mid)).map((e) => e.type)).toEqual(['user.restored']);

    await app.services.audit.drain();
    const { entries } = await app.services.audit.query(s.t.id, { operation: 'User.delete' });
    expect(entries.map((e) => e.note)).toEqual(['deletePolicy=delete']);
  });

  it('the policy is changed over GraphQL and applies to the next DELETE; the change is in the audit trail', async () => {
    const s = await setup('Switching', 'DELETE');
    const res = await app.gql(
      admin,
      `mutation($t: String!, $id: ID!) { updateScimConnection(tenant: $t, id: $id, input: { deletePolicy: DEACTIVATE }) { id deletePolicy } }`,
      { t: s.t.slug, id: s.c.connection.id },
    );
    expect(res.body.data.updateScimConnection).toEqual({ id: s.c.connection.id, deletePolicy: 'DEACTIVATE' });
    const before = await lastSequence(s.t.slug);
    await s.client.delete(`${s.base}/Users/${s.userId}`).expect(204);
    expect((await feed(s.t.slug, before)).map((e) => e.type)).toEqual(['user.deactivated']);

    await app.services.audit.drain();
    const { entries } = await app.services.audit.query(s.t.id, { operation: 'Admin.updateScimConnection' });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ status: 200, note: 'deletePolicy=deactivate', resourceIds: [s.c.connection.id] });
    expect(entries[0].changedAttributes).toContain('deletePolicy');

    const bad = await app.gql(admin, `mutation($t: String!) { updateScimConnection(tenant: $t, id: "${s.c.connection.id}", input: { name: "  " }) { id } }`, { t: s.t.slug });
    expect(bad.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});
