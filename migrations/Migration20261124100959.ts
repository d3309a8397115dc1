import { Migration } from '@mikro-orm/migrations';

export class Migration20261124100959 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "custom_attribute" ("id" uuid not null, "tenant_id" uuid not null, "resource_type" text not null, "schema_urn" text not null, "name" text not null, "definition" jsonb not null, "created_at" timestamptz not null, constraint "custom_attribute_pkey" primary key ("id"));`);
    this.addSql(`create unique index "custom_attribute_tenant_schema_name_uq" on "custom_attribute" ("tenant_id", lower("schema_urn"), lower("name"));`);

    this.addSql(`alter table "custom_attribute" add constraint "custom_attribute_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "custom_attribute" cascade;`);
  }

}
