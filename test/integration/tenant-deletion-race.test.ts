import type { EntityManager } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import type { RequestContext } from '../../src/domain/context';
import { sql } from '../../src/db/sql';
import { createTestApp, TestApp } from '../support/app';
import { GROUP, USER } from '../support/events';

/**
 * A create and the deletion of its tenant at the same moment (Migration20261129050000): the create
 * either lands before the deletion, which then purges it, or is refused with a 404. It never leaves
 * a user, group or custom attribute, or an event after `tenant.deleted`, in a deleted tenant.
 */
let app: TestApp;
const em = () => app.orm.em.fork() as EntityManager;

beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => app.close());

async function tenant(name: string): Promise<RequestContext> {
  const t = await app.tenant(name);
  return { tenant: { id: t.id, slug: t.slug, name }, actor: { kind: 'scim', connectionId: t.connectionId, tokenId: t.tokenId, idp: 'generic' }, requestId: `race-${name}` };
}

/** One create of each kind that carries a tenant id. */
const creates: [string, (ctx: RequestContext, n: number) => Promise<unknown>][] = [
  ['user', (ctx, n) => app.services.users.create(ctx, { schemas: [USER], userName: `late${n}@example.com` })],
  ['group', (ctx, n) => app.services.groups.create(ctx, { schemas: [GROUP], displayName: `Late ${n}` }, { members: false })],
  ['custom attribute', (ctx, n) => app.services.customAttributes.define(ctx, { resourceType: 'User', name: `late${n}`, type: 'string' })],
];

/** What a tenant still holds: live rows of each kind, and the types of its stored events in order. */
async function leftIn(tenantId: string): Promise<{ rows: number; events: string[] }> {
  const [{ rows }] = await sql<{ rows: number }>(
    em(),
    `select (select count(*) from scim_user where tenant_id = ?) + (select count(*) from scim_group where tenant_id = ?)
          + (select count(*) from custom_attribute where tenant_id = ?) as rows`,
    [tenantId, tenantId, tenantId],
  );
  const events = await sql<{ type: string }>(em(), 'select type from event_outbox where tenant_id = ? order by position', [tenantId]);
  return { rows: Number(rows), events: events.map((e) => e.type) };
}

const deleteTenant = (ctx: RequestContext) => app.services.tenants.delete({ ...ctx, actor: { kind: 'system' } as never }, { confirm: ctx.tenant.slug });

describe.each(creates)('a %s create racing its tenant deletion', (_kind, create) => {
  it('is refused with a 404 once the deletion has committed, and writes nothing', async () => {
    const ctx = await tenant(`after-${_kind}`);
    await deleteTenant(ctx);
    await expect(create(ctx, 1)).rejects.toMatchObject({ code: 'notFound' });
    expect(await leftIn(ctx.tenant.id)).toEqual({ rows: 0, events: ['tenant.deleted'] });
  });

  it('waiting on the deletion in progress, is refused with a 404 and writes nothing (PGlite, one connection: the two in either order, nothing left)', async () => {
    const ctx = await tenant(`during-${_kind}`);
    const held = await app.services.users.create(ctx, { schemas: [USER], userName: 'held@example.com' });
    if (app.kind === 'pglite') {
      // one connection: the two run one after the other, in either order; neither leaves anything
      const [created, deleted] = await Promise.allSettled([create(ctx, 2), deleteTenant(ctx)]);
      expect(deleted.status).toBe('fulfilled');
      if (created.status === 'rejected') expect(created.reason).toMatchObject({ code: 'notFound' });
      expect(await leftIn(ctx.tenant.id)).toEqual({ rows: 0, events: ['tenant.deleted'] });
      return;
    }
    // A session holds a user row, so the deletion, once it has locked the tenant row, waits in its
    // purge; the create then waits on the tenant row in its foreign-key check. Released, the
    // deletion commits first and the create resumes after it.
    const blocker = new Client({ connectionString: app.url });
    await blocker.connect();
    try {
      await blocker.query('begin');
      await blocker.query('select 1 from scim_user where id = $1 for update', [held.user.id]);
      const deletion = deleteTenant(ctx);
      await lockWaiters(blocker, 1);
      const creation = create(ctx, 2).then(
        () => 'created',
        (e) => e,
      );
      await lockWaiters(blocker, 2);
      await blocker.query('rollback');
      await deletion;
      expect(await creation).toMatchObject({ code: 'notFound', message: expect.stringMatching(/tenant was deleted/) });
    } finally {
      await blocker.end();
    }
    expect(await leftIn(ctx.tenant.id)).toEqual({ rows: 0, events: ['tenant.deleted'] });
  });
});

/** Waits until `n` sessions of this database wait on a lock. */
async function lockWaiters(c: Client, n: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    // inside the blocker's transaction the activity view is a snapshot: cleared before each look
    await c.query('select pg_stat_clear_snapshot()');
    const { rows } = await c.query(`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`);
    if (rows[0].n >= n) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`fewer than ${n} sessions waited on a lock within 5 s`);
}
