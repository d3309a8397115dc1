import http from 'node:http';
import { Client } from 'pg';
import pino from 'pino';
import request from 'supertest';
import { buildApp } from '../../src/app';
import { loadConfig, type RequestLimits } from '../../src/config';
import { eventFeedRouter } from '../../src/events/feed.routes';
import { graphqlRouter } from '../../src/graphql/router';
import { adminKeyLimits } from '../../src/http/limits';
import { createTestDb, TestDb } from '../support/database';

/**
 * Issue 13 item 2 for the admin surfaces (GraphQL and GET /events): a token bucket per admin key and the SCIM side's
 * concurrency gate per key; over either, HTTP 429 with Retry-After (RFC 6585 §4) and
 * `extensions.code: RATE_LIMITED`. Another key is never held.
 */
let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db.services.audit.drain();
  await db.close();
});

/** An app as main.ts builds it: GraphQL and GET /events share one per-key limiter. */
async function server(limits: Partial<RequestLimits>): Promise<http.Server> {
  const config = { ...db.config, limits: { ...db.config.limits, ...limits } };
  const logger = pino({ level: 'silent' });
  const perKey = adminKeyLimits(config.limits);
  const graphql = await graphqlRouter({ services: db.services, config, logger, perKey });
  return http.createServer(buildApp({ config, services: db.services, logger, extraRouters: [graphql, eventFeedRouter(db.services, undefined, perKey)] }).callback());
}

const gql = (srv: http.Server, key: string, query: string) => request(srv).post('/graphql').set('Authorization', `Bearer ${key}`).send({ query });

function expectRateLimited(res: request.Response): void {
  expect(res.status).toBe(429);
  expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(res.body.errors).toHaveLength(1);
  expect(res.body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
  expect(res.body.errors[0].extensions.retryAfter).toBeGreaterThanOrEqual(1);
  expect(res.body.data ?? null).toBeNull();
}

it('defaults: 100 requests a second per admin key, bursts of 200 (RATE_LIMIT_ADMIN_KEY_*)', () => {
  expect(loadConfig({}).limits).toMatchObject({ adminKeyRatePerSecond: 100, adminKeyBurst: 200 });
  // a key's concurrency: a tenant's share of the pool on a server, no cap on embedded PGlite (one session)
  expect(loadConfig({ DATABASE_URL: 'postgresql://h/db' }).limits).toMatchObject({ adminKeyConcurrency: 5, tenantSlowMs: 100 });
  expect(loadConfig({}).limits).toMatchObject({ adminKeyConcurrency: 0, tenantSlowMs: 0 });
  expect(loadConfig({ RATE_LIMIT_ADMIN_KEY_PER_SECOND: '5', RATE_LIMIT_ADMIN_KEY_BURST: '7' }).limits).toMatchObject({ adminKeyRatePerSecond: 5, adminKeyBurst: 7 });
});

it('an admin key over its token bucket gets 429, Retry-After and RATE_LIMITED; another key does not notice', async () => {
  const srv = await server({ adminKeyRatePerSecond: 1, adminKeyBurst: 3 });
  const a = (await db.services.adminKeys.create({ role: 'admin' })).key;
  const b = (await db.services.adminKeys.create({ role: 'admin' })).key;
  const answers = [];
  for (let i = 0; i < 5; i++) answers.push(await gql(srv, a, '{ tenants { name } }'));
  expect(answers.slice(0, 3).map((r) => r.status)).toEqual([200, 200, 200]);
  for (const r of answers.slice(3)) expectRateLimited(r);
  expect(answers[3].body.errors[0].message).toContain('more than 1 requests a second');
  const other = await gql(srv, b, '{ tenants { name } }');
  expect(other.status).toBe(200);
  expect(other.body.errors).toBeUndefined();
});

// the held request waits on a row lock taken by a second session: embedded PGlite is one session
const onServer = (name: string, fn: () => Promise<void>) => (process.env.DATABASE_URL ? it(name, fn) : undefined);

/**
 * Waits until a session waits for a lock the `locker` session holds. Not "any ungranted lock": the
 * suite's other files run against other databases of the same server, and one of their waits made
 * this test go on before its own request had reached the lock (and its gate slot).
 */
async function waitUntilBlocked(locker: Client): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await locker.query('select count(*)::int as n from pg_stat_activity where pg_backend_pid() = any(pg_blocking_pids(pid))');
    if (rows[0].n > 0) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('no session came to wait for the lock');
}

onServer("an admin key's concurrency gate: while its requests hold their slots, more wait or get 429; another key runs at once", async () => {
  const srv = await server({ adminKeyConcurrency: 1, tenantQueue: 1, tenantQueueTimeoutMs: 60_000, adminKeyRatePerSecond: 0 });
  const tenant = await db.services.tenants.create({ name: 'Locked' });
  const a = (await db.services.adminKeys.create({ role: 'admin' })).key;
  const b = (await db.services.adminKeys.create({ role: 'admin' })).key;
  // hold the tenant's row: key A's rename waits for the lock, holding A's only slot
  const locker = new Client({ connectionString: db.url });
  await locker.connect();
  try {
    await locker.query('begin');
    await locker.query('select 1 from tenant where id = $1 for update', [tenant.id]);
    const rename = (name: string) => gql(srv, a, `mutation { updateTenant(tenant: "${tenant.slug}", input: { name: "${name}" }) { name } }`);
    const held = rename('First');
    held.then(() => undefined); // sends it
    // wait until the rename is waiting for the lock, in the database
    await waitUntilBlocked(locker);
    const queued = gql(srv, a, '{ tenants { name } }'); // waits in A's queue (one place)
    queued.then(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    expectRateLimited(await gql(srv, a, '{ tenants { name } }')); // the queue is full
    // key B is not held by A's gate
    const other = await gql(srv, b, '{ tenants { name } }');
    expect(other.status).toBe(200);
    await locker.query('commit');
    expect((await held).body.data.updateTenant.name).toBe('First');
    expect((await queued).status).toBe(200);
    // and A's slot is free again
    expect((await gql(srv, a, '{ tenants { name } }')).status).toBe(200);
  } finally {
    await locker.end();
  }
});

onServer('a request whose client leaves while it waits for a slot gives the slot back once admitted (the console aborts the queries of pages it leaves)', async () => {
  const srv = await server({ adminKeyConcurrency: 1, tenantQueue: 5, tenantQueueTimeoutMs: 3_000, tenantSlowMs: 0, adminKeyRatePerSecond: 0 });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(srv.address() as { port: number }).port}/graphql`;
  const tenant = await db.services.tenants.create({ name: 'Leaver' });
  const a = (await db.services.adminKeys.create({ role: 'admin' })).key;
  const post = (query: string, signal?: AbortSignal) =>
    fetch(url, { method: 'POST', headers: { authorization: `Bearer ${a}`, 'content-type': 'application/json' }, body: JSON.stringify({ query }), signal });
  const locker = new Client({ connectionString: db.url });
  await locker.connect();
  try {
    await locker.query('begin');
    await locker.query('select 1 from tenant where id = $1 for update', [tenant.id]);
    const held = post(`mutation { updateTenant(tenant: "${tenant.slug}", input: { name: "Held" }) { name } }`);
    await waitUntilBlocked(locker);
    // a second request queues behind the held one, and its client leaves
    const leaving = new AbortController();
    const left = post('{ tenants { name } }', leaving.signal).catch((e: Error) => e.name);
    await new Promise((r) => setTimeout(r, 200));
    leaving.abort();
    expect(await left).toBe('AbortError');
    await new Promise((r) => setTimeout(r, 100));
    await locker.query('commit');
    expect(((await (await held).json()) as { data: { updateTenant: { name: string } } }).data.updateTenant.name).toBe('Held');
    // the key's slot is free: the next requests run at once, not after the queue's 3 s wait and a 429
    for (let i = 0; i < 3; i++) expect((await post('{ tenants { name } }')).status).toBe(200);
  } finally {
    await locker.end();
    srv.close();
  }
});

it("a long poll (events(wait:)) gives its key's slot back while it waits: the key's other requests run", async () => {
  // one slot, no queue: a request that held the slot would make the next one a 429 at once
  const srv = await server({ adminKeyConcurrency: 1, tenantQueue: 0, tenantSlowMs: 100, tenantSlowConcurrency: 1, adminKeyRatePerSecond: 0 });
  const tenant = await db.services.tenants.create({ name: 'Quiet' });
  const a = (await db.services.adminKeys.create({ role: 'admin' })).key;
  const started = Date.now();
  const poll = gql(srv, a, `{ events(tenant: "${tenant.slug}", wait: 3) { nodes { id } } }`);
  poll.then(() => undefined);
  await new Promise((r) => setTimeout(r, 800)); // the poll is waiting by now
  const during = await gql(srv, a, '{ tenants { name } }');
  expect(during.status).toBe(200);
  const answered = await poll;
  expect(answered.status).toBe(200);
  expect(answered.body.data.events.nodes).toEqual([]);
  expect(Date.now() - started).toBeGreaterThanOrEqual(2500); // it did wait
});

it('GET /events shares the key\'s bucket with GraphQL: over it, 429 with Retry-After and a JSON error; a long poll there gives its slot back too', async () => {
  const tenant = await db.services.tenants.create({ name: 'Feed' });
  const a = (await db.services.adminKeys.create({ role: 'admin' })).key;
  const events = (srv: http.Server, wait = 0) => request(srv).get(`/events?tenant=${tenant.slug}${wait ? `&wait=${wait}` : ''}`).set('Authorization', `Bearer ${a}`);
  const limited = await server({ adminKeyRatePerSecond: 1, adminKeyBurst: 3 });
  expect((await gql(limited, a, '{ tenants { name } }')).status).toBe(200);
  expect((await events(limited)).status).toBe(200);
  expect((await events(limited)).status).toBe(200);
  const refused = await events(limited);
  expect(refused.status).toBe(429);
  expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(refused.body).toMatchObject({ error: 'rateLimited' });
  // one slot, no queue: the key's requests run while its long poll waits
  const gated = await server({ adminKeyRatePerSecond: 0, adminKeyConcurrency: 1, tenantQueue: 0 });
  const poll = events(gated, 2);
  poll.then(() => undefined);
  await new Promise((r) => setTimeout(r, 800));
  expect((await events(gated)).status).toBe(200);
  expect((await gql(gated, a, '{ tenants { name } }')).status).toBe(200);
  expect((await poll).status).toBe(200);
});
