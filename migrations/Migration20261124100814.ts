import { Migration } from '@mikro-orm/migrations';

export class Migration20261124100814 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "admin_key" ("id" uuid not null, "role" text check ("role" in ('admin', 'auditor')) not null, "tenant_id" uuid null, "prefix" text not null, "hash" text not null, "created_at" timestamptz not null, "last_used_at" timestamptz null, "revoked_at" timestamptz null, constraint "admin_key_pkey" primary key ("id"));`);
    this.addSql(`alter table "admin_key" add constraint "admin_key_hash_uq" unique ("hash");`);
    this.addSql(`create index "admin_key_tenant_idx" on "admin_key" ("tenant_id");`);

    this.addSql(`alter table "admin_key" add constraint "admin_key_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "admin_key" cascade;`);
  }

}
