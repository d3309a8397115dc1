import type { EntityManager } from '@mikro-orm/postgresql';
import { PassThrough } from 'node:stream';
import { Client } from 'pg';
import pino from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { exportAudit } from '../../src/cli/audit-export';
import { uuidv7Bound } from '../../src/domain/ids';
import { DAY_MS, dayStart, ensurePartitions, listPartitions, PARTITION_DAYS_AHEAD, partitionName } from '../../src/db/partitions';
import { sql } from '../../src/db/sql';
import { StorageMaintenance } from '../../src/db/storage-maintenance';
import { auditQuerySql, exportWhere } from '../../src/domain/audit/audit.service';
import { createTestDb, TestDb } from '../support/database';

/**
 * Issue 16 §2: audit entries and outbox events live in daily partitions (range of the UUIDv7 id);
 * maintenance creates them ahead, retention drops whole expired days (the outbox only days whose
 * every event may go), `provisio audit export --before` archives first, and queries by tenant and
 * time read only their window's partitions, by index.
 */
let db: TestDb;
const now = Date.now();
const today = dayStart(now);
const HOUR = 3_600_000;
const em = () => db.orm.em.fork() as EntityManager;

beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => db.close());

let seq = 0;
/** An audit row whose id and time are `ms` (as a request at that time would have written it). */
async function audit(tenantId: string, ms: number): Promise<string> {
  const id = uuidv7({ msecs: ms, seq: seq++ });
  await sql(em(), `insert into audit_entry (id, tenant_id, time, actor_kind, method, path, operation, status, latency_ms, request_id)
                   values (?, ?, ?, 'system', 'GET', '/x', 'User.get', 200, 1, 'r')`, [id, tenantId, new Date(ms)]);
  return id;
}

/** An outbox row of `ms`. */
async function event(tenantId: string, ms: number, state: 'ready' | 'held', published: boolean): Promise<string> {
  const id = uuidv7({ msecs: ms, seq: seq++ });
  await sql(em(), `insert into event_outbox (id, tenant_id, type, subject, time, data, state, published_at)
                   values (?, ?, 'user.created', ?, ?, '{}'::jsonb, ?, ?)`, [id, tenantId, uuidv7(), new Date(ms), state, published ? new Date(ms) : null]);
  return id;
}

async function partitionOf(table: string, id: string): Promise<string | undefined> {
  const [row] = await sql<{ part: string }>(em(), `select tableoid::regclass::text as part from ${table} where id = ?`, [id]);
  return row?.part;
}

async function exported(args: Parameters<typeof exportAudit>[1]): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await exportAudit(db.services, args, out);
  return Buffer.concat(chunks).toString('utf8');
}

describe('partition maintenance', () => {
  it('creates today and the days ahead (once), and moves rows that landed in the default partition into their day', async () => {
    const tenant = await db.services.tenants.create({ name: 'Ahead' });
    const far = today + 20 * DAY_MS + HOUR; // beyond the days created ahead: the default partition takes it
    const stray = await audit(tenant.id, far);
    expect(await partitionOf('audit_entry', stray)).toBe('audit_entry_default');

    const maintenance = new StorageMaintenance(db.orm, db.services.audit, { auditRetentionDays: 400 }, pino({ level: 'silent' }));
    await maintenance.run(now);
    for (const table of ['audit_entry', 'event_outbox'] as const) {
      const names = (await listPartitions(em(), table)).map((p) => p.name);
      for (let d = 0; d <= PARTITION_DAYS_AHEAD; d++) expect(names).toContain(partitionName(table, today + d * DAY_MS));
    }
    expect((await maintenance.run(now)).created).toEqual([]); // a second round (or instance) finds them

    expect(await ensurePartitions(em(), 'audit_entry', far, far)).toEqual([partitionName('audit_entry', dayStart(far))]);
    expect(await partitionOf('audit_entry', stray)).toBe(partitionName('audit_entry', dayStart(far)));
    const [{ n }] = await sql<{ n: number }>(em(), 'select count(*)::int as n from audit_entry where id = ?', [stray]);
    expect(n).toBe(1);
  });
});

/** A second session beside the test's pool: PostgreSQL only (PGlite serves one session). */
const onServer = (name: string, fn: () => void) => (process.env.DATABASE_URL ? describe(name, fn) : undefined);

onServer('partition maintenance beside live traffic', () => {
  it('creates a day, moving its strays, while another transaction writes and reads the table (ATTACH never waits for them)', async () => {
    const tenant = await db.services.tenants.create({ name: 'Busy' });
    const far = today + 30 * DAY_MS + HOUR;
    const stray = await audit(tenant.id, far);
    expect(await partitionOf('audit_entry', stray)).toBe('audit_entry_default');
    // a request's transaction in flight: its audit insert and a windowed read of today's partition
    const other = new Client({ connectionString: db.url });
    await other.connect();
    try {
      await other.query('begin');
      await other.query(`insert into audit_entry (id, tenant_id, time, actor_kind, method, path, operation, status, latency_ms, request_id)
                         values ($1, $2, now(), 'system', 'GET', '/x', 'User.get', 200, 1, 'r')`, [uuidv7({ msecs: now, seq: seq++ }), tenant.id]);
      await other.query('select count(*) from audit_entry where id >= $1 and id < $2', [uuidv7Bound(today), uuidv7Bound(today + DAY_MS)]);
      // CREATE TABLE … PARTITION OF needs ACCESS EXCLUSIVE on audit_entry: it failed here on its 5 s lock timeout
      expect(await ensurePartitions(em(), 'audit_entry', far, far)).toEqual([partitionName('audit_entry', dayStart(far))]);
      await other.query('commit');
    } finally {
      await other.end();
    }
    expect(await partitionOf('audit_entry', stray)).toBe(partitionName('audit_entry', dayStart(far)));
    // the attached partition has the parent's indexes and foreign key, and no leftover CHECK
    const indexes = await sql<{ parent: string | null }>(
      em(),
      `select h.inhparent::regclass::text as parent from pg_index i left join pg_inherits h on h.inhrelid = i.indexrelid
        where i.indrelid = ?::regclass order by 1`,
      [partitionName('audit_entry', dayStart(far))],
    );
    // primary key, (tenant_id, id), resource_ids GIN: each one a partition of the parent's index, none twice
    expect(indexes.map((i) => i.parent)).toEqual(['audit_entry_pkey', 'audit_entry_resource_ids_idx', 'audit_entry_tenant_idx']);
    const constraints = await sql<{ contype: string }>(em(), 'select contype from pg_constraint where conrelid = ?::regclass order by contype', [partitionName('audit_entry', dayStart(far))]);
    expect(constraints.map((c) => c.contype)).toEqual(['f', 'p']);
  });

  it('retention does not wait behind a long reader of an expired day: the round fails fast (55P03) and a later one drops it', async () => {
    const tenant = await db.services.tenants.create({ name: 'Long Reader' });
    const old = today - 500 * DAY_MS;
    await ensurePartitions(em(), 'audit_entry', old, old);
    await audit(tenant.id, old + HOUR);
    const reader = new Client({ connectionString: db.url });
    await reader.connect();
    try {
      await reader.query('begin');
      await reader.query(`select count(*) from ${partitionName('audit_entry', old)}`); // an export reading that day, still open
      await expect(db.services.audit.prune(400, now)).rejects.toMatchObject({ code: '55P03' });
      // meanwhile the table takes inserts and the day is still there
      await audit(tenant.id, now);
      expect((await listPartitions(em(), 'audit_entry')).map((p) => p.name)).toContain(partitionName('audit_entry', old));
      await reader.query('commit');
    } finally {
      await reader.end();
    }
    expect((await db.services.audit.prune(400, now)).dropped).toContain(partitionName('audit_entry', old));
  });
});

describe('audit retention and archive', () => {
  it('export --before archives every tenant\'s expiring entries; retention then drops whole days and the default partition\'s expired rows', async () => {
    const a = await db.services.tenants.create({ name: 'Archive A' });
    const b = await db.services.tenants.create({ name: 'Archive B' });
    await ensurePartitions(em(), 'audit_entry', today - 402 * DAY_MS, today - 399 * DAY_MS);
    const expiring = [
      await audit(a.id, today - 450 * DAY_MS), // no partition of its own: the default one
      await audit(a.id, today - 402 * DAY_MS + HOUR),
      await audit(b.id, today - 402 * DAY_MS + 2 * HOUR),
      await audit(b.id, today - 401 * DAY_MS + HOUR),
    ];
    const kept = [await audit(a.id, today - 399 * DAY_MS + HOUR), await audit(b.id, now)];
    expect(await partitionOf('audit_entry', expiring[1])).toBe(partitionName('audit_entry', today - 402 * DAY_MS));
    const before = new Date(today - 400 * DAY_MS).toISOString();

    // the archive: oldest first, both tenants, each line naming its tenant
    const lines = (await exported({ before })).trim().split('\n').map((l) => JSON.parse(l) as { id: string; tenantId: string });
    const mine = lines.filter((l) => l.tenantId === a.id || l.tenantId === b.id); // other tests' tenants share the database
    expect(mine.map((l) => l.id)).toEqual(expiring);
    expect(mine.map((l) => l.tenantId)).toEqual([a.id, a.id, b.id, b.id]);
    const csv = (await exported({ before, format: 'csv' })).trim().split('\n');
    expect(csv[0].split(',').slice(0, 2)).toEqual(['tenantId', 'id']);
    expect(csv.filter((r) => r.startsWith(a.id) || r.startsWith(b.id))).toHaveLength(4);
    // one tenant's window
    expect((await exported({ tenant: b.slug, before })).trim().split('\n').map((l) => JSON.parse(l).id)).toEqual(expiring.slice(2));
    await expect(exported({ since: before })).rejects.toMatchObject({ code: 'invalidValue' }); // all tenants only with --before
    await expect(exported({ before: 'soon' })).rejects.toMatchObject({ code: 'invalidValue' });
    await expect(exported({ tenant: a.slug, since: before, before })).rejects.toMatchObject({ code: 'invalidValue' });

    expect(await db.services.audit.prune(0, now)).toEqual({ dropped: [], deleted: 0 }); // 0 keeps everything
    const pruned = await db.services.audit.prune(400, now);
    expect(pruned.dropped).toEqual(expect.arrayContaining([partitionName('audit_entry', today - 402 * DAY_MS), partitionName('audit_entry', today - 401 * DAY_MS)]));
    expect(pruned.dropped).not.toContain(partitionName('audit_entry', today - 399 * DAY_MS));
    expect(pruned.deleted).toBe(1); // the default partition's expired row
    expect(await exported({ before })).toBe('');
    const left = await sql<{ id: string }>(em(), 'select id from audit_entry where tenant_id in (?, ?) order by id', [a.id, b.id]);
    expect(left.map((r) => r.id)).toEqual(kept);
  });
});

describe('event retention by partition', () => {
  it('drops a day whose every event may go; a day keeping an undelivered or held event loses only its expired rows', async () => {
    const tenant = await db.services.tenants.create({ name: 'Outbox Days' });
    await ensurePartitions(em(), 'event_outbox', today - 30 * DAY_MS, today - 20 * DAY_MS);
    const day = (n: number) => today - n * DAY_MS + HOUR;
    await event(tenant.id, day(30), 'ready', true);
    await event(tenant.id, day(30), 'ready', true);
    const deliveredBeside = await event(tenant.id, day(20), 'ready', true);
    const undelivered = await event(tenant.id, day(20), 'ready', false);
    const held = await event(tenant.id, day(25), 'held', false);

    const withBroker = await db.services.events.pruneStorage(168, true);
    expect(withBroker.dropped).toContain(partitionName('event_outbox', dayStart(day(30))));
    expect(withBroker.dropped).not.toContain(partitionName('event_outbox', dayStart(day(20))));
    expect(withBroker.dropped).not.toContain(partitionName('event_outbox', dayStart(day(25))));
    const left = async () => (await sql<{ id: string }>(em(), 'select id from event_outbox where tenant_id = ? order by id', [tenant.id])).map((r) => r.id);
    expect(await left()).toEqual([held, undelivered].sort());
    expect(await partitionOf('event_outbox', undelivered)).toBe(partitionName('event_outbox', dayStart(day(20))));
    expect(deliveredBeside).toBeDefined();

    // without a broker nothing waits for delivery: that day goes whole; the held event's day stays
    const without = await db.services.events.pruneStorage(168, false);
    expect(without.dropped).toContain(partitionName('event_outbox', dayStart(day(20))));
    expect(without.dropped).not.toContain(partitionName('event_outbox', dayStart(day(25))));
    expect(await left()).toEqual([held]);
  });
});

describe('EXPLAIN: queries by tenant and time', () => {
  let tenantId: string;
  beforeAll(async () => {
    tenantId = (await db.services.tenants.create({ name: 'Planned' })).id;
    const other = (await db.services.tenants.create({ name: 'Planned Other' })).id;
    await ensurePartitions(em(), 'audit_entry', today - 4 * DAY_MS, today);
    for (let d = 4; d >= 1; d--) {
      await sql(
        em(),
        `insert into audit_entry (id, tenant_id, time, actor_kind, method, path, operation, status, latency_ms, request_id)
         select (lpad(to_hex(ms), 12, '0') || '7000' || lpad(to_hex(n), 16, '0'))::uuid, case when n % 4 = 0 then ?::uuid else ?::uuid end,
                to_timestamp(ms / 1000.0), 'system', 'GET', '/x', 'User.get', 200, 1, 'r'
           from generate_series(1, 400) n, lateral (select (?::bigint + n * 100000) as ms) t`,
        [tenantId, other, today - d * DAY_MS],
      );
    }
    await sql(em(), 'analyze audit_entry');
  });

  /** The JSON plan of a statement, sequential scans disabled for its transaction (a small table proves the index matches). */
  async function plan(text: string, params: unknown[]): Promise<string> {
    return (db.orm.em.fork() as EntityManager).transactional(async (tx) => {
      await sql(tx, 'set local enable_seqscan = off');
      const rows = await sql<{ 'QUERY PLAN': unknown }>(tx, `explain (format json) ${text}`, params);
      return JSON.stringify(rows[0]['QUERY PLAN']);
    });
  }
  const partitionsIn = (p: string) => [...new Set([...p.matchAll(/"Relation Name":"(audit_entry_[a-z0-9]+)"/g)].map((m) => m[1]))].sort();

  it('a tenant\'s window reads only the partitions of its days, through the (tenant_id, id) index', async () => {
    const { text, params } = auditQuerySql(tenantId, { from: new Date(today - 3 * DAY_MS + HOUR), to: new Date(today - 2 * DAY_MS + HOUR) }, 101);
    const p = await plan(text, params);
    expect(partitionsIn(p)).toEqual([partitionName('audit_entry', today - 3 * DAY_MS), partitionName('audit_entry', today - 2 * DAY_MS)].sort());
    expect(p).not.toContain('Seq Scan');
    expect(p).toMatch(/audit_entry_p\d+_tenant_id_id_idx/);
    // and it answers: the page is the window's rows of this tenant, newest first
    const page = await db.services.audit.query(tenantId, { from: new Date(today - 3 * DAY_MS + HOUR), to: new Date(today - 2 * DAY_MS + HOUR), limit: 1000 });
    expect(page.entries.length).toBeGreaterThan(0);
    expect(page.entries.every((e) => e.time.getTime() >= today - 3 * DAY_MS + HOUR && e.time.getTime() < today - 2 * DAY_MS + HOUR)).toBe(true);
  });

  it('the newest page of a tenant (no window) uses the index of every partition, no scan', async () => {
    const { text, params } = auditQuerySql(tenantId, {}, 101);
    const p = await plan(text, params);
    expect(p).not.toContain('Seq Scan');
    const parts = partitionsIn(p);
    expect(parts.length).toBeGreaterThan(4);
    // each partition read newest first on its (tenant_id, id) index; the merge stops after a page
    expect([...p.matchAll(/"Index Name":"(audit_entry_[a-z0-9]+)_tenant_id_id_idx"/g)].map((m) => m[1]).sort()).toEqual(parts);
    expect(p).toContain('"Scan Direction":"Backward"');
  });

  it('an export window (one tenant, since) reads only the partitions from its start', async () => {
    const { where, params } = exportWhere({ tenantId, since: new Date(today - 2 * DAY_MS + HOUR) });
    const p = await plan(`select id from audit_entry where ${where.join(' and ')} order by id limit 1000`, params);
    expect(partitionsIn(p)).not.toContain(partitionName('audit_entry', today - 4 * DAY_MS));
    expect(partitionsIn(p)).not.toContain(partitionName('audit_entry', today - 3 * DAY_MS));
    expect(partitionsIn(p)).toContain(partitionName('audit_entry', today - 2 * DAY_MS));
    expect(p).not.toContain('Seq Scan');
  });
});
