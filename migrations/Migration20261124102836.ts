import { Migration } from '@mikro-orm/migrations';

export class Migration20261124102836 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "event_outbox" ("id" uuid not null, "tenant_id" uuid not null, "position" bigserial, "sequence" bigint null, "type" text not null, "subject" uuid not null, "time" timestamptz not null, "data" jsonb not null, "connection_id" uuid null, "request_id" text null, "state" text not null default 'ready', "hold_id" uuid null, "published_at" timestamptz null, constraint "event_outbox_pkey" primary key ("id"));`);
    this.addSql(`create index "event_outbox_hold_idx" on "event_outbox" ("hold_id");`);
    this.addSql(`create index "event_outbox_time_idx" on "event_outbox" ("time");`);
    this.addSql(`create index "event_outbox_unsequenced_idx" on "event_outbox" ("tenant_id", "position") where "sequence" is null and "state" = 'ready';`);
    this.addSql(`create index "event_outbox_held_idx" on "event_outbox" ("tenant_id", "subject") where "state" = 'held';`);
    this.addSql(`create index "event_outbox_deprovision_idx" on "event_outbox" ("tenant_id", "connection_id", "time") where "type" in ('user.deactivated', 'user.deleted');`);
    this.addSql(`create index "event_outbox_pending_idx" on "event_outbox" ("tenant_id", "sequence") where "published_at" is null and "state" = 'ready';`);
    this.addSql(`create unique index "event_outbox_tenant_sequence_uq" on "event_outbox" ("tenant_id", "sequence");`);

    this.addSql(`create table "event_sequence" ("tenant_id" uuid not null, "value" bigint not null, constraint "event_sequence_pkey" primary key ("tenant_id"));`);

    this.addSql(`create table "event_hold" ("id" uuid not null, "tenant_id" uuid not null, "connection_id" uuid null, "state" text not null default 'open', "reason" text not null, "created_at" timestamptz not null, "resolved_at" timestamptz null, "resolved_by" text null, constraint "event_hold_pkey" primary key ("id"));`);
    this.addSql(`create index "event_hold_tenant_idx" on "event_hold" ("tenant_id", "state");`);

    this.addSql(`create table "audit_entry" ("id" uuid not null, "tenant_id" uuid not null, "time" timestamptz not null, "actor_kind" text not null, "connection_id" uuid null, "token_id" uuid null, "admin_key_id" text null, "idp" text null, "method" text not null, "path" text not null, "operation" text not null, "filter" text null, "status" int not null, "scim_type" text null, "latency_ms" double precision not null, "request_id" text not null, "resource_ids" jsonb not null default '[]', "changed_attributes" jsonb not null default '[]', "hold_id" uuid null, constraint "audit_entry_pkey" primary key ("id"));`);
    this.addSql(`create index "audit_entry_resource_ids_idx" on "audit_entry" using gin ("resource_ids");`);
    this.addSql(`create index "audit_entry_tenant_idx" on "audit_entry" ("tenant_id", "id");`);

    this.addSql(`alter table "event_outbox" add constraint "event_outbox_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "event_sequence" add constraint "event_sequence_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "event_hold" add constraint "event_hold_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "audit_entry" add constraint "audit_entry_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "event_outbox" cascade;`);

    this.addSql(`drop table if exists "event_sequence" cascade;`);

    this.addSql(`drop table if exists "event_hold" cascade;`);

    this.addSql(`drop table if exists "audit_entry" cascade;`);
  }

}
