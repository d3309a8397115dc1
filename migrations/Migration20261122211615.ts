import { Migration } from '@mikro-orm/migrations';

export class Migration20261122211615 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "scim_group" ("id" uuid not null, "tenant_id" uuid not null, "display_name" text not null, "external_id" text null, "attributes" jsonb not null, "version" int not null default 1, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "scim_group_pkey" primary key ("id"));`);
    this.addSql(`create index "scim_group_tenant_external_id_idx" on "scim_group" ("tenant_id", "external_id");`);
    this.addSql(`create unique index "scim_group_tenant_display_name_uq" on "scim_group" ("tenant_id", lower("display_name"));`);

    this.addSql(`create table "group_member" ("group_id" uuid not null, "member_id" uuid not null, "created_at" timestamptz not null default now(), constraint "group_member_pkey" primary key ("group_id", "member_id"));`);
    this.addSql(`create index "group_member_member_idx" on "group_member" ("member_id");`);

    this.addSql(`alter table "scim_group" add constraint "scim_group_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "group_member" add constraint "group_member_group_id_foreign" foreign key ("group_id") references "scim_group" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "group_member" add constraint "group_member_member_id_foreign" foreign key ("member_id") references "scim_user" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "group_member" drop constraint "group_member_group_id_foreign";`);

    this.addSql(`drop table if exists "scim_group" cascade;`);

    this.addSql(`drop table if exists "group_member" cascade;`);
  }

}
