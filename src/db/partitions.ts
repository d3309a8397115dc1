import type { EntityManager } from '@mikro-orm/postgresql';
import { uuidv7Bound } from '../domain/ids';
import { sql } from './sql';
import { useKind } from './timeouts';

/**
 * Time partitions of the append-only tables (audit entries, outbox events), by PostgreSQL's native
 * declarative partitioning (`PARTITION BY RANGE (id)`).
 *
 * The partition key is the UUIDv7 id (RFC 9562 §5.7: its first 48 bits are the Unix time in ms), so
 * a day's partition is the id range [uuidv7Bound(day), uuidv7Bound(day + 1)). That keeps the primary
 * key `(id)` (a partitioned table's unique keys must include the partition key), keeps every lookup
 * by id and every keyset page by id as it was, and lets the queries that already bound the id by
 * their time window (audit windows, exports) prune to the partitions of that window.
 *
 * Each table has one DEFAULT partition: a row whose id has no daily partition (a clock far off,
 * rows older than the conversion) still commits there, never failing a write. Creating the
 * partition of a range moves that range's rows out of the default partition first.
 */
export const PARTITIONED_TABLES = ['audit_entry', 'event_outbox'] as const;
export type PartitionedTable = (typeof PARTITIONED_TABLES)[number];

export const DAY_MS = 86_400_000;
/** Daily partitions are kept created this many days ahead of today (UTC). */
export const PARTITION_DAYS_AHEAD = 7;

/** Advisory lock (session-free, per transaction) that serialises partition DDL across instances: ("prov", 2). */
const DDL_LOCK = [0x70726f76, 2];

export interface Partition {
  name: string;
  /** Inclusive lower bound (the UTC day start), exclusive upper bound; null for the default partition. */
  from: Date | null;
  to: Date | null;
}

/** `audit_entry_p20261127` for the UTC day that starts at `dayStart`. */
export function partitionName(table: PartitionedTable, dayStart: number): string {
  return `${table}_p${new Date(dayStart).toISOString().slice(0, 10).replace(/-/g, '')}`;
}

export function defaultPartitionName(table: PartitionedTable): string {
  return `${table}_default`;
}

/** The UTC day start of a time. */
export function dayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** Milliseconds of a UUIDv7 bound as PostgreSQL prints it in a partition bound. */
function boundMs(uuid: string): number {
  return parseInt(uuid.replace(/-/g, '').slice(0, 12), 16);
}

/** The partitions of a table, oldest first (the default partition last). */
export async function listPartitions(em: EntityManager, table: PartitionedTable): Promise<Partition[]> {
  const rows = await sql<{ name: string; bound: string }>(
    em,
    `select c.relname as name, pg_get_expr(c.relpartbound, c.oid) as bound
       from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where i.inhparent = ?::regclass`,
    [table],
  );
  const parts = rows.map((r) => {
    const m = /FROM \('([0-9a-f-]{36})'\) TO \('([0-9a-f-]{36})'\)/i.exec(r.bound);
    return { name: r.name, from: m ? new Date(boundMs(m[1])) : null, to: m ? new Date(boundMs(m[2])) : null };
  });
  return parts.sort((a, b) => (a.from ? a.from.getTime() : Infinity) - (b.from ? b.from.getTime() : Infinity));
}

/**
 * How long a partition DDL statement waits for each lock. Dropping a partition takes ACCESS
 * EXCLUSIVE on the parent, attaching one ACCESS EXCLUSIVE on the default partition and SHARE ROW
 * EXCLUSIVE on the tenant table (the foreign key it clones); while the DDL waits behind a long
 * transaction, every request that needs a conflicting lock queues behind the DDL (for a drop: every
 * audit insert of every tenant). So the wait is short, and a step not granted in time fails its
 * round (lock_not_available, 55P03), retried at the next one: partitions are made days ahead and
 * retention is not urgent.
 */
export const DDL_LOCK_TIMEOUT = '500ms';

/** Runs `fn` in one transaction holding the partition DDL lock, waiting at most DDL_LOCK_TIMEOUT for each lock. */
async function ddl<T>(em: EntityManager, fn: (tx: EntityManager) => Promise<T>): Promise<T> {
  return em.fork().transactional(async (tx) => {
    await sql(tx, `select set_config('lock_timeout', ?, true)`, [DDL_LOCK_TIMEOUT]);
    await sql(tx, 'select pg_advisory_xact_lock(?, ?)', DDL_LOCK);
    return fn(tx);
  });
}

/**
 * Creates the daily partitions of [fromDay, toDay] (UTC day starts) that do not exist yet, moving any
 * of their rows out of the default partition. Returns the names created.
 *
 * Each partition is built standalone and then attached (PostgreSQL docs, ALTER TABLE … ATTACH
 * PARTITION): `CREATE TABLE … PARTITION OF` would hold an ACCESS EXCLUSIVE lock on the parent,
 * queueing every audit or outbox insert of every tenant behind it (and itself behind any open read
 * of the table); ATTACH takes SHARE UPDATE EXCLUSIVE on the parent, which neither reads nor inserts
 * conflict with. A CHECK constraint matching the bounds spares ATTACH its validation scan of the new
 * table, and indexes made beforehand spare it their builds; the backlog of the default partition
 * moves before the attach, with no statement timeout (a large backlog must not fail and retry every
 * round), while writers go on; only the rows that arrived meanwhile move again, under the lock on
 * the default partition that ATTACH needs anyway (held back meanwhile: that partition's readers and
 * writers alone).
 */
export async function ensurePartitions(em: EntityManager, table: PartitionedTable, fromMs: number, toMs: number): Promise<string[]> {
  const created: string[] = [];
  for (let day = dayStart(fromMs); day <= dayStart(toMs); day += DAY_MS) {
    const name = partitionName(table, day);
    const made = await ddl(em, async (tx) => {
      const [exists] = await sql<{ ok: boolean }>(tx, 'select to_regclass(?) is not null as ok', [name]);
      if (exists.ok) return false;
      await useKind(tx, 'maintenance');
      const lo = uuidv7Bound(day);
      const hi = uuidv7Bound(day + DAY_MS);
      const def = defaultPartitionName(table);
      const [{ cols }] = await sql<{ cols: string }>(
        tx,
        `select string_agg(quote_ident(attname), ', ' order by attnum) as cols
           from pg_attribute where attrelid = ?::regclass and attnum > 0 and not attisdropped`,
        [table],
      );
      const move = `with moved as (delete from ${def} where id >= ?::uuid and id < ?::uuid returning *)
                    insert into ${name} (${cols}) select ${cols} from moved`;
      // the parent's indexes too, built here: ATTACH adopts them instead of building them under its locks
      await sql(tx, `create table ${name} (like ${table} including defaults including constraints including generated including storage including indexes)`);
      await sql(tx, `alter table ${name} add constraint ${name}_bounds check (id >= '${lo}'::uuid and id < '${hi}'::uuid)`);
      await sql(tx, move, [lo, hi]);
      // the lock ATTACH takes on the default partition, taken before the rows that arrived meanwhile
      // move (taking a weaker one first could deadlock with a transaction that read it and then writes it)
      await sql(tx, `lock table ${def} in access exclusive mode`);
      await sql(tx, move, [lo, hi]);
      await sql(tx, `alter table ${table} attach partition ${name} for values from ('${lo}') to ('${hi}')`);
      await sql(tx, `alter table ${name} drop constraint ${name}_bounds`);
      return true;
    });
    if (made) created.push(name);
  }
  return created;
}

/**
 * Drops the daily partitions whose whole range is older than `cutoff` and for which `droppable`
 * (run inside the dropping transaction) agrees. Returns the names dropped.
 */
export async function dropPartitionsBefore(
  em: EntityManager,
  table: PartitionedTable,
  cutoff: Date,
  droppable: (tx: EntityManager, partition: string) => Promise<boolean> = async () => true,
): Promise<string[]> {
  const dropped: string[] = [];
  for (const p of await listPartitions(em, table)) {
    if (!p.to || p.to.getTime() > cutoff.getTime()) continue;
    const gone = await ddl(em, async (tx) => {
      const [exists] = await sql<{ ok: boolean }>(tx, 'select to_regclass(?) is not null as ok', [p.name]);
      if (!exists.ok) return false;
      await sql(tx, `lock table ${p.name} in access exclusive mode`); // nothing changes its rows between the check and the drop
      if (!(await droppable(tx, p.name))) return false;
      await sql(tx, `drop table ${p.name}`);
      return true;
    });
    if (gone) dropped.push(p.name);
  }
  return dropped;
}
