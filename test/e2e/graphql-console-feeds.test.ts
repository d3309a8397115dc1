import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../src/db/sql';
import { SUBJECT_EVENTS_SQL } from '../../src/domain/event/event.service';
import { scim } from '../support/app';
import { codes, createGqlTestApp, GqlTestApp } from './graphql-helpers';

let app: GqlTestApp;
let admin: string;
beforeAll(async () => {
  app = await createGqlTestApp();
  admin = await app.key('admin');
});
afterAll(async () => app.close());

const USER = (userName: string) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName });
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

const WAIT = `query Wait($t: String!, $after: String, $wait: Int) {
  events(tenant: $t, after: $after, wait: $wait) { endCursor nodes { type sequence data } }
}`;

/** Waits until `check` holds (the server has started waiting), polling the service's own state. */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await tick(20);
}

describe('events(wait:): the long poll of GET /events over GraphQL', () => {
  it('an empty page waits for the next event and answers as soon as it commits; the wait counts in the shared long-poll budget', async () => {
    const t = await app.tenant('Long Poll');
    const api = scim(app, t.token);
    await api.post(`${t.base}/Users`, USER('first@x')).expect(201);
    const now = await app.gql(admin, WAIT, { t: t.slug });
    expect(now.body.data.events.nodes.map((e: any) => e.data.userName)).toEqual(['first@x']); // events there: answered at once
    const cursor = now.body.data.events.endCursor;

    const order: string[] = [];
    const polls = app.services.events.longPoll;
    const waiting = app.gql(admin, WAIT, { t: t.slug, after: cursor, wait: 30 }).then((r) => (order.push('answered'), r));
    await until(() => polls.active === 1); // GET /events and GraphQL count against one budget
    order.push('posted');
    await api.post(`${t.base}/Users`, USER('second@x')).expect(201);
    const res = await waiting;
    expect(res.body.errors).toBeUndefined();
    expect(order).toEqual(['posted', 'answered']);
    expect(res.body.data.events.nodes.map((e: any) => [e.type, e.data.userName])).toEqual([['com.provisio.user.created', 'second@x']]);
    expect(polls.active).toBe(0);
  });

  it('one operation waits at most 30 s in all: a second long-polling field gets what is left of the budget', async () => {
    // a time budget above 30 s, so the per-operation wait budget is the one that binds
    const roomy = await createGqlTestApp({ limits: { maxDepth: 12, maxCost: 100_000, timeBudgetMs: 60_000 } });
    try {
      const key = await roomy.key('admin');
      const t = await roomy.tenant('Wait Budget');
      const both = roomy.gql(
        key,
        `query($t: String!) { a: events(tenant: $t, wait: 30) { nodes { sequence } } b: events(tenant: $t, wait: 30) { nodes { sequence } } }`,
        { t: t.slug },
      );
      await until(() => roomy.services.events.longPoll.active === 1);
      await scim(roomy, t.token).post(`${t.base}/Users`, USER('budget@x')).expect(201);
      const res = await both;
      expect(res.body.errors).toBeUndefined();
      // one field had the whole 30 s and saw the event; the other had no wait left and answered its empty page at once
      const sizes = [res.body.data.a.nodes.length, res.body.data.b.nodes.length].sort();
      expect(sizes).toEqual([0, 1]);
    } finally {
      await roomy.close();
    }
  });

  it("a long poll ends within the operation's time budget: an empty page, not QUERY_TIMEOUT", async () => {
    const tight = await createGqlTestApp({ limits: { maxDepth: 12, maxCost: 100_000, timeBudgetMs: 2_500 } });
    try {
      const key = await tight.key('admin');
      const t = await tight.tenant('Tight Budget');
      const res = await tight.gql(key, `query($t: String!) { events(tenant: $t, wait: 30) { endCursor nodes { sequence } } tenant(slug: $t) { slug } }`, { t: t.slug });
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.events.nodes).toEqual([]);
      expect(res.body.data.tenant.slug).toBe(t.slug);
    } finally {
      await tight.close();
    }
  });

  it('wait is bounded (BAD_USER_INPUT past 30 s) and counted in the query cost', async () => {
    const t = await app.tenant('Wait Limits');
    for (const wait of [31, -1]) {
      const res = await app.gql(admin, WAIT, { t: t.slug, wait });
      expect(codes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.body.errors![0].message).toMatch(/between 0 and 30/);
    }
    const cheap = await createGqlTestApp({ limits: { maxDepth: 12, maxCost: 20_000 } });
    try {
      const key = await cheap.key('admin');
      const t2 = await cheap.tenant('Cost');
      await scim(cheap, t2.token).post(`${t2.base}/Users`, USER('c@x')).expect(201); // so neither request waits
      const costly = await cheap.gql(key, WAIT, { t: t2.slug, wait: 30 });
      expect(costly.status).toBe(400);
      expect(codes(costly)).toEqual(['QUERY_TOO_COMPLEX']);
      expect(costly.body.errors![0].extensions!.cost).toBeGreaterThan(30_000);
      const fine = await cheap.gql(key, WAIT, { t: t2.slug, wait: 10 });
      expect(fine.body.errors).toBeUndefined();
      expect(fine.body.data.events.nodes).toHaveLength(1);
    } finally {
      await cheap.close();
    }
  });
});

describe("a user's events", () => {
  it('User.events lists its own events newest first; events(subject:) filters the feed; a bad subject is BAD_USER_INPUT', async () => {
    const t = await app.tenant('User Events');
    const api = scim(app, t.token);
    const ann = (await api.post(`${t.base}/Users`, USER('ann@x')).expect(201)).body.id;
    const bob = (await api.post(`${t.base}/Users`, USER('bob@x')).expect(201)).body.id;
    await api
      .patch(`${t.base}/Users/${ann}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] })
      .expect(200);
    const res = await app.gql(admin, `query($t: String!, $id: ID!) { tenant(slug: $t) { user(id: $id) { events { type subject sequence } } } }`, { t: t.slug, id: ann });
    expect(res.body.errors).toBeUndefined();
    const evs = res.body.data.tenant.user.events;
    expect(evs.map((e: any) => e.type)).toEqual(['com.provisio.user.deactivated', 'com.provisio.user.created']);
    expect(evs.every((e: any) => e.subject === ann)).toBe(true);
    expect(evs[0].sequence).toBeGreaterThan(evs[1].sequence);

    const feed = await app.gql(admin, `query($t: String!, $s: ID) { events(tenant: $t, subject: $s) { nodes { subject type } } }`, { t: t.slug, s: bob });
    expect(feed.body.data.events.nodes).toEqual([{ subject: bob, type: 'com.provisio.user.created' }]);
    const bad = await app.gql(admin, `query($t: String!) { events(tenant: $t, subject: "nope") { nodes { id } } }`, { t: t.slug });
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);

    // the user's events are read by the (tenant, subject, sequence) index, not by walking the tenant's stream
    // thrown to roll the seeded rows back with the transaction, carrying the plan out
    class Plan { constructor(readonly text: string) {} }
    const plan = await (app.orm.em.fork() as EntityManager).transactional(async (em) => {
      // a tenant whose stream is mostly other resources' events (rolled back with the transaction)
      await sql(
        em,
        `insert into event_outbox (id, tenant_id, type, subject, time, data, state, sequence)
         select gen_random_uuid(), ?, 'user.updated', gen_random_uuid(), now(), '{}'::jsonb, 'ready', 1000 + n from generate_series(1, 5000) n`,
        [t.id],
      );
      await sql(em, 'analyze event_outbox');
      await sql(em, 'set local enable_seqscan = off');
      const rows = await sql<{ 'QUERY PLAN': unknown }>(em, `explain (format json) ${SUBJECT_EVENTS_SQL}`, [t.id, ann, 20]);
      throw new Plan(JSON.stringify(rows[0]['QUERY PLAN']));
    }).then(
      () => '',
      (e: unknown) => (e instanceof Plan ? e.text : Promise.reject(e)),
    );
    expect(plan).toMatch(/"Index Name":"event_outbox_(subject_idx|\w+_tenant_id_subject_sequence_idx)"/); // the parent's index, or its copy on each partition
  });
});

describe('Tenant.activity', () => {
  it("gives each tenant's last SCIM request, requests and error rate from the server, one statement for all tenants", async () => {
    const busy = await app.tenant('Busy Tenant');
    const quiet = await app.tenant('Quiet Tenant');
    const api = scim(app, busy.token);
    await api.post(`${busy.base}/Users`, USER('one@x')).expect(201);
    await api.post(`${busy.base}/Users`, USER('two@x')).expect(201);
    await api.post(`${busy.base}/Users`, USER('one@x')).expect(409); // uniqueness: a failed request
    await api.get(`${busy.base}/Users/00000000-0000-7000-8000-000000000000`).expect(404);
    await app.services.audit.drain();
    const res = await app.gql(admin, `{ tenants { slug activity { requests failedRequests errorRate lastRequestAt since } } }`, {});
    expect(res.body.errors).toBeUndefined();
    const bySlug = new Map(res.body.data.tenants.map((t: any) => [t.slug, t.activity]));
    const a = bySlug.get(busy.slug) as any;
    expect(a).toMatchObject({ requests: 4, failedRequests: 2, errorRate: 0.5 });
    expect(new Date(a.lastRequestAt).getTime()).toBeGreaterThan(new Date(a.since).getTime());
    expect(bySlug.get(quiet.slug)).toMatchObject({ requests: 0, failedRequests: 0, errorRate: null, lastRequestAt: null });

    const bad = await app.gql(admin, `query($t: String!) { tenant(slug: $t) { activity(hours: 0) { requests } } }`, { t: busy.slug });
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    // a key limited to the tenant (an auditor) reads it too, with its own window
    const scoped = await app.gql(await app.key('auditor', busy.id), `query($t: String!) { tenant(slug: $t) { activity(hours: 1) { requests lastRequestAt } } }`, { t: busy.slug });
    expect(scoped.body.data.tenant.activity.requests).toBe(4);
  });
});
