import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 16 §1: per-tenant counters of live users and of groups (tenant_count, see
 * src/domain/tenant/tenant-count.entity.ts), so that an unfiltered list's exact totalResults is a
 * read of at most 64 rows instead of a count(*) over the tenant's rows.
 *
 * The triggers count what the SCIM lists count: users with deleted_at null (a DELETE under either
 * policy, delete or deactivate, sets deleted_at and leaves the list; a restore or a reactivation
 * clears it and comes back; `active` plays no part), and every group. Inserts and deletes are
 * counted per statement (transition tables: a bulk load of n rows is one counter update per
 * tenant, not n); an update is counted per row, and only when deleted_at turns null or non-null
 * (UPDATE OF plus WHEN: a PATCH runs no trigger function at all). Each write adds to the shard of
 * its session (pg_backend_pid() mod 64). A delete whose tenant row is already gone (a tenant
 * removed with its rows by the foreign keys' cascade) adds nothing: the tenant's counters went with
 * it. TRUNCATE empties the kind's counters. A tenant id that changes (on update cascade) carries
 * its counters along through tenant_count's own foreign key.
 *
 * The backfill runs after the triggers exist, in this migration's transaction: the lock taken
 * first keeps writers out until the commit, so no write falls between the count and the triggers.
 */
const SHARD = 'pg_backend_pid() % 64';
const UPSERT = 'on conflict (tenant_id, resource_type, shard) do update set n = c.n + excluded.n';

/** The statement-level function counting a table's inserted (+) or deleted (-) rows per tenant; `live` filters the rows counted. */
function statementCounter(name: string, resource: string, rows: 'new_rows' | 'old_rows', live: string): string {
  const sign = rows === 'new_rows' ? '' : '-';
  // deleted rows of a tenant whose row is gone: nothing to count (and an insert would break the foreign key)
  const tenantKept = rows === 'old_rows' ? 'where exists (select 1 from tenant t where t.id = d.tenant_id)' : '';
  // in tenant order: two bulk statements over several tenants never wait on each other crosswise
  return `create function ${name}() returns trigger language plpgsql as $$
begin
  insert into tenant_count as c (tenant_id, resource_type, shard, n)
  select d.tenant_id, '${resource}', ${SHARD}, ${sign}d.n
    from (select tenant_id, count(*)::int as n from ${rows} where ${live} group by tenant_id) d
   ${tenantKept}
   order by d.tenant_id
  ${UPSERT};
  return null;
end $$;`;
}

export class Migration20261127214228 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "tenant_count" ("tenant_id" uuid not null, "resource_type" text not null, "shard" smallint not null, "n" int not null, constraint "tenant_count_pkey" primary key ("tenant_id", "resource_type", "shard"));`);

    this.addSql(`alter table "tenant_count" add constraint "tenant_count_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`);

    this.addSql(`lock table "scim_user", "scim_group" in share row exclusive mode;`);

    this.addSql(statementCounter('tenant_count_user_inserted', 'User', 'new_rows', 'deleted_at is null'));
    this.addSql(statementCounter('tenant_count_user_deleted', 'User', 'old_rows', 'deleted_at is null'));
    this.addSql(statementCounter('tenant_count_group_inserted', 'Group', 'new_rows', 'true'));
    this.addSql(statementCounter('tenant_count_group_deleted', 'Group', 'old_rows', 'true'));
    // a user whose deleted_at turned non-null left the live users; turned null, it came back
    this.addSql(`create function tenant_count_user_updated() returns trigger language plpgsql as $$
begin
  insert into tenant_count as c (tenant_id, resource_type, shard, n)
  values (new.tenant_id, 'User', ${SHARD}, case when new.deleted_at is null then 1 else -1 end)
  ${UPSERT};
  return null;
end $$;`);
    this.addSql(`create function tenant_count_truncated() returns trigger language plpgsql as $$
begin
  delete from tenant_count where resource_type = TG_ARGV[0];
  return null;
end $$;`);

    this.addSql(`create trigger tenant_count_inserted after insert on "scim_user" referencing new table as new_rows for each statement execute function tenant_count_user_inserted();`);
    this.addSql(`create trigger tenant_count_deleted after delete on "scim_user" referencing old table as old_rows for each statement execute function tenant_count_user_deleted();`);
    this.addSql(`create trigger tenant_count_updated after update of deleted_at on "scim_user" for each row
      when ((old.deleted_at is null) <> (new.deleted_at is null)) execute function tenant_count_user_updated();`);
    this.addSql(`create trigger tenant_count_truncated after truncate on "scim_user" for each statement execute function tenant_count_truncated('User');`);
    this.addSql(`create trigger tenant_count_inserted after insert on "scim_group" referencing new table as new_rows for each statement execute function tenant_count_group_inserted();`);
    this.addSql(`create trigger tenant_count_deleted after delete on "scim_group" referencing old table as old_rows for each statement execute function tenant_count_group_deleted();`);
    this.addSql(`create trigger tenant_count_truncated after truncate on "scim_group" for each statement execute function tenant_count_truncated('Group');`);

    this.addSql(`insert into tenant_count (tenant_id, resource_type, shard, n)
      select tenant_id, 'User', 0, count(*) from "scim_user" where deleted_at is null group by tenant_id;`);
    this.addSql(`insert into tenant_count (tenant_id, resource_type, shard, n)
      select tenant_id, 'Group', 0, count(*) from "scim_group" group by tenant_id;`);
  }

  override async down(): Promise<void> {
    for (const table of ['scim_user', 'scim_group']) {
      for (const t of ['inserted', 'deleted', 'updated', 'truncated']) this.addSql(`drop trigger if exists tenant_count_${t} on "${table}";`);
    }
    for (const f of ['user_inserted', 'user_deleted', 'group_inserted', 'group_deleted', 'user_updated', 'truncated']) this.addSql(`drop function if exists tenant_count_${f}();`);
    this.addSql(`drop table if exists "tenant_count" cascade;`);
  }

}
