import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 12 items 3 and 4: delete policy per connection (held memberships of deactivated users),
 * connection disable/delete, tenant deletion, and an audit note.
 */
export class Migration20261127142725 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "held_membership" ("group_id" uuid not null, "member_id" uuid not null, "created_at" timestamptz not null, constraint "held_membership_pkey" primary key ("group_id", "member_id"));`);
    this.addSql(`create index "held_membership_member_idx" on "held_membership" ("member_id");`);

    this.addSql(`alter table "held_membership" add constraint "held_membership_group_id_foreign" foreign key ("group_id") references "scim_group" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "held_membership" add constraint "held_membership_member_id_foreign" foreign key ("member_id") references "scim_user" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "tenant" add column "deleted_at" timestamptz null;`);

    this.addSql(`alter table "scim_user" add column "deactivated_at" timestamptz null;`);

    // existing connections keep today's behaviour (delete); only connections created from now on
    // get the new default (deactivate)
    this.addSql(`alter table "scim_connection" add column "delete_policy" text check ("delete_policy" in ('delete', 'deactivate')) not null default 'delete', add column "disabled_at" timestamptz null, add column "deleted_at" timestamptz null;`);
    this.addSql(`alter table "scim_connection" alter column "delete_policy" set default 'deactivate';`);

    this.addSql(`alter table "audit_entry" add column "note" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "held_membership" cascade;`);

    this.addSql(`alter table "audit_entry" drop column "note";`);

    this.addSql(`alter table "scim_connection" drop column "delete_policy", drop column "disabled_at", drop column "deleted_at";`);

    this.addSql(`alter table "scim_user" drop column "deactivated_at";`);

    this.addSql(`alter table "tenant" drop column "deleted_at";`);
  }

}
