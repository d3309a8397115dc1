import { Migration } from '@mikro-orm/migrations';

export class Migration20261127143056 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "mapping_observation" ("id" uuid not null, "tenant_id" uuid not null, "connection_id" uuid not null, "time" timestamptz not null, "kind" text not null, "data" jsonb not null, constraint "mapping_observation_pkey" primary key ("id"));`);
    this.addSql(`create index "mapping_observation_tenant_id_index" on "mapping_observation" ("tenant_id");`);
    this.addSql(`create index "mapping_observation_connection_idx" on "mapping_observation" ("connection_id", "id");`);

    this.addSql(`alter table "mapping_observation" add constraint "mapping_observation_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "mapping_observation" add constraint "mapping_observation_connection_id_foreign" foreign key ("connection_id") references "scim_connection" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "scim_connection" drop constraint if exists "scim_connection_idp_check";`);

    this.addSql(`alter table "tenant" add column "phone_region" text null;`);

    this.addSql(`drop index "scim_group_tenant_display_name_uq";`);

    this.addSql(`create index "scim_group_tenant_display_name_idx" on "scim_group" ("tenant_id", lower("display_name"));`);

    this.addSql(`alter table "scim_connection" add constraint "scim_connection_idp_check" check("idp" in ('entra', 'okta', 'jumpcloud', 'generic', 'strict'));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "mapping_observation" cascade;`);

    this.addSql(`alter table "scim_connection" drop constraint if exists "scim_connection_idp_check";`);

    this.addSql(`alter table "scim_connection" add constraint "scim_connection_idp_check" check("idp" in ('entra', 'okta', 'jumpcloud', 'generic'));`);

    this.addSql(`drop index "scim_group_tenant_display_name_idx";`);

    this.addSql(`CREATE UNIQUE INDEX scim_group_tenant_display_name_uq ON public.scim_group USING btree (tenant_id, lower(display_name));`);

    this.addSql(`alter table "tenant" drop column "phone_region";`);
  }

}
