import type { EntityManager } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { DAY_MS, dayStart, partitionName } from '../../src/db/partitions';
import { sql } from '../../src/db/sql';
import { BlankDb, createBlankDb, migrateUpToBefore } from '../support/blank-database';

/** Issue 16 §2: the migration to partitioned tables keeps every existing audit entry and outbox event. */
const PARTITIONING = 'Migration20261127153000';
let db: BlankDb;
const em = () => db.orm.em.fork() as EntityManager;
const today = dayStart(Date.now());

beforeAll(async () => {
  db = await createBlankDb();
  await migrateUpToBefore(db, PARTITIONING); // the tables have their old shape
});
afterAll(async () => db.close());

it('converts audit_entry and event_outbox to partitioned tables keeping their rows, positions and sequences', async () => {
  const [tenant] = await sql<{ id: string }>(em(), `insert into tenant (id, name, slug, created_at, updated_at) values (?, 'Old', 'old', now(), now()) returning id`, [uuidv7()]);
  const times = [today - 1000 * DAY_MS, today - 10 * DAY_MS + 5_000, today - 10 * DAY_MS + 6_000, Date.now() - 1000];
  const audit: string[] = [];
  const events: string[] = [];
  for (const [i, ms] of times.entries()) {
    const id = uuidv7({ msecs: ms });
    audit.push(id);
    await sql(em(), `insert into audit_entry (id, tenant_id, time, actor_kind, method, path, operation, status, latency_ms, request_id, resource_ids)
                     values (?, ?, ?, 'scim', 'POST', '/Users', 'User.create', 201, 2.5, ?, ?::jsonb)`, [id, tenant.id, new Date(ms), `r${i}`, JSON.stringify([`u${i}`])]);
    const eid = uuidv7({ msecs: ms });
    events.push(eid);
    await sql(em(), `insert into event_outbox (id, tenant_id, sequence, type, subject, time, data, published_at)
                     values (?, ?, ?, 'user.created', ?, ?, ?::jsonb, ?)`, [eid, tenant.id, i + 1, uuidv7(), new Date(ms), JSON.stringify({ n: i }), i < 2 ? new Date(ms) : null]);
  }
  await sql(em(), `insert into event_sequence (tenant_id, value) values (?, 4)`, [tenant.id]);
  const snapshot = async (table: string, order: string) => sql(em(), `select * from ${table} order by ${order}`);
  const auditBefore = await snapshot('audit_entry', 'id');
  const eventsBefore = await snapshot('event_outbox', 'position');

  expect((await db.orm.getMigrator().up({ to: PARTITIONING })).map((m) => m.name)).toEqual([PARTITIONING]);

  expect(await snapshot('audit_entry', 'id')).toEqual(auditBefore);
  expect(await snapshot('event_outbox', 'position')).toEqual(eventsBefore);
  const where = async (table: string, id: string) => (await sql<{ p: string }>(em(), `select tableoid::regclass::text as p from ${table} where id = ?`, [id]))[0].p;
  for (const [table, ids] of [['audit_entry', audit], ['event_outbox', events]] as const) {
    expect(await where(table, ids[0])).toBe(`${table}_default`); // older than the days the migration partitions
    expect(await where(table, ids[1])).toBe(partitionName(table, today - 10 * DAY_MS));
    expect(await where(table, ids[2])).toBe(partitionName(table, today - 10 * DAY_MS));
    expect(await where(table, ids[3])).toBe(partitionName(table, dayStart(Date.now() - 1000)));
  }
  // the outbox's position sequence goes on after the copied rows
  const [next] = await sql<{ position: string }>(em(), `insert into event_outbox (id, tenant_id, type, subject, time, data) values (?, ?, 'user.updated', ?, now(), '{}') returning position`, [uuidv7(), tenant.id, uuidv7()]);
  expect(Number(next.position)).toBeGreaterThan(Math.max(...eventsBefore.map((e) => Number(e.position))));
  // and the partitioned tables keep the foreign key to their tenant
  await sql(em(), 'delete from tenant where id = ?', [tenant.id]);
  expect(await sql(em(), 'select 1 from audit_entry union all select 1 from event_outbox')).toEqual([]);
});
