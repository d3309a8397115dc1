import type { RequestContext } from '../../src/domain/context';
import { createTestDb, TestDb } from '../support/database';
import { allEvents, GROUP, scimContext, USER } from '../support/events';

let db: TestDb;
let ctx: RequestContext;
beforeAll(async () => {
  db = await createTestDb();
  ctx = await scimContext(db, 'Net Co');
});
afterAll(async () => db.close());

const NO_MEMBERS = { members: false };

/** A group with members x and y, and a user z outside it. */
async function setup(name: string) {
  const [x, y, z] = await Promise.all(['x', 'y', 'z'].map(async (n) => (await db.services.users.create(ctx, { schemas: [USER], userName: `${name}.${n}@example.com` })).user.id));
  const group = await db.services.groups.create(ctx, { schemas: [GROUP], displayName: name, members: [{ value: x }, { value: y }] }, NO_MEMBERS);
  const events = await allEvents(db, ctx.tenant.id);
  return { x, y, z, group, cursor: events[events.length - 1].sequence };
}

const groupVersion = async (id: string) => (await db.services.groups.get(ctx, id, NO_MEMBERS)).version;
const userVersions = async (ids: string[]) => Promise.all(ids.map(async (id) => (await db.services.users.get(ctx, id)).version));
const memberIds = async (id: string) => ((await db.services.groups.get(ctx, id, { members: true })).members ?? []).map((m) => m.id).sort();

describe('group PATCH: version and events follow the net change', () => {
  it('remove X then add X back: no new version for the group or X, no event, same members', async () => {
    const { x, y, z, group, cursor } = await setup('cancel');
    const before = await userVersions([x, y, z]);
    const { group: after, changed } = await db.services.groups.patch(
      ctx,
      group.id,
      [
        { op: 'remove', path: `members[value eq "${x}"]` },
        { op: 'add', path: 'members', value: [{ value: x }] },
      ],
      NO_MEMBERS,
    );
    expect(changed).toEqual([]);
    expect(after.version).toBe(group.version);
    expect(await groupVersion(group.id)).toBe(group.version);
    expect(await userVersions([x, y, z])).toEqual(before);
    expect(await memberIds(group.id)).toEqual([x, y].sort());
    expect(await allEvents(db, ctx.tenant.id, cursor)).toEqual([]);
  });

  it('add Z then remove Z, and replace with the same set: no change either', async () => {
    const { x, y, z, group, cursor } = await setup('transient');
    const before = await userVersions([x, y, z]);
    await db.services.groups.patch(
      ctx,
      group.id,
      [
        { op: 'add', path: 'members', value: [{ value: z }] },
        { op: 'remove', path: 'members', value: [{ value: z }] },
        { op: 'replace', path: 'members', value: [{ value: y }, { value: x }] },
      ],
      NO_MEMBERS,
    );
    expect(await groupVersion(group.id)).toBe(group.version);
    expect(await userVersions([x, y, z])).toEqual(before);
    expect(await allEvents(db, ctx.tenant.id, cursor)).toEqual([]);
  });

  it('a real change among cancelling ones bumps the group once and emits only the net delta; only its users get a new version', async () => {
    const { x, y, z, group, cursor } = await setup('mixed');
    const [vx, vy, vz] = await userVersions([x, y, z]);
    const { group: after, changed } = await db.services.groups.patch(
      ctx,
      group.id,
      [
        { op: 'remove', path: `members[value eq "${x}"]` },
        { op: 'add', path: 'members', value: [{ value: x }, { value: z }] },
        { op: 'remove', path: `members[value eq "${y}"]` },
      ],
      NO_MEMBERS,
    );
    expect(changed).toEqual(['members']);
    expect(after.version).toBe(group.version + 1);
    expect(await userVersions([x, y, z])).toEqual([vx, vy + 1, vz + 1]);
    expect(await memberIds(group.id)).toEqual([x, z].sort());
    const events = await allEvents(db, ctx.tenant.id, cursor);
    expect(events.map((e) => [e.type, e.subject, e.data.version, e.data.members])).toEqual([
      ['com.provisio.group.members_added', group.id, group.version + 1, [z]],
      ['com.provisio.group.members_removed', group.id, group.version + 1, [y]],
    ]);
  });

  it('an attribute change with cancelling member operations is a group.updated only', async () => {
    const { x, y, group, cursor } = await setup('renamed');
    await db.services.groups.patch(
      ctx,
      group.id,
      [
        { op: 'remove', path: `members[value eq "${x}"]` },
        { op: 'add', path: 'members', value: [{ value: x }] },
        { op: 'replace', path: 'externalId', value: 'ext-renamed' },
      ],
      NO_MEMBERS,
    );
    expect(await groupVersion(group.id)).toBe(group.version + 1);
    const events = await allEvents(db, ctx.tenant.id, cursor);
    expect(events.map((e) => [e.type, e.data.version, e.data.changes])).toEqual([
      ['com.provisio.group.updated', group.version + 1, [{ attribute: 'externalId', old: null, new: 'ext-renamed' }]],
    ]);
    expect(await memberIds(group.id)).toEqual([x, y].sort());
  });
});
