import pino from 'pino';
import http from 'node:http';
import request from 'supertest';
import { buildApp } from '../../src/app';
import { eventFeedRouter } from '../../src/events/feed.routes';
import { sql } from '../../src/db/sql';
import { UnavailableError } from '../../src/domain/errors';
import { scim } from '../support/app';
import { createGqlTestApp, GqlTestApp } from './graphql-helpers';

let app: GqlTestApp;
let admin: string;
beforeAll(async () => {
  app = await createGqlTestApp();
  admin = await app.key('admin');
});
afterAll(async () => app.close());

const USER = (userName: string) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName });

/** The event_sequence row's value and xmin (the transaction that last wrote it). */
async function sequenceRow(tenantId: string): Promise<{ value: string; xmin: string } | undefined> {
  const [row] = await sql<{ value: string; xmin: string }>(app.orm.em.fork() as never, 'select value::text, xmin::text from event_sequence where tenant_id = ?', [tenantId]);
  return row;
}

describe('feed reads with nothing pending (review finding 1)', () => {
  it('GET /events, GraphQL events and stats do not rewrite event_sequence when nothing is pending; events still arrive in order', async () => {
    const t = await app.tenant('Quiet Reads');
    const api = scim(app, t.token);
    expect((await api.post(`${t.base}/Users`, USER('q1@x')).expect(201)).status).toBe(201);
    const first = await request(app.server).get(`/events?tenant=${t.slug}&after=0`).set('Authorization', `Bearer ${admin}`).expect(200);
    expect(first.body.events.map((e: any) => e.subject)).toHaveLength(1);
    const before = await sequenceRow(t.id);
    expect(before?.value).toBe('1');

    // nothing pending now: reads must leave the row (and its lock) alone
    await request(app.server).get(`/events?tenant=${t.slug}&after=0`).set('Authorization', `Bearer ${admin}`).expect(200);
    await request(app.server).get(`/events?tenant=${t.slug}&after=1`).set('Authorization', `Bearer ${admin}`).expect(200);
    const gql = await app.gql(admin, 'query($t: String!) { events(tenant: $t) { nodes { sequence } } }', { t: t.slug });
    expect(gql.body.errors).toBeUndefined();
    await app.services.events.stats(t.id);
    expect(await sequenceRow(t.id)).toEqual(before);

    // new commits are still numbered by the next read, after the earlier ones
    await api.post(`${t.base}/Users`, USER('q2@x')).expect(201);
    await api.post(`${t.base}/Users`, USER('q3@x')).expect(201);
    const next = await request(app.server).get(`/events?tenant=${t.slug}&after=${first.body.next}`).set('Authorization', `Bearer ${admin}`).expect(200);
    expect(next.body.events.map((e: any) => e.sequence)).toEqual([2, 3]);
    expect(next.body.events.map((e: any) => e.data.userName)).toEqual(['q2@x', 'q3@x']);
    expect((await sequenceRow(t.id))?.value).toBe('3');
  });

  it('past the long-poll cap an empty page is answered at once instead of waiting', async () => {
    const t = await app.tenant('Capped Polls');
    const server = http.createServer(
      buildApp({ config: app.config, services: app.services, logger: pino({ level: 'silent' }), extraRouters: [eventFeedRouter(app.services, 1)] }).callback(),
    );
    const order: string[] = [];
    const waiter = request(server).get(`/events?tenant=${t.slug}&wait=30`).set('Authorization', `Bearer ${admin}`).then((r) => (order.push('waiter'), r));
    await new Promise((r) => setTimeout(r, 500)); // let the first poll start waiting
    const capped = await request(server).get(`/events?tenant=${t.slug}&wait=30`).set('Authorization', `Bearer ${admin}`);
    order.push('capped');
    expect(capped.status).toBe(200);
    expect(capped.body.events).toEqual([]);
    await scim(app, t.token).post(`${t.base}/Users`, USER('wake@x')).expect(201); // wakes the waiting poll
    const woken = await waiter;
    expect(order).toEqual(['capped', 'waiter']);
    expect(woken.body.events.map((e: any) => e.data.userName)).toEqual(['wake@x']);
  });
});

describe('GET /events errors go through the app\'s one error mapper (review finding 2)', () => {
  it('a write conflict that used up its retries is 503 with Retry-After, in the feed\'s { error, message } shape', async () => {
    const t = await app.tenant('Busy Feed');
    const list = app.services.events.list;
    // the domain answers "unavailable" (as retryTransaction does after its last attempt); the edge must not turn it into a 400
    app.services.events.list = async () => {
      throw new UnavailableError('the write conflicted with concurrent writes 5 times', 2);
    };
    try {
      const res = await request(app.server).get(`/events?tenant=${t.slug}`).set('Authorization', `Bearer ${admin}`);
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('2');
      expect(res.body).toEqual({ error: 'unavailable', message: expect.stringMatching(/concurrent writes/) });
    } finally {
      app.services.events.list = list;
    }
    const unauth = await request(app.server).get(`/events?tenant=${t.slug}`);
    expect(unauth.status).toBe(401);
    expect(unauth.headers['www-authenticate']).toMatch(/^Bearer realm=/);
    expect(unauth.body).toEqual({ error: 'unauthenticated', message: expect.any(String) });
  });
});
