import type { RequestContext } from '../../src/domain/context';
import { createTestDb, TestDb } from '../support/database';
import { allEvents, ENT, GROUP, scimContext, USER } from '../support/events';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => db.close());

const replace = (path: string, value: unknown) => ({ op: 'replace', path, value });

describe('transactional outbox: event content', () => {
  let ctx: RequestContext;
  let seen = 0;
  /** The events written since the previous call. */
  const next = async () => {
    const events = await allEvents(db, ctx.tenant.id, seen);
    if (events.length) seen = events[events.length - 1].sequence;
    return events;
  };
  beforeAll(async () => {
    ctx = await scimContext(db, 'Events Co', { deletePolicy: 'delete' }); // this suite checks user.deleted and its membership events
  });

  it('user.created: a CloudEvents 1.0 envelope with the public document, and never a password', async () => {
    const { user } = await db.services.users.create(ctx, {
      schemas: [USER, ENT],
      userName: 'ada@example.com',
      externalId: 'x1',
      password: 'hunter2-Secret!',
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      [ENT]: { department: 'Math' },
    });
    const [e, ...rest] = await next();
    expect(rest).toEqual([]);
    expect(e).toMatchObject({
      specversion: '1.0',
      source: `/tenants/${ctx.tenant.slug}`,
      type: 'com.provisio.user.created',
      subject: user.id,
      datacontenttype: 'application/json',
      tenantid: ctx.tenant.id,
      data: { resourceType: 'User', id: user.id, version: 1, userName: 'ada@example.com', externalId: 'x1' },
    });
    expect(e.sequence).toBeGreaterThan(0);
    expect(new Date(e.time).toString()).not.toBe('Invalid Date');
    expect((e.data.attributes as any).name).toEqual({ givenName: 'Ada', familyName: 'Lovelace' });
    expect((e.data.attributes as any)[ENT]).toEqual({ department: 'Math' });
    expect(JSON.stringify(e)).not.toMatch(/hunter2|password/i);
  });

  it('user.updated lists each changed attribute with old and new values; active flips become (de|re)activated', async () => {
    const { user } = await db.services.users.create(ctx, { schemas: [USER], userName: 'bob@example.com', name: { familyName: 'B' } });
    await next();
    await db.services.users.patch(ctx, user.id, [replace('name.familyName', 'Builder'), replace(`${ENT}:department`, 'Ops'), replace('active', false)]);
    const [updated, deactivated, ...rest] = await next();
    expect(rest).toEqual([]);
    expect(updated.type).toBe('com.provisio.user.updated');
    expect(updated.data.version).toBe(2);
    expect(updated.data.changes).toEqual([
      { attribute: 'name.familyName', old: 'B', new: 'Builder' },
      { attribute: `${ENT}:department`, old: null, new: 'Ops' },
    ]);
    expect(deactivated).toMatchObject({ type: 'com.provisio.user.deactivated', subject: user.id, data: { version: 2, userName: 'bob@example.com' } });
    expect(deactivated.sequence).toBe(updated.sequence + 1);

    await db.services.users.patch(ctx, user.id, [replace('active', true)]);
    expect((await next()).map((e) => e.type)).toEqual(['com.provisio.user.reactivated']);

    // a PATCH that changes nothing writes no event
    await db.services.users.patch(ctx, user.id, [replace('active', true)]);
    expect(await next()).toEqual([]);

    // PUT: the difference to the stored document, a password in the body changes nothing visible
    await db.services.users.replace(ctx, user.id, { schemas: [USER], userName: 'bob@example.com', password: 'Secret-123', displayName: 'Bob' });
    const [put] = await next();
    expect(put.type).toBe('com.provisio.user.updated');
    expect(put.data.changes).toEqual([
      { attribute: 'displayName', old: null, new: 'Bob' },
      { attribute: 'name.familyName', old: 'Builder', new: null },
      { attribute: `${ENT}:department`, old: 'Ops', new: null },
    ]);
    expect(JSON.stringify(put)).not.toMatch(/Secret-123|password/i);
  });

  it('group.created, members_added/removed as deltas, group.updated, and user.deleted removing memberships', async () => {
    const users = [];
    for (const n of ['g1', 'g2', 'g3']) users.push((await db.services.users.create(ctx, { schemas: [USER], userName: `${n}@example.com` })).user);
    await next();
    const [u1, u2, u3] = users.map((u) => u.id);
    const group = await db.services.groups.create(ctx, { schemas: [GROUP], displayName: 'Crew', members: [{ value: u1 }, { value: u2 }] }, { members: false });
    const created = await next();
    expect(created.map((e) => e.type)).toEqual(['com.provisio.group.created', 'com.provisio.group.members_added']);
    expect(created[0].data).toMatchObject({ resourceType: 'Group', id: group.id, displayName: 'Crew' });
    expect(created[0].data.attributes).not.toHaveProperty('members');
    expect(created[1].data.members).toEqual([u1, u2].sort());

    // PATCH: add u3 (u1 again is no change), remove u2, rename
    await db.services.groups.patch(
      ctx,
      group.id,
      [
        { op: 'add', path: 'members', value: [{ value: u3 }, { value: u1 }] },
        { op: 'remove', path: `members[value eq "${u2}"]` },
        replace('displayName', 'Crew 2'),
      ],
      { members: false },
    );
    const patched = await next();
    expect(patched.map((e) => [e.type, e.data.members ?? e.data.changes])).toEqual([
      ['com.provisio.group.updated', [{ attribute: 'displayName', old: 'Crew', new: 'Crew 2' }]],
      ['com.provisio.group.members_added', [u3]],
      ['com.provisio.group.members_removed', [u2]],
    ]);

    // PUT with a member list: only the delta
    await db.services.groups.replace(ctx, group.id, { schemas: [GROUP], displayName: 'Crew 2', members: [{ value: u1 }, { value: u2 }] }, { members: false });
    expect((await next()).map((e) => [e.type, e.data.members])).toEqual([
      ['com.provisio.group.members_added', [u2]],
      ['com.provisio.group.members_removed', [u3]],
    ]);

    await db.services.users.delete(ctx, u1);
    const deleted = await next();
    expect(deleted.map((e) => [e.type, e.subject])).toEqual([
      ['com.provisio.group.members_removed', group.id],
      ['com.provisio.user.deleted', u1],
    ]);
    expect(deleted[0].data).toMatchObject({ members: [u1], cause: 'user.deleted' });

    const { user: restored, restored: wasRestored } = await db.services.users.create(ctx, { schemas: [USER], userName: 'g1@example.com' });
    expect(wasRestored).toBe(true);
    expect((await next()).map((e) => [e.type, e.subject])).toEqual([['com.provisio.user.restored', restored.id]]);

    await db.services.groups.delete(ctx, group.id);
    const [gone, ...none] = await next();
    expect(none).toEqual([]);
    expect(gone).toMatchObject({ type: 'com.provisio.group.deleted', subject: group.id, data: { displayName: 'Crew 2' } });
    expect(gone.data).not.toHaveProperty('members');
  });

  it('large member deltas are split into events of at most 1000 members', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 1005; i++) ids.push((await db.services.users.create(ctx, { schemas: [USER], userName: `bulk${i}@example.com` })).user.id);
    await next();
    await db.services.groups.create(ctx, { schemas: [GROUP], displayName: 'Bulk', members: ids.map((value) => ({ value })) }, { members: false });
    const events = await next();
    expect(events.map((e) => (e.data.members as string[] | undefined)?.length ?? 0)).toEqual([0, 1000, 5]);
    expect(new Set(events.flatMap((e) => (e.data.members as string[]) ?? []))).toEqual(new Set(ids));
  });

  it('a failed write leaves no event', async () => {
    const before = (await allEvents(db, ctx.tenant.id)).length;
    await expect(db.services.users.create(ctx, { schemas: [USER], userName: 'ada@example.com' })).rejects.toMatchObject({ code: 'uniqueness' });
    const { user } = await db.services.users.create(ctx, { schemas: [USER], userName: 'solo@example.com' });
    await expect(db.services.groups.create(ctx, { schemas: [GROUP], displayName: 'Bad', members: [{ value: user.id }, { value: '0190c5d6-0000-7000-8000-000000000000' }] }, { members: false })).rejects.toMatchObject({ code: 'invalidValue' });
    expect((await allEvents(db, ctx.tenant.id)).length).toBe(before + 1);
  });
});

describe('ordering', () => {
  it('sequence numbers grow per tenant in commit order, independently for each tenant, under concurrency', async () => {
    const a = await scimContext(db, 'Order A');
    const b = await scimContext(db, 'Order B');
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => db.services.users.create(i % 2 ? a : b, { schemas: [USER], userName: `o${i}@example.com` })),
    );
    for (const ctx of [a, b]) {
      const events = await allEvents(db, ctx.tenant.id);
      expect(events).toHaveLength(20);
      expect(events.map((e) => e.sequence)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    }
  });

  it('one resource’s events follow its versions, with concurrent writers', async () => {
    const ctx = await scimContext(db, 'Order C');
    const { user } = await db.services.users.create(ctx, { schemas: [USER], userName: 'c@example.com' });
    await Promise.all(Array.from({ length: 12 }, (_, i) => db.services.users.patch(ctx, user.id, [replace('displayName', `v${i}`)])));
    const events = (await allEvents(db, ctx.tenant.id)).filter((e) => e.subject === user.id);
    expect(events.map((e) => e.data.version)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
    const seqs = events.map((e) => e.sequence);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
  });

  it("one group's events follow its versions when member-only PATCHes (no update lock until their end) race renames and a remove", async () => {
    const ctx = await scimContext(db, 'Order G');
    const ids = await Promise.all(Array.from({ length: 24 }, async (_, i) => (await db.services.users.create(ctx, { schemas: [USER], userName: `m${i}@example.com` })).user.id));
    const read = { members: false };
    const g = await db.services.groups.create(ctx, { schemas: [GROUP], displayName: 'Race', members: [{ value: ids[0] }] }, read);
    const writes: Promise<unknown>[] = [];
    for (let i = 1; i < 20; i++) {
      writes.push(db.services.groups.patch(ctx, g.id, [{ op: 'add', path: 'members', value: [{ value: ids[i] }] }], read));
      if (i % 5 === 0) writes.push(db.services.groups.patch(ctx, g.id, [replace('displayName', `Race ${i}`)], read));
    }
    // and a remove of the first member
    writes.push(db.services.groups.patch(ctx, g.id, [{ op: 'remove', path: `members[value eq "${ids[0]}"]` }], read));
    await Promise.all(writes);
    const after = await db.services.groups.get(ctx, g.id, { members: true });
    expect(after.members!.map((m) => m.id).sort()).toEqual(ids.slice(1, 20).sort());
    // 1 create + 19 adds + 3 renames + 1 remove
    expect(after.version).toBe(24);
    const events = (await allEvents(db, ctx.tenant.id)).filter((e) => e.subject === g.id);
    const versions = events.map((e) => e.data.version as number);
    // versions never go back in sequence order, and every version from 1 to 24 has its event(s)
    expect([...versions].sort((x, y) => x - y)).toEqual(versions);
    expect([...new Set(versions)]).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    const added = events.filter((e) => e.type === 'com.provisio.group.members_added').flatMap((e) => e.data.members as string[]);
    expect(added.sort()).toEqual(ids.slice(0, 20).sort());
  });

  it('a member-only PATCH racing the deletion of its group answers 404 or succeeds before it, never a server error', async () => {
    const ctx = await scimContext(db, 'Doomed G');
    const ids = await Promise.all(Array.from({ length: 10 }, async (_, i) => (await db.services.users.create(ctx, { schemas: [USER], userName: `d${i}@example.com` })).user.id));
    const g = await db.services.groups.create(ctx, { schemas: [GROUP], displayName: 'Doomed' }, { members: false });
    const patches = ids.map((id) => db.services.groups.patch(ctx, g.id, [{ op: 'add', path: 'members', value: [{ value: id }] }], { members: false }).then(() => 'ok', (e: Error) => e.constructor.name));
    const deleted = db.services.groups.delete(ctx, g.id);
    const outcomes = await Promise.all(patches);
    await deleted;
    expect(outcomes.every((o) => o === 'ok' || o === 'NotFoundError')).toBe(true);
    expect(await db.services.groups.get(ctx, g.id, { members: false }).catch((e: Error) => e.constructor.name)).toBe('NotFoundError');
  });

  it('a consumer polling while writers commit never misses an event: numbers only appear after the ones it has read', async () => {
    const ctx = await scimContext(db, 'Poller');
    let done = false;
    const read: number[] = [];
    const poll = (async () => {
      let after = 0;
      while (!done) {
        const page = await db.services.events.list(ctx.tenant.id, { after, limit: 7 });
        read.push(...page.events.map((e) => e.sequence));
        after = page.next;
      }
      for (;;) {
        const page = await db.services.events.list(ctx.tenant.id, { after });
        if (!page.events.length) return;
        read.push(...page.events.map((e) => e.sequence));
        after = page.next;
      }
    })();
    await Promise.all(Array.from({ length: 30 }, (_, i) => db.services.users.create(ctx, { schemas: [USER], userName: `p${i}@example.com` })));
    done = true;
    await poll;
    expect(read).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  it('the feed filters by type (short or CloudEvents names) and refuses unknown types', async () => {
    const ctx = await scimContext(db, 'Feed Types');
    const { user } = await db.services.users.create(ctx, { schemas: [USER], userName: 'f@example.com' });
    await db.services.users.patch(ctx, user.id, [replace('active', false)]);
    const page = await db.services.events.list(ctx.tenant.id, { types: ['user.deactivated'] });
    expect(page.events.map((e) => e.type)).toEqual(['com.provisio.user.deactivated']);
    const page2 = await db.services.events.list(ctx.tenant.id, { types: ['com.provisio.user.created'], after: 0 });
    expect(page2.events.map((e) => e.subject)).toEqual([user.id]);
    expect((await db.services.events.list(ctx.tenant.id, { after: page2.next })).events.map((e) => e.type)).toEqual(['com.provisio.user.deactivated']);
    await expect(db.services.events.list(ctx.tenant.id, { types: ['user.exploded'] })).rejects.toMatchObject({ code: 'invalidValue' });
    await expect(db.services.events.list(ctx.tenant.id, { after: -1 })).rejects.toMatchObject({ code: 'invalidValue' });
  });
});
