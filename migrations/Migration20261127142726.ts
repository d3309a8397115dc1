import { Migration } from '@mikro-orm/migrations';

export class Migration20261127142726 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "setup_link" ("id" uuid not null, "tenant_id" uuid not null, "idp" text not null, "hash" text not null, "prefix" text not null, "created_by" text null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "opened_at" timestamptz null, "completed_at" timestamptz null, "revoked_at" timestamptz null, "connection_id" uuid null, "expiry_audited" boolean not null default false, constraint "setup_link_pkey" primary key ("id"));`);
    this.addSql(`alter table "setup_link" add constraint "setup_link_hash_uq" unique ("hash");`);
    this.addSql(`create index "setup_link_tenant_idx" on "setup_link" ("tenant_id", "created_at");`);

    this.addSql(`alter table "setup_link" add constraint "setup_link_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "setup_link" cascade;`);
  }

}
