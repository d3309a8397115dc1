import type { EntityManager } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import type { RequestContext } from '../../src/domain/context';
import { sql } from '../../src/db/sql';
import { createTestApp, scim, TestApp } from '../support/app';
import { BlankDb, createBlankDb, migrateUpToBefore } from '../support/blank-database';
import { GROUP, USER } from '../support/events';

/**
 * Issue 16 §1: an unfiltered list's totalResults comes from the tenant's counters (tenant_count,
 * kept by triggers), not from count(*). After every kind of write the counters must equal what the
 * list scope counts: users with deleted_at null (so a DELETE under the delete policy and under the
 * deactivate policy both take one off, a restore or reactivation puts it back; `active` plays no
 * part), and every group. Checked against count(*) over the same scope and against the totals the
 * SCIM list, the admin list and the cross-type search report, on PostgreSQL and PGlite alike.
 */
let app: TestApp;
const em = () => app.orm.em.fork() as EntityManager;
const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => app.close());

interface Tenant {
  ctx: RequestContext;
  base: string;
  token: string;
}

async function tenant(name: string, deletePolicy: 'delete' | 'deactivate' = 'delete'): Promise<Tenant> {
  const t = await app.tenant(name, 'okta', { deletePolicy });
  return {
    ctx: { tenant: { id: t.id, slug: t.slug, name }, actor: { kind: 'scim', connectionId: t.connectionId, tokenId: t.tokenId, idp: 'okta' }, requestId: `count-${name}` },
    base: t.base,
    token: t.token,
  };
}

/** The counters' sums and count(*) over the list scopes of a tenant. */
async function figures(tenantId: string): Promise<{ counted: { users: number; groups: number }; actual: { users: number; groups: number } }> {
  const [row] = await sql<{ cu: number; cg: number; au: number; ag: number }>(
    em(),
    `select (select coalesce(sum(n), 0)::int from tenant_count where tenant_id = ? and resource_type = 'User') as cu,
            (select coalesce(sum(n), 0)::int from tenant_count where tenant_id = ? and resource_type = 'Group') as cg,
            (select count(*)::int from scim_user where tenant_id = ? and deleted_at is null) as au,
            (select count(*)::int from scim_group where tenant_id = ?) as ag`,
    [tenantId, tenantId, tenantId, tenantId],
  );
  return { counted: { users: row.cu, groups: row.cg }, actual: { users: row.au, groups: row.ag } };
}

/** The counters equal count(*), and every unfiltered list reports that total; returns it. */
async function agree(t: Tenant, expected?: { users: number; groups: number }): Promise<{ users: number; groups: number }> {
  const f = await figures(t.ctx.tenant.id);
  expect(f.counted).toEqual(f.actual);
  if (expected) expect(f.actual).toEqual(expected);
  // count 0: no rows, only the total (a non-full page would give its total without any count)
  const users = await app.services.users.list(t.ctx, { startIndex: 1, count: 0 });
  const groups = await app.services.groups.list(t.ctx, { startIndex: 1, count: 0 }, { members: false });
  const search = await app.services.search.search(t.ctx, { startIndex: 1, count: 0 }, { members: false });
  expect([users.totalResults, groups.totalResults, search.totalResults]).toEqual([f.actual.users, f.actual.groups, f.actual.users + f.actual.groups]);
  // and over HTTP, with a full page (the total cannot follow from the rows)
  if (f.actual.users > 1) {
    const res = await scim(app, t.token).get(`${t.base}/Users?count=1`);
    expect(res.body.totalResults).toBe(f.actual.users);
  }
  return f.actual;
}

const userBody = (userName: string, extra: Record<string, unknown> = {}) => ({ schemas: [USER], userName, ...extra });

describe('tenant_count: the counters equal count(*) of the list scopes', () => {
  it('after concurrent creates of users and groups (several sessions, so several shards on PostgreSQL)', async () => {
    const t = await tenant('Concurrent');
    await agree(t, { users: 0, groups: 0 });
    await Promise.all(Array.from({ length: 40 }, (_, i) => app.services.users.create(t.ctx, userBody(`c${i}@example.com`))));
    await Promise.all(Array.from({ length: 12 }, (_, i) => app.services.groups.create(t.ctx, { schemas: [GROUP], displayName: `G${i}` }, { members: false })));
    await agree(t, { users: 40, groups: 12 });
    // a userName taken twice at once: one create wins, the loser changes nothing
    const raced = await Promise.allSettled([1, 2, 3].map(() => app.services.users.create(t.ctx, userBody('same@example.com'))));
    expect(raced.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    await agree(t, { users: 41, groups: 12 });
    if (app.kind === 'postgresql') {
      // the pool's sessions wrote to shards of their own
      const [{ shards }] = await sql<{ shards: number }>(em(), `select count(*)::int as shards from tenant_count where tenant_id = ? and resource_type = 'User'`, [t.ctx.tenant.id]);
      expect(shards).toBeGreaterThan(1);
    }
  });

  it('after concurrent deletes, restores and a purge (delete policy: the user becomes a tombstone)', async () => {
    const t = await tenant('Deletes');
    const ids = await Promise.all(Array.from({ length: 20 }, async (_, i) => (await app.services.users.create(t.ctx, userBody(`d${i}@example.com`))).user.id));
    await Promise.all(ids.slice(0, 10).map((id) => app.services.users.delete(t.ctx, id)));
    await agree(t, { users: 10, groups: 0 });
    // a deactivated (active false) user is still listed: it counts
    await app.services.users.patch(t.ctx, ids[10], [{ op: 'replace', path: 'active', value: false }]);
    await agree(t, { users: 10, groups: 0 });
    // a re-POST of a deleted userName restores the tombstone; an admin restore too
    expect((await app.services.users.create(t.ctx, userBody('d0@example.com'))).restored).toBe(true);
    await app.services.users.restore(t.ctx, ids[1]);
    await agree(t, { users: 12, groups: 0 });
    // a purge removes a tombstone, which was not counted
    await app.services.users.purge(t.ctx, ids[2]);
    await agree(t, { users: 12, groups: 0 });
    // deleting a deleted user again changes nothing
    await expect(app.services.users.delete(t.ctx, ids[3])).rejects.toThrow(/not found/);
    await agree(t, { users: 12, groups: 0 });
  });

  it('after DELETEs under the deactivate policy (held memberships) and reactivations', async () => {
    const t = await tenant('Deactivate', 'deactivate');
    const ids = await Promise.all(Array.from({ length: 10 }, async (_, i) => (await app.services.users.create(t.ctx, userBody(`a${i}@example.com`))).user.id));
    await app.services.groups.create(t.ctx, { schemas: [GROUP], displayName: 'Team', members: ids.map((value) => ({ value })) }, { members: false });
    await Promise.all(ids.slice(0, 6).map((id) => app.services.users.delete(t.ctx, id)));
    // gone from the list, as RFC 7644 §3.6 requires, so gone from the count
    await agree(t, { users: 4, groups: 1 });
    expect((await app.services.users.create(t.ctx, userBody('a0@example.com'))).restored).toBe(true);
    await app.services.users.restore(t.ctx, ids[1]);
    await agree(t, { users: 6, groups: 1 });
  });

  it('after SCIM Bulk requests of creates and deletes, and group deletes', async () => {
    const t = await tenant('Bulk');
    const api = scim(app, t.token);
    const ops = Array.from({ length: 30 }, (_, i) => ({ method: 'POST', path: '/Users', bulkId: `u${i}`, data: userBody(`b${i}@example.com`) }));
    ops.push({ method: 'POST', path: '/Groups', bulkId: 'g', data: { schemas: [GROUP], displayName: 'Bulk group', members: [{ value: 'bulkId:u0' }] } as never });
    const res = await api.post(`${t.base}/Bulk`, { schemas: [BULK_REQUEST], Operations: ops });
    expect(res.status).toBe(200);
    await agree(t, { users: 30, groups: 1 });
    const locations: string[] = res.body.Operations.map((o: { location: string }) => o.location);
    const deletes = locations.slice(0, 12).map((l) => ({ method: 'DELETE', path: `/Users/${l.split('/').pop()}` }));
    deletes.push({ method: 'DELETE', path: `/Groups/${locations[30].split('/').pop()}` });
    const del = await api.post(`${t.base}/Bulk`, { schemas: [BULK_REQUEST], Operations: deletes });
    expect(del.status).toBe(200);
    expect(del.body.Operations.map((o: { status: string }) => o.status)).toEqual(deletes.map(() => '204'));
    await agree(t, { users: 18, groups: 0 });
  });

  it('after multi-row SQL statements across tenants (a bulk load, a mass delete, a mass soft delete)', async () => {
    const a = await tenant('Load A');
    const b = await tenant('Load B');
    // one statement: 300 live users of A, 200 of B, 50 tombstones of B
    await sql(
      em(),
      `insert into scim_user (id, tenant_id, user_name, user_name_key, active, attributes, version, created_at, updated_at, deleted_at)
       select gen_random_uuid(), t, u, u, true, '{}', 1, now(), now(), d from (
                   select ?::uuid as t, ? || n || '@example.com' as u, null::timestamptz as d from generate_series(1, 300) n
         union all select ?::uuid, ? || n || '@example.com', null from generate_series(1, 200) n
         union all select ?::uuid, ? || n || '@example.com', now() from generate_series(201, 250) n) s`,
      [a.ctx.tenant.id, a.ctx.tenant.slug, b.ctx.tenant.id, b.ctx.tenant.slug, b.ctx.tenant.id, b.ctx.tenant.slug],
    );
    await agree(a, { users: 300, groups: 0 });
    await agree(b, { users: 200, groups: 0 });
    // a mass soft delete (row by row in the trigger), a mass restore of some, a mass hard delete of tombstones and live rows
    await sql(em(), `update scim_user set deleted_at = now() where tenant_id = ? and user_name like ?`, [a.ctx.tenant.id, `${a.ctx.tenant.slug}1%`]);
    await agree(a);
    await sql(em(), `update scim_user set deleted_at = null where tenant_id = ? and user_name like ?`, [a.ctx.tenant.id, `${a.ctx.tenant.slug}10%`]);
    await agree(a);
    await sql(em(), `delete from scim_user where tenant_id = any(?::uuid[]) and user_name ~ '[0-9]*[05]@'`, [`{${a.ctx.tenant.id},${b.ctx.tenant.id}}`]);
    await agree(a);
    await agree(b);
    // an update that does not touch deleted_at, or leaves it as it was, changes nothing
    await sql(em(), `update scim_user set deleted_at = deleted_at, version = version + 1 where tenant_id = ?`, [b.ctx.tenant.id]);
    await agree(b);
  });

  it('after a tenant deletion (its users and groups purged), and a tenant row removed with its rows by the foreign keys', async () => {
    const t = await tenant('Doomed');
    const other = await tenant('Bystander');
    await Promise.all(Array.from({ length: 15 }, (_, i) => app.services.users.create(t.ctx, userBody(`x${i}@example.com`))));
    await Promise.all(Array.from({ length: 5 }, (_, i) => app.services.users.create(other.ctx, userBody(`y${i}@example.com`))));
    await app.services.groups.create(t.ctx, { schemas: [GROUP], displayName: 'Doomed group' }, { members: false });
    await agree(t, { users: 15, groups: 1 });
    await app.services.tenants.delete({ ...t.ctx, actor: { kind: 'system' } as never }, { confirm: t.ctx.tenant.slug });
    expect(await figures(t.ctx.tenant.id)).toEqual({ counted: { users: 0, groups: 0 }, actual: { users: 0, groups: 0 } });
    await agree(other, { users: 5, groups: 0 });
    // a tenant row deleted outright: the cascade removes its rows and its counters, and nothing fails
    const id = uuidv7();
    await sql(em(), `insert into tenant (id, name, slug, created_at, updated_at) values (?, 'Raw', ?, now(), now())`, [id, `raw-${id}`]);
    await sql(
      em(),
      `insert into scim_user (id, tenant_id, user_name, user_name_key, active, attributes, version, created_at, updated_at)
       select gen_random_uuid(), ?, 'r' || n, 'r' || n, true, '{}', 1, now(), now() from generate_series(1, 7) n`,
      [id],
    );
    await sql(em(), `insert into scim_group (id, tenant_id, display_name, attributes, version, created_at, updated_at) values (gen_random_uuid(), ?, 'G', '{}', 1, now(), now())`, [id]);
    expect((await figures(id)).counted).toEqual({ users: 7, groups: 1 });
    await sql(em(), 'delete from tenant where id = ?', [id]);
    expect(await sql(em(), 'select * from tenant_count where tenant_id = ?', [id])).toEqual([]);
    await agree(other, { users: 5, groups: 0 });
  });
});

describe('the migration that adds tenant_count', () => {
  const COUNTERS = 'Migration20261127214228';
  let blank: BlankDb;
  const bem = () => blank.orm.em.fork() as EntityManager;
  beforeAll(async () => {
    blank = await createBlankDb();
    await migrateUpToBefore(blank, COUNTERS);
  });
  afterAll(async () => blank.close());

  it('backfills the counters of existing tenants: live users (not tombstones) and groups', async () => {
    const tenants = [uuidv7(), uuidv7(), uuidv7()];
    for (const id of tenants) await sql(bem(), `insert into tenant (id, name, slug, created_at, updated_at) values (?, 'T', ?, now(), now())`, [id, `t-${id}`]);
    const users = (tenant: string, n: number, deleted: boolean) =>
      sql(
        bem(),
        `insert into scim_user (id, tenant_id, user_name, user_name_key, active, attributes, version, created_at, updated_at, deleted_at)
         select gen_random_uuid(), ?, ? || n, ? || n, true, '{}', 1, now(), now(), ${deleted ? 'now()' : 'null'} from generate_series(1, ?::int) n`,
        [tenant, deleted ? 'd' : 'u', deleted ? 'd' : 'u', n],
      );
    await users(tenants[0], 25, false);
    await users(tenants[0], 5, true);
    await users(tenants[1], 3, true);
    await sql(bem(), `insert into scim_group (id, tenant_id, display_name, attributes, version, created_at, updated_at) select gen_random_uuid(), ?, 'G' || n, '{}', 1, now(), now() from generate_series(1, 4) n`, [tenants[1]]);

    expect((await blank.orm.getMigrator().up({ to: COUNTERS })).map((m) => m.name)).toEqual([COUNTERS]);
    const counted = await sql<{ tenant_id: string; resource_type: string; n: number }>(
      bem(),
      'select tenant_id, resource_type, sum(n)::int as n from tenant_count group by tenant_id, resource_type order by tenant_id, resource_type',
    );
    expect(counted).toEqual([
      { tenant_id: tenants[0], resource_type: 'User', n: 25 },
      { tenant_id: tenants[1], resource_type: 'Group', n: 4 },
    ]);
    // and the triggers count from there on
    await users(tenants[2], 2, false);
    await sql(bem(), `update scim_user set deleted_at = now() where tenant_id = ? and user_name = 'u1'`, [tenants[0]]);
    expect(await sql(bem(), `select resource_type, sum(n)::int as n from tenant_count where tenant_id = any(?::uuid[]) group by 1 order by 1`, [`{${tenants[0]},${tenants[2]}}`])).toEqual([{ resource_type: 'User', n: 26 }]);
  });
});
