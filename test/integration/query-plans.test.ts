import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../src/db/sql';
import { groupStorage } from '../../src/domain/group/group.storage';
import { parseFilter } from '../../src/domain/query/filter-parser';
import { compileFilter } from '../../src/domain/query/filter-sql';
import { orderBy, seekCondition } from '../../src/domain/query/page';
import type { ResourceTypeDef } from '../../src/domain/schema/attribute';
import { groupResourceType, userResourceType } from '../../src/domain/schema/core-schemas';
import type { ResourceStorage } from '../../src/domain/query/storage';
import { userStorage } from '../../src/domain/user/user.storage';
import { createTestDb, TestDb } from '../support/database';

/**
 * The query indexes (issue 3) serve the SQL the compiler really emits: EXPLAIN of the list query
 * for the filters clients send at scale must name the index. `enable_seqscan = off` (for the
 * transaction only) makes a small table prove that the index matches the expression; with a
 * million rows the planner picks it on cost (see bench/query.js).
 */
let db: TestDb;
let tenantId: string;
let userId: string;

beforeAll(async () => {
  db = await createTestDb();
  tenantId = (await db.services.tenants.create({ name: 'Plans' })).id;
  const em = db.orm.em.fork() as EntityManager;
  await sql(
    em,
    `insert into scim_user (id, tenant_id, user_name, user_name_key, external_id, display_name, active, attributes, version, created_at, updated_at)
     select gen_random_uuid(), ?, 'user' || n || '@example.com', 'user' || n || '@example.com', 'ext-' || n, 'User ' || n, true,
            jsonb_build_object('userName', 'user' || n || '@example.com', 'emails', jsonb_build_array(
              jsonb_build_object('value', 'user' || n || '@corp.example.com', 'type', 'work'),
              jsonb_build_object('value', 'u' || n || '@home.example.net', 'type', 'home'))), 1, now(), now()
       from generate_series(1, 2000) n`,
    [tenantId],
  );
  await sql(em, `insert into scim_group (id, tenant_id, display_name, attributes, version, created_at, updated_at)
     select gen_random_uuid(), ?, 'Group ' || n, '{}'::jsonb, 1, now(), now() from generate_series(1, 500) n`, [tenantId]);
  await sql(em, 'analyze scim_user');
  await sql(em, 'analyze scim_group');
  userId = (await sql<{ id: string }>(em, 'select id from scim_user limit 1'))[0].id;
});
afterAll(async () => db.close());

/**
 * The plan of `statement`, as JSON text, with sequential scans disabled in its transaction only;
 * with `bitmapOnly`, plain index scans too (a whole-index walk in id order, filtering as it goes, is
 * what a tiny table prefers to a GIN search).
 */
async function plan(statement: string, params: unknown[], bitmapOnly = false): Promise<string> {
  return (db.orm.em.fork() as EntityManager).transactional(async (em) => {
    await sql(em, 'set local enable_seqscan = off');
    if (bitmapOnly) await sql(em, 'set local enable_indexscan = off');
    const rows = await sql<{ 'QUERY PLAN': unknown }>(em, `explain (format json) ${statement}`, params);
    return JSON.stringify(rows[0]['QUERY PLAN']);
  });
}

/**
 * The list query of pageOf for a filter: scope, compiled filter, id order, a page. `scoped: false`
 * leaves the tenant out: on a 2,000-row table a bitmap scan of the tenant index costs less than a
 * GIN search, so only without it does the plan show which index the filter's expression matches.
 */
function listQuery(rt: ResourceTypeDef, storage: ResourceStorage, table: string, filter: string, scoped = true): { text: string; params: unknown[]; scoped: boolean } {
  const compiled = compileFilter(parseFilter(filter), rt, storage);
  const scope = !scoped ? 'true' : table === 'scim_user' ? 'r.tenant_id = ? and r.deleted_at is null' : 'r.tenant_id = ?';
  return { text: `select r.id from ${table} r where ${scope} and (${compiled.sql}) order by r.id limit 100`, params: [...(scoped ? [tenantId] : []), ...compiled.params], scoped };
}

const users = (filter: string) => listQuery(userResourceType, userStorage, 'scim_user', filter);
const usersAnyTenant = (filter: string) => listQuery(userResourceType, userStorage, 'scim_user', filter, false);

describe('EXPLAIN: the common filters are index-served', () => {
  it.each<[string, () => { text: string; params: unknown[]; scoped: boolean }, RegExp]>([
    ['userName eq (its RFC 8265 comparison key)', () => users('userName eq "USER42@example.com"'), /scim_user_tenant_username_key_(uq|idx)/],
    ['externalId eq', () => users('externalId eq "ext-42"'), /scim_user_tenant_external_id_idx/],
    ['emails[type eq "work"].value eq', () => users('emails[type eq "work"].value eq "User42@corp.example.com"'), /scim_user_emails_idx/],
    ['emails[type eq "work" and value eq …]', () => users('emails[type eq "work" and value eq "user42@corp.example.com"]'), /scim_user_emails_idx/],
    ['emails.value co', () => usersAnyTenant('emails.value co "42@corp"'), /scim_user_emails_trgm_idx/],
    ['emails.value sw', () => usersAnyTenant('emails.value sw "user42@"'), /scim_user_emails_trgm_idx/],
    ['userName co', () => usersAnyTenant('userName co "er42@"'), /scim_user_username_trgm_idx/],
    ['userName ew', () => usersAnyTenant('userName ew "42@example.com"'), /scim_user_username_trgm_idx/],
    ['displayName co', () => usersAnyTenant('displayName co "er 42"'), /scim_user_display_name_trgm_idx/],
    ['id eq', () => users(`id eq "${userId}"`), /"Index Cond":"[^"]*\bid = '[0-9a-f-]{36}'::uuid/],
    ['Groups displayName co', () => listQuery(groupResourceType, groupStorage, 'scim_group', 'displayName co "up 42"', false), /scim_group_display_name_trgm_idx/],
  ])('%s', async (_, query, index) => {
    const { text, params, scoped } = query();
    expect(await plan(text, params, !scoped)).toMatch(index);
  });

  it('a cursor page seeks through the (tenant, id) index of live users', async () => {
    const params: unknown[] = [tenantId];
    const seek = seekCondition({ dir: 'asc' }, undefined, 'r.id', { direction: 'next', id: userId }, params);
    const order = orderBy({ dir: 'asc' }, undefined, 'r.id');
    const text = `select r.id from scim_user r where r.tenant_id = ? and r.deleted_at is null and ${seek} order by ${order} limit 101`;
    // the (tenant, id) index of live users, or the primary key when the position is near the end
    expect(await plan(text, params)).toMatch(/"Index Name":"(scim_user_tenant_live_id_idx|scim_user_pkey)"[^}]*"Index Cond":"[^"]*\bid > '[0-9a-f-]{36}'::uuid/);
  });

  it("a count of a tenant's live users counts on the small (tenant) index of live users (unfiltered lists read tenant_count instead)", async () => {
    const text = 'select count(*)::int as total from scim_user r where r.tenant_id = ? and r.deleted_at is null';
    expect(await plan(text, [tenantId])).toMatch(/"Index Name":"scim_user_tenant_live_idx"/);
  });

  it('a non-UUID id is no error and matches nothing', async () => {
    const { text, params } = users('id eq "not-a-uuid"');
    expect(await sql(db.orm.em.fork() as EntityManager, text, params)).toEqual([]);
  });
});

describe('GIN pending lists (Migration20261129090000)', () => {
  // With no autovacuum (PGlite, or a server with it off) a GIN index's pending list is emptied only
  // when it outgrows gin_pending_list_limit, and every filter that reads the index scans it whole.
  it('every GIN index of the tables SCIM filters read keeps at most 128 kB pending', async () => {
    const rows = await sql<{ index: string; options: string[] | null }>(
      db.orm.em.fork() as EntityManager,
      `select c.relname as index, c.reloptions as options
         from pg_index i join pg_class c on c.oid = i.indexrelid join pg_class t on t.oid = i.indrelid join pg_am a on a.oid = c.relam
        where a.amname = 'gin' and t.relname in ('scim_user', 'scim_group') and t.relnamespace = current_schema()::regnamespace
        order by 1`,
    );
    expect(rows.map((r) => r.index)).toEqual([
      'scim_group_display_name_trgm_idx',
      'scim_user_display_name_trgm_idx',
      'scim_user_emails_idx',
      'scim_user_emails_trgm_idx',
      'scim_user_username_trgm_idx',
    ]);
    for (const r of rows) expect({ index: r.index, options: r.options }).toEqual({ index: r.index, options: ['gin_pending_list_limit=128'] });
  });
});
