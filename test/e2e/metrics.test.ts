import http from 'node:http';
import pino from 'pino';
import { Writable } from 'node:stream';
import request from 'supertest';
import { buildApp } from '../../src/app';
import { createTestDb, TestDb } from '../support/database';

let db: TestDb;
let server: http.Server;
const lines: Record<string, unknown>[] = [];
beforeAll(async () => {
  db = await createTestDb();
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  server = http.createServer(buildApp({ config: db.config, services: db.services, logger: pino({ level: 'info' }, sink) }).callback());
});
afterAll(async () => {
  await db.services.audit.drain();
  await db.close();
});

const metric = (text: string, name: string) => text.split('\n').filter((l) => l.startsWith(name));

describe('GET /metrics and request logs', () => {
  it('count requests by route pattern, status and authenticated tenant, with latency histograms, pool, audit queue and process metrics', async () => {
    const t = await db.services.tenants.create({ name: 'Metered' });
    const { connection, token } = await db.services.connections.createConnection(t.id, { idp: 'okta' });
    const auth = { Authorization: `Bearer ${token.token}` };
    for (let i = 0; i < 3; i++) expect((await request(server).get(`/scim/v2/${t.slug}/Users`).set(auth)).status).toBe(200);
    expect((await request(server).get(`/scim/v2/${t.slug}/Users/00000000-0000-4000-8000-000000000000`).set(auth)).status).toBe(404);
    expect((await request(server).get(`/scim/v2/${t.slug}/Users`).set('Authorization', 'Bearer prv_wrong')).status).toBe(401);
    expect((await request(server).get('/no/such/path')).status).toBe(404);

    const res = await request(server).get('/metrics');
    expect(res.status).toBe(200);
    const text = res.text;
    const counts = metric(text, 'provisio_http_requests_total{');
    expect(counts).toContain(`provisio_http_requests_total{method="GET",route="/scim/v2/:tenant/Users",status="200",tenant="${t.slug}"} 3`);
    expect(counts).toContain(`provisio_http_requests_total{method="GET",route="/scim/v2/:tenant/Users/:id",status="404",tenant="${t.slug}"} 1`);
    // an unauthenticated request has no tenant label: random slugs cannot grow the label set
    // (refused by the tenant-wide authentication middleware, before any resource route matched)
    expect(counts).toContain('provisio_http_requests_total{method="GET",route="/scim/v2/:tenant{/*rest}",status="401",tenant=""} 1');
    expect(counts).toContain('provisio_http_requests_total{method="GET",route="unmatched",status="404",tenant=""} 1');
    expect(text).toMatch(/^provisio_http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/scim\/v2\/:tenant\/Users",status="200"\} 3$/m);
    expect(text).toMatch(/^provisio_db_pool_connections\{state="max"\} [1-9]\d*$/m);
    expect(text).toMatch(/^provisio_db_pool_pending_acquires \d+$/m);
    expect(text).toMatch(/^provisio_db_pool_acquire_seconds_count [1-9]\d*$/m);
    expect(text).toMatch(/^provisio_audit_queue_depth \d+$/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(text).toMatch(/^provisio_relay_lag_seconds /m);

    // each request's log line names the authenticated tenant and SCIM connection
    const line = lines.find((l) => l.msg === 'request' && l.status === 200 && l.path === `/scim/v2/${t.slug}/Users`);
    expect(line).toMatchObject({ tenant: t.slug, connectionId: connection.id });
    const refused = lines.find((l) => l.msg === 'request' && l.status === 401);
    expect(refused).toBeDefined();
    expect(refused).not.toHaveProperty('tenant');
  });
});
