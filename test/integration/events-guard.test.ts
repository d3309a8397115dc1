import { AuditNotes } from '../../src/domain/audit/audit-notes';
import type { RequestContext } from '../../src/domain/context';
import { createTestDb, TestDb } from '../support/database';
import { allEvents, GROUP, scimContext, USER } from '../support/events';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb(); // default guard: 20% of active users in 10 minutes, at least 10 users
});
afterAll(async () => db.close());

const deactivate = [{ op: 'replace', path: 'active', value: false }];

/** The same tenant through another SCIM connection (another IdP, or a second app in the same IdP). */
async function otherConnection(ctx: RequestContext): Promise<RequestContext> {
  const { connection, token } = await db.services.connections.createConnection(ctx.tenant.id, { idp: 'entra' });
  return { ...ctx, actor: { kind: 'scim', connectionId: connection.id, tokenId: token.id, idp: 'entra' } };
}

async function users(ctx: RequestContext, label: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await db.services.users.create(ctx, { schemas: [USER], userName: `${label}${i}@example.com` })).user.id);
  return ids;
}

describe('mass-deprovisioning guard', () => {
  it('holds the events once a connection deprovisions more than the share, keeps answering, and releases them in order', async () => {
    const ctx = await scimContext(db, 'Guarded', { deletePolicy: 'delete' });
    const ids = await users(ctx, 'g', 30);
    const group = await db.services.groups.create(ctx, { schemas: [GROUP], displayName: 'All', members: ids.map((value) => ({ value })) }, { members: false });
    const before = (await allEvents(db, ctx.tenant.id)).length;

    // 9 deactivations: under the minimum count, published as usual
    for (const id of ids.slice(0, 9)) await db.services.users.patch(ctx, id, deactivate);
    expect((await db.services.events.stats(ctx.tenant.id)).openHolds).toEqual([]);

    // the 10th (10 of 30 > 20%) trips the guard: the write succeeds, its event is held
    const notes = new AuditNotes();
    const { user } = await db.services.users.patch({ ...ctx, audit: notes }, ids[9], deactivate);
    expect(user.active).toBe(false);
    const [hold] = (await db.services.events.stats(ctx.tenant.id)).openHolds;
    expect(hold).toMatchObject({ connectionId: (ctx.actor as { connectionId: string }).connectionId, state: 'open', events: 1 });
    expect(hold.reason).toMatch(/10 of 30/);
    expect(notes.holdId).toBe(hold.id); // reported to the audit trail

    // further deprovisioning by that connection joins the hold, membership removals included
    await db.services.users.delete(ctx, ids[10]);
    // a later change of a held user is held too, so releasing cannot reorder that user's events
    await db.services.users.patch(ctx, ids[9], [{ op: 'replace', path: 'active', value: true }]);
    // another connection's deprovisioning and unrelated changes are not held
    const other = await otherConnection(ctx);
    await db.services.users.patch(other, ids[20], deactivate);
    await db.services.users.patch(ctx, ids[21], [{ op: 'replace', path: 'displayName', value: 'Still here' }]);

    const visible = await allEvents(db, ctx.tenant.id);
    const fresh = visible.slice(before);
    expect(fresh.map((e) => [e.type, e.subject])).toEqual([
      ...ids.slice(0, 9).map((id) => ['com.provisio.user.deactivated', id]),
      ['com.provisio.user.deactivated', ids[20]],
      ['com.provisio.user.updated', ids[21]],
    ]);
    const stats = await db.services.events.stats(ctx.tenant.id);
    expect(stats.held).toBe(4); // deactivated, members_removed + deleted, reactivated
    expect(stats.openHolds[0].events).toBe(4);

    const lastSeen = visible[visible.length - 1].sequence;
    const released = await db.services.events.releaseHold({ ...ctx, actor: { kind: 'admin', keyId: 'k1' } }, hold.id);
    expect(released).toMatchObject({ state: 'released', resolvedBy: 'k1' });
    const after = (await db.services.events.list(ctx.tenant.id, { after: lastSeen })).events;
    expect(after.map((e) => [e.type, e.subject])).toEqual([
      ['com.provisio.user.deactivated', ids[9]],
      ['com.provisio.group.members_removed', group.id],
      ['com.provisio.user.deleted', ids[10]],
      ['com.provisio.user.reactivated', ids[9]],
    ]);
    expect(after.every((e) => e.sequence > lastSeen)).toBe(true);
    expect((await db.services.events.stats(ctx.tenant.id)).held).toBe(0);
    await expect(db.services.events.releaseHold(ctx, hold.id)).rejects.toMatchObject({ code: 'notFound' });

    // after a decision the count starts again: the next deactivation is published
    await db.services.users.patch(ctx, ids[11], deactivate);
    expect((await db.services.events.stats(ctx.tenant.id)).openHolds).toEqual([]);
  });

  it('discarded events are never listed', async () => {
    const ctx = await scimContext(db, 'Discarded');
    const ids = await users(ctx, 'd', 12);
    for (const id of ids.slice(0, 9)) await db.services.users.delete(ctx, id);
    await db.services.users.delete(ctx, ids[9]);
    const [hold] = (await db.services.events.stats(ctx.tenant.id)).openHolds;
    expect(hold.events).toBe(1);
    const seen = (await allEvents(db, ctx.tenant.id)).length;
    await db.services.events.discardHold({ ...ctx, actor: { kind: 'admin', keyId: 'k2' } }, hold.id);
    expect(await allEvents(db, ctx.tenant.id)).toHaveLength(seen);
    expect((await db.services.events.holds(ctx.tenant.id, 'discarded')).map((h) => h.id)).toEqual([hold.id]);
  });

  it('never trips for a small tenant below the minimum count, however large the share', async () => {
    const ctx = await scimContext(db, 'Tiny');
    const ids = await users(ctx, 't', 6);
    for (const id of ids) await db.services.users.patch(ctx, id, deactivate);
    const stats = await db.services.events.stats(ctx.tenant.id);
    expect(stats).toMatchObject({ held: 0, openHolds: [] });
    expect((await db.services.events.list(ctx.tenant.id, { types: ['user.deactivated'] })).events).toHaveLength(6);
  });

  it('concurrent deprovisioning is counted one after the other', async () => {
    const ctx = await scimContext(db, 'Concurrent');
    const ids = await users(ctx, 'c', 40);
    await Promise.all(ids.slice(0, 20).map((id) => db.services.users.patch(ctx, id, deactivate)));
    // 20 of 40: the 10th deprovisioning (10 > 20% of 40) trips it, whichever order they ran in
    const stats = await db.services.events.stats(ctx.tenant.id);
    expect(stats.held).toBe(11);
    expect((await db.services.events.list(ctx.tenant.id, { types: ['user.deactivated'] })).events).toHaveLength(9);
  });
});
