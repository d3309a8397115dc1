import http from 'node:http';
import { Client } from 'pg';
import pino from 'pino';
import request from 'supertest';
import { buildApp } from '../../src/app';
import { RateLimitedError } from '../../src/domain/errors';
import { openOrm } from '../../src/db/orm';
import { DEFAULT_DB_LIMITS } from '../../src/db/timeouts';
import { TenantGate } from '../../src/http/limits';
import { createTestDb, TestDb } from '../support/database';
import { ensureBuilt } from '../support/dist';
import { startServer } from '../support/server-process';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

// Latency under attack needs a real server process and PostgreSQL's own parallelism: embedded
// PGlite is one session, where one tenant's statement always waits for another's.
const onServer = (name: string, fn: () => void) => (process.env.DATABASE_URL ? describe(name, fn) : undefined);

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => db.close());

async function tenant(name: string) {
  const t = await db.services.tenants.create({ name });
  const { connection, token } = await db.services.connections.createConnection(t.id, { idp: 'generic' });
  return { id: t.id, slug: t.slug, token: token.token, connectionId: connection.id };
}

describe('rate limits', () => {
  it('a connection over its token bucket gets 429 with Retry-After and a SCIM error; another tenant does not notice', async () => {
    const config = { ...db.config, limits: { ...db.config.limits, connectionRatePerSecond: 1, connectionBurst: 5 } };
    const server = http.createServer(buildApp({ config, services: db.services, logger: pino({ level: 'silent' }) }).callback());
    const a = await tenant('Rate A');
    const b = await tenant('Rate B');
    const get = (t: { slug: string; token: string }) => request(server).get(`/scim/v2/${t.slug}/Users?count=1`).set('Authorization', `Bearer ${t.token}`);
    const answersA = [];
    for (let i = 0; i < 8; i++) answersA.push(await get(a));
    expect(answersA.slice(0, 5).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const refused = answersA.slice(5);
    for (const r of refused) {
      expect(r.status).toBe(429);
      expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(r.body).toMatchObject({ schemas: [ERROR], status: '429' });
    }
    expect((await get(b)).status).toBe(200);
    await db.services.audit.drain();
  });

  it('refusals are audited coalesced: per connection and second, the first one as it is, the others as one row with their count', async () => {
    const config = { ...db.config, limits: { ...db.config.limits, connectionRatePerSecond: 1, connectionBurst: 2 } };
    const server = http.createServer(buildApp({ config, services: db.services, logger: pino({ level: 'silent' }) }).callback());
    const a = await tenant('Coalesced');
    let refused = 0;
    for (let i = 0; i < 40; i++) if ((await request(server).get(`/scim/v2/${a.slug}/Users?count=1`).set('Authorization', `Bearer ${a.token}`)).status === 429) refused++;
    expect(refused).toBeGreaterThan(20);
    // the last second's count is still held back: draining (as a graceful stop does) records it
    await db.services.audit.drain();
    const rows: { note: string | null }[] = await db.orm.em.fork().getConnection().execute(`select note from audit_entry where connection_id = ? and status = 429`, [a.connectionId]);
    // every refusal is accounted for: a row each for the first of every second, the rest counted in notes
    const counted = rows.reduce((n, r) => n + (r.note === null ? 1 : Number(/^(\d+) more refused \(429\) in this second$/.exec(r.note)?.[1])), 0);
    expect(counted).toBe(refused);
    expect(rows.length).toBeLessThan(refused / 2);
    expect(rows.some((r) => r.note?.endsWith('more refused (429) in this second'))).toBe(true);
  });

  it("a tenant over its request rate gets 429, whichever connection sends", async () => {
    const config = { ...db.config, limits: { ...db.config.limits, tenantRatePerSecond: 1, tenantBurst: 4 } };
    const server = http.createServer(buildApp({ config, services: db.services, logger: pino({ level: 'silent' }) }).callback());
    const a = await tenant('Tenant Rate');
    const second = await db.services.connections.createConnection(a.id, { idp: 'generic', name: 'second' });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const token = i % 2 ? second.token.token : a.token;
      statuses.push((await request(server).get(`/scim/v2/${a.slug}/Users?count=1`).set('Authorization', `Bearer ${token}`)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    await db.services.audit.drain();
  });
});

describe("a tenant's concurrency gate", () => {
  it('runs `concurrency` at once, queues up to the bound in order, refuses beyond it and after the wait limit, and never holds another tenant', async () => {
    const gate = new TenantGate(2, 2, 200);
    const order: string[] = [];
    const r1 = await gate.enter('a');
    const r2 = await gate.enter('a');
    const q1 = gate.enter('a').then((release) => (order.push('q1'), release));
    const q2 = gate.enter('a').then((release) => (order.push('q2'), release));
    await expect(gate.enter('a')).rejects.toBeInstanceOf(RateLimitedError); // the queue is full
    const other = await gate.enter('b'); // another tenant goes straight in
    expect(gate.load('a')).toEqual({ running: 2, waiting: 2 });
    r1();
    r2();
    const [rq1, rq2] = await Promise.all([q1, q2]);
    expect(order).toEqual(['q1', 'q2']);
    const r3 = gate.enter('a'); // waits, and nobody leaves: refused after the wait limit
    await expect(r3).rejects.toThrow(/waited more than 200 ms/);
    rq1();
    rq2();
    other();
    expect(gate.load('a')).toEqual({ running: 0, waiting: 0 });
  });
});

describe('the slow lane', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('a tenant whose requests average over slowMs runs only slowConcurrency at once, in order; another tenant keeps its full concurrency; the lane lifts once its requests are quick again', async () => {
    const gate = new TenantGate(3, 10, 5_000, 20, 1);
    // slow requests: each holds its slot at least 40 ms (a timer never fires early), over 20
    const slowOnes = await Promise.all([gate.enter('a'), gate.enter('a'), gate.enter('a')]);
    await sleep(40);
    for (const release of slowOnes) release();
    expect(gate.slow('a')).toBe(true);
    expect(gate.slow('b')).toBe(false);
    // now one at a time, first come first served
    const order: number[] = [];
    const first = await gate.enter('a');
    const waiting = [1, 2, 3].map((i) => gate.enter('a').then((release) => (order.push(i), release)));
    await sleep(5);
    expect(gate.load('a')).toEqual({ running: 1, waiting: 3 });
    // the other tenant is not held: three at once
    const others = await Promise.all([gate.enter('b'), gate.enter('b'), gate.enter('b')]);
    expect(gate.load('b')).toEqual({ running: 3, waiting: 0 });
    others.forEach((release) => release());
    // quick requests (released at once) bring the average back under 20 ms: the lane lifts and the
    // queue drains in order, several at a time again
    first();
    const releases = [];
    for (const w of waiting) {
      const release = await w;
      releases.push(release);
      release();
    }
    expect(order).toEqual([1, 2, 3]);
    for (let i = 0; i < 20 && gate.slow('a'); i++) (await gate.enter('a'))();
    expect(gate.slow('a')).toBe(false);
    const together = await Promise.all([gate.enter('a'), gate.enter('a'), gate.enter('a')]);
    expect(gate.load('a')).toEqual({ running: 3, waiting: 0 });
    together.forEach((release) => release());
    expect(gate.load('a')).toEqual({ running: 0, waiting: 0 });
  });

  it('a waiter that times out leaves the others in place and the count right; releasing twice frees one slot only', async () => {
    const gate = new TenantGate(1, 5, 100);
    const r1 = await gate.enter('a');
    const late = gate.enter('a');
    await expect(late).rejects.toThrow(/waited more than 100 ms/);
    expect(gate.load('a')).toEqual({ running: 1, waiting: 0 });
    const next = gate.enter('a'); // a new queue after the old one was emptied by the timeout
    expect(gate.load('a')).toEqual({ running: 1, waiting: 1 });
    r1();
    r1();
    const r2 = await next;
    expect(gate.load('a')).toEqual({ running: 1, waiting: 0 });
    r2();
    expect(gate.load('a')).toEqual({ running: 0, waiting: 0 });
  });
});

onServer('parallel query workers', () => {
  it('every request connection runs with max_parallel_workers_per_gather = DB_PARALLEL_WORKERS_PER_REQUEST (default 0)', async () => {
    for (const [workers, expected] of [[0, '0'], [3, '3']] as const) {
      const orm = await openOrm(db.url, 2, false, { ...DEFAULT_DB_LIMITS, parallelWorkersPerRequest: workers });
      try {
        const [row] = await orm.em.fork().getConnection().execute('show max_parallel_workers_per_gather');
        expect(row.max_parallel_workers_per_gather).toBe(expected);
      } finally {
        await orm.close(true);
      }
    }
  });
});

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

onServer('tenant B while tenant A attacks', () => {
  it("keeps B's latency (ratio to its solo run), B gets no 429 or 5xx, and A gets 200, 429 or 503 with Retry-After, never 500", async () => {
    ensureBuilt();
    const a = await tenant('Attacker');
    const b = await tenant('Bystander');
    // A's worst accepted query runs over a large tenant of users with many emails (seeded in SQL,
    // on a connection of its own: the bulk load may take longer than the request statement timeout)
    const seed = new Client({ connectionString: db.url });
    await seed.connect();
    await seed.query(
      `insert into scim_user (id, tenant_id, user_name, user_name_key, active, attributes, version, created_at, updated_at)
       select gen_random_uuid(), $1, 'a' || n || '@example.com', 'a' || n || '@example.com', true,
              jsonb_build_object('userName', 'a' || n || '@example.com', 'active', true,
                'emails', (select jsonb_agg(jsonb_build_object('value', 'a' || n || '.' || k || '@example.com', 'type', 'work')) from generate_series(1, 20) k)),
              1, now(), now()
         from generate_series(1, 15000) n`,
      [a.id],
    );
    await seed.query('analyze scim_user');
    await seed.end();
    for (let i = 0; i < 50; i++) await db.services.users.create({ tenant: { id: b.id, slug: b.slug, name: b.slug }, actor: { kind: 'system' }, requestId: `seed-${i}` }, { schemas: [USER], userName: `b${i}@example.com` });

    const heavy = `not (emails[type co "a" and value co "zz"] or emails[value co "qq"] or displayName co "x")`;
    const headersA = { authorization: `Bearer ${a.token}` };
    const headersB = { authorization: `Bearer ${b.token}` };

    /** B alone, then B while A sends 12 loops of its heaviest filter and 20 loops of light requests. */
    const scenario = async (env: Record<string, string>, rounds: number, abandonA = false) => {
      const server = await startServer({ DATABASE_URL: db.url, DB_POOL_MAX: '10', ...env });
      try {
        const probe = async (rounds: number) => {
          const ms: number[] = [];
          const statuses: number[] = [];
          for (let i = 0; i < rounds; i++) {
            const started = performance.now();
            const res = await fetch(`${server.url}/scim/v2/${b.slug}/Users?filter=${encodeURIComponent(`userName eq "b${i % 50}@example.com"`)}`, { headers: headersB });
            await res.arrayBuffer();
            ms.push(performance.now() - started);
            statuses.push(res.status);
          }
          ms.sort((x, y) => x - y);
          return { p50: percentile(ms, 50), p99: percentile(ms, 99), statuses };
        };
        await probe(20); // warm-up: connections, plans, caches
        const solo = await probe(rounds);
        // once B is measured A sends no more; its requests in flight are awaited (their answers are
        // checked: a statement timeout is a 503) unless `abandonA` (no limits: they may run for seconds)
        const stopped = new AbortController();
        let stop = false;
        const answersA: { status: number; retryAfter: string | null }[] = [];
        const attack = async (query: string) => {
          while (!stop) {
            try {
              const res = await fetch(`${server.url}/scim/v2/${a.slug}/Users?${query}`, { headers: headersA, signal: stopped.signal });
              await res.arrayBuffer();
              answersA.push({ status: res.status, retryAfter: res.headers.get('retry-after') });
            } catch (e) {
              if (!stopped.signal.aborted) throw e;
            }
          }
        };
        const attackers = [
          ...Array.from({ length: 12 }, () => attack(`count=1&filter=${encodeURIComponent(heavy)}`)),
          ...Array.from({ length: 20 }, () => attack('count=1')),
        ];
        await new Promise((r) => setTimeout(r, 1500)); // the attack in full swing
        const attacked = await probe(rounds);
        stop = true;
        if (abandonA) stopped.abort();
        await Promise.all(attackers);
        return { solo, attacked, answersA, ratio: attacked.p50 / solo.p50, p99Ratio: attacked.p99 / solo.p99 };
      } finally {
        await server.stop();
      }
    };

    const fair = await scenario({}, 100); // the default limits
    const unfair = await scenario({ TENANT_CONCURRENCY: '0', RATE_LIMIT_TENANT_PER_SECOND: '0', RATE_LIMIT_CONNECTION_PER_SECOND: '0', DB_STATEMENT_TIMEOUT_MS: '0', DB_PARALLEL_WORKERS_PER_REQUEST: '2' }, 12, true); // B's requests take 0.5-2 s each there: a dozen show it
    for (const [label, r] of [['default limits', fair], ['no limits', unfair]] as const) {
      process.stdout.write(
        `fairness (${label}): B alone p50 ${r.solo.p50.toFixed(1)} ms p99 ${r.solo.p99.toFixed(1)} ms; under attack p50 ${r.attacked.p50.toFixed(1)} ms p99 ${r.attacked.p99.toFixed(1)} ms; ratios p50 ${r.ratio.toFixed(2)} p99 ${r.p99Ratio.toFixed(2)}; A answers ${r.answersA.length}\n`,
      );
    }
    // B: every answer a 200, alone and under attack
    expect(new Set([...fair.solo.statuses, ...fair.attacked.statuses])).toEqual(new Set([200]));
    // A: served, queued or refused with Retry-After, never a 500
    expect(fair.answersA.length).toBeGreaterThan(0);
    for (const x of fair.answersA) {
      expect([200, 429, 503]).toContain(x.status);
      if (x.status !== 200) expect(Number(x.retryAfter)).toBeGreaterThan(0);
    }
    // B's p50 under attack, as a ratio to its solo run: with the limits, a small fraction of what
    // it is without them (there, B waits for a pooled connection behind A's statements). Both ratios
    // come from this one run, so a slow or busy machine moves them together. (An absolute bound on
    // the first, < 4, was dropped: measured 1.5-2.6 alone but 5.7 once in CI, beside the other slow
    // suites on two cores, where the second was 161.)
    expect(fair.ratio * 4).toBeLessThan(unfair.ratio);
  }, 300_000);
});
