import { Migration } from '@mikro-orm/migrations';

export class Migration20261124101009 extends Migration {

  override async up(): Promise<void> {
    // trigram indexes for co/sw/ew (issue 3); PGlite loads the extension in src/db/embedded.ts
    this.addSql(`create extension if not exists pg_trgm;`);
    this.addSql(`create table "server_secret" ("name" text not null, "secret" text not null, "created_at" timestamptz not null, constraint "server_secret_pkey" primary key ("name"));`);

    this.addSql(`create index "scim_user_emails_trgm_idx" on "scim_user" using gin (lower(("attributes" -> 'emails')::text) gin_trgm_ops);`);
    this.addSql(`create index "scim_user_emails_idx" on "scim_user" using gin ((lower(("attributes" -> 'emails')::text)::jsonb) jsonb_path_ops);`);
    this.addSql(`create index "scim_user_display_name_trgm_idx" on "scim_user" using gin (lower("display_name") gin_trgm_ops);`);
    this.addSql(`create index "scim_user_username_trgm_idx" on "scim_user" using gin (lower("user_name") gin_trgm_ops);`);
    this.addSql(`create index "scim_user_tenant_live_id_idx" on "scim_user" ("tenant_id", "id") where "deleted_at" is null;`);

    this.addSql(`create index "scim_group_display_name_trgm_idx" on "scim_group" using gin (lower("display_name") gin_trgm_ops);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "server_secret" cascade;`);

    this.addSql(`drop index "scim_group_display_name_trgm_idx";`);

    this.addSql(`drop index "scim_user_emails_trgm_idx";`);
    this.addSql(`drop index "scim_user_emails_idx";`);
    this.addSql(`drop index "scim_user_display_name_trgm_idx";`);
    this.addSql(`drop index "scim_user_username_trgm_idx";`);
    this.addSql(`drop index "scim_user_tenant_live_id_idx";`);
  }

}
