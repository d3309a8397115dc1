import { Migration } from '@mikro-orm/migrations';

/**
 * userName compared as people see it (issue 13 item 6): a comparison key column (RFC 8265
 * UsernameCaseMapped, see src/domain/user/username.ts) replaces lower(user_name) for uniqueness and
 * lookups. The key is computed here in JavaScript, frozen as it was when this migration was
 * written, so the migration means the same thing whenever it runs.
 *
 * Existing live users whose keys collide (e.g. "Café" in NFC and NFD, "ｊｏｈｎ" and "john") do not
 * fail the migration: every such user but the oldest of its tenant is flagged user_name_conflict
 * (kept out of the unique index until renamed) and listed in the migration's log, and
 *   select tenant_id, id, user_name from scim_user where user_name_conflict
 * lists them afterwards.
 */
const key = (userName: string): string => userName.normalize('NFKC').toLowerCase().normalize('NFC');
const BATCH = 5000;

export class Migration20261127151155 extends Migration {
  override async up(): Promise<void> {
    await this.execute(`alter table "scim_user" add column "user_name_key" text null, add column "user_name_conflict" boolean not null default false;`);
    for (;;) {
      const rows = (await this.execute(`select id, user_name from scim_user where user_name_key is null limit ${BATCH}`)) as { id: string; user_name: string }[];
      if (rows.length === 0) break;
      await this.execute(
        `update scim_user u set user_name_key = v.k from jsonb_to_recordset(?::jsonb) as v(id uuid, k text) where u.id = v.id`,
        [JSON.stringify(rows.map((r) => ({ id: r.id, k: key(r.user_name) })))],
      );
    }
    await this.execute(`alter table "scim_user" alter column "user_name_key" set not null;`);
    const conflicts = (await this.execute(
      `update scim_user u set user_name_conflict = true
         from (select id, row_number() over (partition by tenant_id, user_name_key order by created_at, id) as n
                 from scim_user where deleted_at is null) r
        where r.id = u.id and r.n > 1
        returning u.tenant_id, u.id, u.user_name, u.user_name_key`,
    )) as { tenant_id: string; id: string; user_name: string; user_name_key: string }[];
    for (const c of conflicts) {
      // eslint-disable-next-line no-console
      console.warn(`userName collision: tenant ${c.tenant_id}, user ${c.id} "${c.user_name}" compares equal to an older user (key "${c.user_name_key}"); flagged user_name_conflict until renamed`);
    }
    await this.execute(`drop index "scim_user_tenant_username_all_idx";`);
    await this.execute(`drop index "scim_user_tenant_username_uq";`);
    await this.execute(`create index "scim_user_tenant_username_key_idx" on "scim_user" ("tenant_id", "user_name_key");`);
    await this.execute(
      `create unique index "scim_user_tenant_username_key_uq" on "scim_user" ("tenant_id", "user_name_key") where "deleted_at" is null and not "user_name_conflict";`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "scim_user_tenant_username_key_idx";`);
    this.addSql(`drop index "scim_user_tenant_username_key_uq";`);
    this.addSql(`alter table "scim_user" drop column "user_name_key", drop column "user_name_conflict";`);
    this.addSql(`CREATE INDEX scim_user_tenant_username_all_idx ON public.scim_user USING btree (tenant_id, lower(user_name));`);
    this.addSql(`CREATE UNIQUE INDEX scim_user_tenant_username_uq ON public.scim_user USING btree (tenant_id, lower(user_name)) WHERE (deleted_at IS NULL);`);
  }
}
