import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { connect, NatsConnection } from 'nats';
import pino from 'pino';
import { sql } from '../../src/db/sql';
import { openOrm } from '../../src/db/orm';
import type { CloudEvent } from '../../src/domain/event/event-types';
import { NatsPublisher } from '../../src/events/nats-publisher';
import { EventRelay } from '../../src/events/relay';
import type { EntityManager } from '@mikro-orm/postgresql';
import { createTestDb, TestDb } from '../support/database';
import { scimContext, USER } from '../support/events';
import { eventually } from '../support/tcp-proxy';
import { ensureBuilt } from '../support/dist';
import { freePort } from '../support/ports';

// Several processes on one database need a PostgreSQL server: embedded PGlite admits a single
// process. These run when DATABASE_URL is set, as in CI.
const onServer = (name: string, fn: () => void) => (process.env.DATABASE_URL ? describe(name, fn) : undefined);
const ROOT = path.join(__dirname, '../..');

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => db.close());

describe('a relay batch that fails half-way', () => {
  it('marks published exactly the events the broker confirmed, and resumes with the first unconfirmed one', async () => {
    const ctx = await scimContext(db, 'Half Way');
    for (let i = 0; i < 6; i++) await db.services.users.create(ctx, { schemas: [USER], userName: `h${i}@example.com` });
    const mine = (await db.services.events.list(ctx.tenant.id)).events;
    const published: CloudEvent[] = [];
    let budget = 3; // the broker confirms three events, then refuses
    const broker = {
      kind: 'nats' as const,
      closed: false,
      async publish(e: CloudEvent) {
        if (e.tenantid !== ctx.tenant.id) return; // other tests' tenants share this database
        if (budget-- <= 0) throw new Error('broker refused');
        published.push(e);
      },
      async close() {},
    };
    const relay = new EventRelay(db.orm, db.services.events, { broker: 'nats', batchSize: 1000, pollMs: 10, retentionHours: 168, lease: db.kind === 'postgresql', connect: async () => broker }, pino({ level: 'silent' }));
    await expect(relay.publishBatch()).rejects.toThrow('broker refused');
    expect((await db.services.events.stats(ctx.tenant.id)).unpublished).toBe(3);
    budget = 100;
    await relay.publishBatch();
    expect(published.map((e) => e.id)).toEqual(mine.map((e) => e.id));
    expect((await db.services.events.stats(ctx.tenant.id)).unpublished).toBe(0);
  });
});


function startServer(port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/src/main.js'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: db.url, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'error', EVENT_BROKER: 'none' },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    child.on('message', (m) => m === 'ready' && resolve(child));
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
  });
}

onServer('SIGKILL in the middle of a load', () => {
  it('every change answered 2xx has its event, and no event exists for a change that did not commit', async () => {
    ensureBuilt();
    const ctx = await scimContext(db, 'Crash');
    const { token } = await db.services.connections.createConnection(ctx.tenant.id, { idp: 'generic' });
    const port = await freePort();
    const server = await startServer(port);
    const base = `http://127.0.0.1:${port}/scim/v2/${ctx.tenant.slug}`;
    const headers = { authorization: `Bearer ${token.token}`, 'content-type': 'application/scim+json' };
    const answered: { id: string; version: number }[] = [];
    let stop = false;
    let n = 0;
    const worker = async () => {
      while (!stop) {
        try {
          const created = await fetch(`${base}/Users`, { method: 'POST', headers, body: JSON.stringify({ schemas: [USER], userName: `k${n++}@example.com` }) });
          if (created.status !== 201) continue;
          const user = (await created.json()) as { id: string };
          answered.push({ id: user.id, version: 1 });
          for (const value of [false, true]) {
            const res = await fetch(`${base}/Users/${user.id}`, {
              method: 'PATCH',
              headers,
              body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value }, { op: 'replace', path: 'displayName', value: `v${value}` }] }),
            });
            if (res.status !== 200) break;
            answered.push({ id: user.id, version: Number(((await res.json()) as { meta: { version: string } }).meta.version.replace(/\D/g, '')) });
          }
        } catch {
          return; // the server is gone
        }
      }
    };
    const workers = Array.from({ length: 12 }, worker);
    await eventually(async () => answered.length >= 150, 'load to build up');
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGKILL'); // mid-load: requests are in flight
    stop = true;
    await exited;
    await Promise.all(workers);

    await db.services.events.stats(ctx.tenant.id); // numbers what committed
    const em = db.orm.em.fork() as EntityManager;
    const rows = await sql<{ id: string; version: number }>(em, 'select id, version from scim_user where tenant_id = ?', [ctx.tenant.id]);
    const events = await sql<{ subject: string; type: string; version: number; sequence: string | null; state: string }>(
      em,
      `select subject, type, (data->>'version')::int as version, sequence, state from event_outbox where tenant_id = ? order by position`,
      [ctx.tenant.id],
    );
    const versions = new Map<string, number[]>();
    for (const e of events) versions.set(e.subject, [...(versions.get(e.subject) ?? []), e.version]);
    // answered 2xx => committed with its event
    for (const a of answered) expect(versions.get(a.id) ?? []).toContain(a.version);
    // every committed version has exactly its event(s), no more: an event never outlives a rolled-back change
    const rowVersion = new Map(rows.map((r) => [r.id, r.version]));
    for (const [subject, vs] of versions) {
      const v = rowVersion.get(subject);
      expect(v).toBeDefined();
      expect([...new Set(vs)].sort((x, y) => x - y)).toEqual(Array.from({ length: v! }, (_, i) => i + 1));
    }
    for (const r of rows) expect(versions.get(r.id)?.[0]).toBe(1);
    // every committed event is numbered, each number once (but those the deprovisioning guard holds)
    const seqs = events.filter((e) => e.state === 'ready').map((e) => Number(e.sequence));
    expect(seqs.every((n) => n > 0)).toBe(true);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(answered.length).toBeGreaterThanOrEqual(150);
  });
});

onServer('two relays at once', () => {
  const run = Math.random().toString(36).slice(2, 8);
  const stream = `PROVISIO_TWO_${run}`.toUpperCase();
  const prefix = `provisio_two_${run}`;
  let nc: NatsConnection;
  beforeAll(async () => {
    nc = await connect({ servers: '127.0.0.1:4222' });
  });
  afterAll(async () => {
    await (await nc.jetstreamManager()).streams.delete(stream).catch(() => undefined);
    await nc.close();
  });

  it('publish every event once, in order per resource, while changes keep coming', async () => {
    const ctx = await scimContext(db, 'Two Relays');
    const seen: CloudEvent[] = [];
    // the relays publish the whole outbox (other tests' tenants too): this tenant's subject only
    const sub = nc.subscribe(`${prefix}.${ctx.tenant.slug}.>`, { callback: (_e, m) => seen.push(m.json<CloudEvent>()) });
    const orms = [await openOrm(db.url, 4), await openOrm(db.url, 4)];
    const relays = orms.map(
      (orm) =>
        new EventRelay(
          orm,
          db.services.events,
          { broker: 'nats', batchSize: 7, pollMs: 5, retentionHours: 168, lease: true, connect: () => NatsPublisher.connect({ url: '127.0.0.1:4222', stream, prefix }) },
          pino({ level: 'silent' }),
        ),
    );
    relays.forEach((r) => r.start());
    try {
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) ids.push((await db.services.users.create(ctx, { schemas: [USER], userName: `two${i}@example.com` })).user.id);
      for (let round = 0; round < 6; round++) {
        await Promise.all(ids.map((id) => db.services.users.patch(ctx, id, [{ op: 'replace', path: 'displayName', value: `r${round}` }])));
      }
      await eventually(async () => (await db.services.events.stats(ctx.tenant.id)).unpublished === 0, 'everything published');
      await nc.flush();
      const expected = (await db.services.events.list(ctx.tenant.id, { limit: 1000 })).events;
      expect(expected).toHaveLength(70);
      await eventually(async () => seen.length >= 70, 'the subscriber to see everything');
      expect(seen.map((e) => e.id).sort()).toEqual(expected.map((e) => e.id).sort()); // each once
      for (const id of ids) expect(seen.filter((e) => e.subject === id).map((e) => e.data.version)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(seen.map((e) => e.sequence)).toEqual(expected.map((e) => e.sequence)); // the whole tenant in order
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
      sub.unsubscribe();
      await Promise.all(orms.map((o) => o.close(true)));
    }
  });
});
