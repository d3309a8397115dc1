import { Migration } from '@mikro-orm/migrations';

/** The UUIDv7 lower bound of a UTC day, as SQL over a date expression `d` (see uuidv7Bound in src/domain/ids.ts). */
const bound = (d: string) => `(lpad(to_hex((extract(epoch from (${d})::timestamp) * 1000)::bigint), 12, '0') || repeat('0', 20))::uuid`;

/** The UTC day of a UUIDv7 id, as SQL. */
const idDay = `(to_timestamp(('x' || substr(replace(id::text, '-', ''), 1, 12))::bit(48)::bigint / 1000.0) at time zone 'UTC')::date`;

/**
 * Daily partitions of a table for the days its old rows fall on (within the last 800 days) plus
 * today and tomorrow (UTC); the server keeps creating them ahead (src/db/partitions.ts).
 */
function dailyPartitions(table: string): string {
  return `do $$
declare d date;
begin
  for d in
    select distinct ${idDay} from "${table}_unpartitioned"
    union select (now() at time zone 'UTC')::date + n from generate_series(0, 1) n
  loop
    if d >= (now() at time zone 'UTC')::date - 800 and d <= (now() at time zone 'UTC')::date + 1 then
      execute format('create table %I partition of "${table}" for values from (%L) to (%L)',
        '${table}_p' || to_char(d, 'YYYYMMDD'), ${bound('d')}, ${bound('d + 1')});
    end if;
  end loop;
end $$;`;
}

/**
 * Issue 16 §2: audit entries and outbox events in tables partitioned by day (range of the UUIDv7
 * id, which keeps the primary key `(id)`), each with a default partition. The existing tables are
 * converted keeping their rows: renamed, the partitioned table created under the old name with the
 * same columns (LIKE, so whatever columns earlier migrations added), the rows copied into their
 * day's partitions, the old table dropped. The outbox keeps its `position`
 * sequence. `(tenant_id, sequence)` is no longer unique (a partitioned table's unique indexes must
 * include the partition key); the sequencer hands out each number once under its row lock.
 */
export class Migration20261127153000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "audit_entry" rename to "audit_entry_unpartitioned";`);
    this.addSql(`alter table "audit_entry_unpartitioned" drop constraint "audit_entry_pkey";`);
    this.addSql(`alter table "audit_entry_unpartitioned" drop constraint "audit_entry_tenant_id_foreign";`);
    this.addSql(`drop index "audit_entry_resource_ids_idx";`);
    this.addSql(`drop index "audit_entry_tenant_idx";`);
    this.addSql(`create table "audit_entry" (like "audit_entry_unpartitioned" including defaults, constraint "audit_entry_pkey" primary key ("id")) partition by range ("id");`);
    this.addSql(`create index "audit_entry_resource_ids_idx" on "audit_entry" using gin ("resource_ids");`);
    this.addSql(`create index "audit_entry_tenant_idx" on "audit_entry" ("tenant_id", "id");`);
    this.addSql(`alter table "audit_entry" add constraint "audit_entry_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`);
    this.addSql(`create table "audit_entry_default" partition of "audit_entry" default;`);
    this.addSql(dailyPartitions('audit_entry'));
    this.addSql(`insert into "audit_entry" select * from "audit_entry_unpartitioned";`);
    this.addSql(`drop table "audit_entry_unpartitioned";`);

    this.addSql(`alter table "event_outbox" rename to "event_outbox_unpartitioned";`);
    this.addSql(`alter sequence "event_outbox_position_seq" owned by none;`);
    this.addSql(`alter table "event_outbox_unpartitioned" drop constraint "event_outbox_pkey";`);
    this.addSql(`alter table "event_outbox_unpartitioned" drop constraint "event_outbox_tenant_id_foreign";`);
    for (const index of ['hold', 'time', 'unsequenced', 'held', 'deprovision', 'pending']) this.addSql(`drop index "event_outbox_${index}_idx";`);
    this.addSql(`drop index "event_outbox_tenant_sequence_uq";`);
    this.addSql(`create table "event_outbox" (like "event_outbox_unpartitioned" including defaults, constraint "event_outbox_pkey" primary key ("id")) partition by range ("id");`);
    this.addSql(`alter sequence "event_outbox_position_seq" owned by "event_outbox"."position";`);
    this.addSql(`create index "event_outbox_hold_idx" on "event_outbox" ("hold_id");`);
    this.addSql(`create index "event_outbox_time_idx" on "event_outbox" ("time");`);
    this.addSql(`create index "event_outbox_unsequenced_idx" on "event_outbox" ("tenant_id", "position") where "sequence" is null and "state" = 'ready';`);
    this.addSql(`create index "event_outbox_held_idx" on "event_outbox" ("tenant_id", "subject") where "state" = 'held';`);
    this.addSql(`create index "event_outbox_deprovision_idx" on "event_outbox" ("tenant_id", "connection_id", "time") where "type" in ('user.deactivated', 'user.deleted');`);
    this.addSql(`create index "event_outbox_pending_idx" on "event_outbox" ("tenant_id", "sequence") where "published_at" is null and "state" = 'ready';`);
    this.addSql(`create index "event_outbox_tenant_sequence_idx" on "event_outbox" ("tenant_id", "sequence");`);
    this.addSql(`alter table "event_outbox" add constraint "event_outbox_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`);
    this.addSql(`create table "event_outbox_default" partition of "event_outbox" default;`);
    this.addSql(dailyPartitions('event_outbox'));
    this.addSql(`insert into "event_outbox" select * from "event_outbox_unpartitioned";`);
    this.addSql(`drop table "event_outbox_unpartitioned";`);
  }

}
