import type { RequestContext } from '../../src/domain/context';
import { scim } from '../support/app';
import { allEvents, GROUP, USER } from '../support/events';
import { createGqlTestApp, GqlTestApp } from './graphql-helpers';

const REMOVE = `mutation($tenant: String!, $resourceType: String!, $name: String!) {
  removeAttribute(tenant: $tenant, resourceType: $resourceType, name: $name) { resourcesChanged }
}`;
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let app: GqlTestApp;
beforeAll(async () => {
  app = await createGqlTestApp();
});
afterAll(async () => app.close());

describe('removing a custom attribute writes the update events of the resources it rewrote', () => {
  it('one user.updated / group.updated per live resource that held a value, with its new version and old value; audited', async () => {
    const t = await app.tenant('Removal Co');
    const api = scim(app, t.token);
    const ctx: RequestContext = { tenant: { id: t.id, slug: t.slug, name: 'Removal Co' }, actor: { kind: 'admin' }, requestId: 'removal' };
    const cost = await app.services.customAttributes.define(ctx, { resourceType: 'User', name: 'costCode', type: 'string' });
    await app.services.customAttributes.define(ctx, { resourceType: 'User', name: 'level', type: 'integer' });
    const region = await app.services.customAttributes.define(ctx, { resourceType: 'Group', name: 'region', type: 'string' });
    const X = cost.schema;
    const G = region.schema;

    const post = async (path: string, body: Record<string, unknown>) => {
      const res = await api.post(`${t.base}/${path}`, body);
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const holders = [
      await post('Users', { schemas: [USER, X], userName: 'r1@example.com', externalId: 'e-1', [X]: { costCode: 'C-1', level: 1 } }),
      await post('Users', { schemas: [USER, X], userName: 'r2@example.com', [X]: { costCode: 'C-2' } }),
      await post('Users', { schemas: [USER, X], userName: 'r3@example.com', [X]: { costCode: 'C-3' } }),
    ];
    // a later version than 1 before the removal, so the event's version is not a coincidence
    expect((await api.patch(`${t.base}/Users/${holders[1]}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: `${X}:costCode`, value: 'C-2b' }] })).status).toBe(200);
    const without = await post('Users', { schemas: [USER, X], userName: 'r4@example.com', [X]: { level: 4 } });
    const deleted = await post('Users', { schemas: [USER, X], userName: 'r5@example.com', [X]: { costCode: 'C-5' } });
    expect((await api.delete(`${t.base}/Users/${deleted}`)).status).toBe(204);
    const group = await post('Groups', { schemas: [GROUP, G], displayName: 'EMEA', externalId: 'g-1', [G]: { region: 'emea' } });
    const otherGroup = await post('Groups', { schemas: [GROUP], displayName: 'Plain' });

    const versionsBefore = new Map<string, number>();
    for (const id of holders) versionsBefore.set(id, (await app.services.users.get(ctx, id)).version);
    versionsBefore.set(group, (await app.services.groups.get(ctx, group, { members: false })).version);
    const untouched = [(await app.services.users.get(ctx, without)).version, (await app.services.groups.get(ctx, otherGroup, { members: false })).version];
    const before = await allEvents(app, t.id);
    const cursor = before[before.length - 1].sequence;

    const key = await app.key('admin');
    const users = await app.gql(key, REMOVE, { tenant: t.slug, resourceType: 'User', name: 'costCode' });
    expect(users.body.errors).toBeUndefined();
    expect(users.body.data.removeAttribute.resourcesChanged).toBe(4); // the tombstone's value goes too
    const groups = await app.gql(key, REMOVE, { tenant: t.slug, resourceType: 'Group', name: 'region' });
    expect(groups.body.data.removeAttribute.resourcesChanged).toBe(1);

    const events = await allEvents(app, t.id, cursor);
    expect(events.map((e) => e.type)).toEqual(['com.provisio.user.updated', 'com.provisio.user.updated', 'com.provisio.user.updated', 'com.provisio.group.updated']);
    expect(events.map((e) => e.sequence)).toEqual([cursor + 1, cursor + 2, cursor + 3, cursor + 4]);
    expect(events.slice(0, 3).map((e) => e.subject).sort()).toEqual([...holders].sort());
    expect(events[3].subject).toBe(group);

    const oldValues: Record<string, string> = { [holders[0]]: 'C-1', [holders[1]]: 'C-2b', [holders[2]]: 'C-3' };
    for (const e of events.slice(0, 3)) {
      const now = await app.services.users.get(ctx, e.subject);
      expect(now.version).toBe(versionsBefore.get(e.subject)! + 1);
      expect(e.data).toEqual({
        resourceType: 'User',
        id: e.subject,
        version: now.version,
        userName: now.doc.userName,
        externalId: now.doc.externalId ?? null,
        changes: [{ attribute: `${X}:costCode`, old: oldValues[e.subject], new: null }],
      });
    }
    expect(events[0].data.externalId ?? events[1].data.externalId ?? events[2].data.externalId).toBe('e-1');
    const g = await app.services.groups.get(ctx, group, { members: false });
    expect(g.version).toBe(versionsBefore.get(group)! + 1);
    expect(events[3].data).toEqual({
      resourceType: 'Group',
      id: group,
      version: g.version,
      displayName: 'EMEA',
      externalId: 'g-1',
      changes: [{ attribute: `${G}:region`, old: 'emea', new: null }],
    });
    // resources without a value keep their version, and the remaining attribute is intact
    expect([(await app.services.users.get(ctx, without)).version, (await app.services.groups.get(ctx, otherGroup, { members: false })).version]).toEqual(untouched);
    expect((await app.services.users.get(ctx, holders[0])).doc[X]).toEqual({ level: 1 });

    // the admin mutation's audit row names the rewritten resources and the attribute
    await app.services.audit.drain();
    const audit = await app.services.audit.query(t.id, { operation: 'Admin.removeAttribute' });
    const userRow = audit.entries.find((a) => a.changedAttributes.includes(`${X}:costCode`));
    expect(userRow).toBeDefined();
    expect(userRow!.resourceIds).toEqual(expect.arrayContaining(holders));
    expect(userRow!.resourceIds).not.toContain(without);
    expect(userRow!.resourceIds).not.toContain(deleted);
    expect(audit.entries.find((a) => a.changedAttributes.includes(`${G}:region`))!.resourceIds).toContain(group);
  });

  it('a removal that fails writes no event and changes nothing', async () => {
    const t = await app.tenant('Removal Fail Co');
    const ctx: RequestContext = { tenant: { id: t.id, slug: t.slug, name: 'Removal Fail Co' }, actor: { kind: 'admin' }, requestId: 'removal-fail' };
    const one = await app.services.customAttributes.define(ctx, { resourceType: 'User', name: 'dup', type: 'string', schema: 'urn:example:one:User' });
    await app.services.customAttributes.define(ctx, { resourceType: 'User', name: 'dup', type: 'string', schema: 'urn:example:two:User' });
    const api = scim(app, t.token);
    const res = await api.post(`${t.base}/Users`, { schemas: [USER, one.schema], userName: 'f@example.com', [one.schema]: { dup: 'v' } });
    expect(res.status).toBe(201);
    const before = await allEvents(app, t.id);
    await expect(app.services.customAttributes.remove(ctx, { resourceType: 'User', name: 'dup' })).rejects.toMatchObject({ code: 'invalidValue' });
    expect(await allEvents(app, t.id)).toEqual(before);
    expect((await app.services.users.get(ctx, res.body.id)).version).toBe(1);
  });
});
