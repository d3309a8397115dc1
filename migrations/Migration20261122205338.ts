import { Migration } from '@mikro-orm/migrations';

export class Migration20261122205338 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "tenant" ("id" uuid not null, "name" text not null, "slug" text not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "tenant_pkey" primary key ("id"));`);
    this.addSql(`alter table "tenant" add constraint "tenant_slug_uq" unique ("slug");`);

    this.addSql(`create table "scim_user" ("id" uuid not null, "tenant_id" uuid not null, "user_name" text not null, "external_id" text null, "display_name" text null, "active" boolean not null default true, "attributes" jsonb not null, "version" int not null default 1, "created_at" timestamptz not null, "updated_at" timestamptz not null, "deleted_at" timestamptz null, constraint "scim_user_pkey" primary key ("id"));`);
    this.addSql(`create index "scim_user_tenant_external_id_idx" on "scim_user" ("tenant_id", "external_id");`);
    this.addSql(`create index "scim_user_tenant_username_all_idx" on "scim_user" ("tenant_id", lower("user_name"));`);
    this.addSql(`create unique index "scim_user_tenant_username_uq" on "scim_user" ("tenant_id", lower("user_name")) where "deleted_at" is null;`);

    this.addSql(`create table "scim_connection" ("id" uuid not null, "tenant_id" uuid not null, "idp" text check ("idp" in ('entra', 'okta', 'jumpcloud', 'generic')) not null, "name" text not null, "created_at" timestamptz not null, constraint "scim_connection_pkey" primary key ("id"));`);
    this.addSql(`create index "scim_connection_tenant_idx" on "scim_connection" ("tenant_id");`);

    this.addSql(`create table "scim_token" ("id" uuid not null, "connection_id" uuid not null, "tenant_id" uuid not null, "prefix" text not null, "hash" text not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "last_used_at" timestamptz null, "revoked_at" timestamptz null, constraint "scim_token_pkey" primary key ("id"));`);
    this.addSql(`alter table "scim_token" add constraint "scim_token_hash_uq" unique ("hash");`);
    this.addSql(`create index "scim_token_connection_idx" on "scim_token" ("connection_id");`);

    this.addSql(`alter table "scim_user" add constraint "scim_user_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "scim_connection" add constraint "scim_connection_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "scim_token" add constraint "scim_token_connection_id_foreign" foreign key ("connection_id") references "scim_connection" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "scim_token" add constraint "scim_token_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`);
  }

}
