import { Migration } from '@mikro-orm/migrations';

/**
 * A create can no longer land in a tenant that is being deleted. TenantService.delete locks the
 * tenant row FOR UPDATE, purges the tenant's rows and marks it deleted in one transaction. An insert
 * running at the same moment waited in its foreign-key check (FOR KEY SHARE on the tenant row) and
 * then went ahead: the key had not changed, so a user, group or custom attribute was left behind in
 * the deleted tenant, with an event after `tenant.deleted`.
 *
 * This statement-level trigger runs after the statement's foreign-key checks (row-level AFTER
 * triggers fire first), so by then the deletion has committed. It looks again with a fresh snapshot
 * (a volatile function's queries each take one under READ COMMITTED). If a tenant of the inserted
 * rows is deleted, it raises SQLSTATE PV410, which the domain turns into a 404 (src/domain/retry.ts).
 * One query per statement: a bulk insert pays once, not once per row.
 */
const TABLES = ['scim_user', 'scim_group', 'custom_attribute'];

export class Migration20261129050000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create function tenant_live_inserted() returns trigger language plpgsql as $$
begin
  if exists (select 1 from tenant t where t.deleted_at is not null and t.id in (select tenant_id from new_rows)) then
    raise exception 'the tenant was deleted while this write ran' using errcode = 'PV410';
  end if;
  return null;
end $$;`);
    for (const table of TABLES) {
      this.addSql(`create trigger tenant_live_inserted after insert on "${table}" referencing new table as new_rows for each statement execute function tenant_live_inserted();`);
    }
  }

  override async down(): Promise<void> {
    for (const table of TABLES) this.addSql(`drop trigger if exists tenant_live_inserted on "${table}";`);
    this.addSql('drop function if exists tenant_live_inserted();');
  }

}
