import type { EntityManager } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { sql } from '../../src/db/sql';
import type { AuditQuery, AuditRecord } from '../../src/domain/audit/audit.service';
import { createTestDb, TestDb } from '../support/database';

let db: TestDb;
let tenantId: string;
let otherTenantId: string;
const DAY = 86_400_000;
const base = Date.UTC(2026, 10, 1, 12, 0, 0);
/** [time, how far the id's embedded time is from it]: ids are taken in the same call as times, a little apart. */
const spec: [number, number][] = [
  [base - 40 * DAY, 0],
  [base - DAY, 0],
  [base - 1, 3],
  [base, 0],
  [base, -2],
  [base + 1, 0],
  [base + 5_000, 900],
  [base + 5_000, -900],
  [base + DAY - 1, 0],
  [base + DAY, 1],
  [base + DAY + 1, 0],
  [base + 30 * DAY, 0],
];
let rows: { id: string; time: number }[] = [];

beforeAll(async () => {
  db = await createTestDb();
  tenantId = (await db.services.tenants.create({ name: 'Window Co' })).id;
  otherTenantId = (await db.services.tenants.create({ name: 'Window Other' })).id;
  const insert = (tenant: string, id: string, time: number) =>
    sql(
      db.orm.em.fork() as EntityManager,
      `insert into audit_entry (id, tenant_id, time, actor_kind, method, path, operation, status, latency_ms, request_id)
       values (?, ?, ?, 'system', 'GET', '/x', 'User.get', 200, 1, 'r')`,
      [id, tenant, new Date(time)],
    );
  for (const [time, skew] of spec) {
    const id = uuidv7({ msecs: time + skew, seq: rows.length });
    rows.push({ id, time });
    await insert(tenantId, id, time);
    await insert(otherTenantId, uuidv7({ msecs: time + skew, seq: 100 + rows.length }), time);
  }
});
afterAll(async () => db.close());

/** Every entry a query returns, paging through it with small pages. */
async function all(q: AuditQuery): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await db.services.audit.query(tenantId, { ...q, limit: 3, ...(cursor ? { cursor } : {}) });
    out.push(...page.entries);
    if (!page.next) return out;
    cursor = page.next;
  }
}

/** What the window means, computed from the inserted rows: from <= time < to, newest (largest id) first. */
function expected(from?: number, to?: number): string[] {
  return rows
    .filter((r) => (from === undefined || r.time >= from) && (to === undefined || r.time < to))
    .map((r) => r.id)
    .sort()
    .reverse();
}

describe('AuditService.query time window (bounded on the UUIDv7 id as well)', () => {
  const windows: [string, number | undefined, number | undefined][] = [
    ['both bounds on entries', base, base + DAY],
    ['from exactly on two entries of the same millisecond, to one past', base, base + 1],
    ['a bound between ids and times (entries whose id runs ahead or behind their time)', base + 5_000, base + 5_001],
    ['from only', base + 1, undefined],
    ['to only', undefined, base],
    ['a wide window', base - 41 * DAY, base + 31 * DAY],
    ['an empty window', base + 2 * DAY, base + 3 * DAY],
    ['no window', undefined, undefined],
  ];
  it.each(windows)('%s: exactly the entries inside it, from included, to excluded', async (_name, from, to) => {
    const got = await all({ ...(from !== undefined ? { from: new Date(from) } : {}), ...(to !== undefined ? { to: new Date(to) } : {}) });
    expect(got.map((e) => e.id)).toEqual(expected(from, to));
    for (const e of got) {
      if (from !== undefined) expect(e.time.getTime()).toBeGreaterThanOrEqual(from);
      if (to !== undefined) expect(e.time.getTime()).toBeLessThan(to);
    }
  });

  it('the export and its count start at the same bound', async () => {
    for (const since of [base, base + 5_000, base - 40 * DAY]) {
      const exported: string[] = [];
      for await (const batch of db.services.audit.export({ tenantId, since: new Date(since) }, 2)) exported.push(...batch.map((e) => e.id));
      expect(exported).toEqual(expected(since).reverse());
      expect(await db.services.audit.count({ tenantId, since: new Date(since) })).toBe(exported.length);
    }
  });
});
