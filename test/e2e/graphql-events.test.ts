import request from 'supertest';
import { scim } from '../support/app';
import { codes, createGqlTestApp, GqlTestApp } from './graphql-helpers';

let app: GqlTestApp;
let admin: string;
let auditor: string;
beforeAll(async () => {
  app = await createGqlTestApp(); // default guard: more than 20% of active users, at least 10, within 10 minutes
  admin = await app.key('admin');
  auditor = await app.key('auditor');
});
afterAll(async () => app.close());

const USER = (userName: string) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, name: { givenName: 'G', familyName: 'F' } });
const GROUP = (displayName: string, members: string[] = []) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
  displayName,
  members: members.map((value) => ({ value })),
});

const EVENTS = `query Events($tenant: String!, $after: String, $types: [String!], $first: Int) {
  events(tenant: $tenant, after: $after, types: $types, first: $first) {
    endCursor hasNextPage
    nodes { id type subject sequence time source data envelope }
  }
}`;

type EventNode = { id: string; type: string; subject: string; sequence: number; time: string; source: string; data: any; envelope: any };

/** Every visible event of a tenant through GraphQL, page by page from `after`. */
async function gqlEvents(key: string, tenant: string, first = 3, after?: string): Promise<{ nodes: EventNode[]; cursor: string }> {
  const nodes: EventNode[] = [];
  let cursor = after;
  for (;;) {
    const res = await app.gql(key, EVENTS, { tenant, after: cursor, first });
    expect(res.body.errors).toBeUndefined();
    const page = res.body.data.events;
    nodes.push(...page.nodes);
    cursor = page.endCursor;
    if (!page.hasNextPage) return { nodes, cursor: cursor! };
  }
}

/** Every visible event of a tenant through GET /events, following `next`. */
async function feedEvents(key: string, tenant: string, after = '0', limit = 4): Promise<{ events: any[]; next: string }> {
  const events: any[] = [];
  let next = after;
  for (;;) {
    const res = await request(app.server).get(`/events?tenant=${tenant}&after=${next}&limit=${limit}`).set('Authorization', `Bearer ${key}`);
    expect(res.status).toBe(200);
    events.push(...res.body.events);
    next = res.body.next;
    if (res.body.events.length < limit) return { events, next };
  }
}

const short = (e: { type: string }) => e.type.replace('com.provisio.', '');

describe('GraphQL events(tenant, after, types, first)', () => {
  it('pages through the CloudEvents of SCIM changes in sequence order, each exactly once, with typed fields', async () => {
    const t = await app.tenant('Events Co', 'generic', { deletePolicy: 'delete' });
    const client = scim(app, t.token);
    const a = (await client.post(`${t.base}/Users`, USER('a@example.com'))).body.id;
    const b = (await client.post(`${t.base}/Users`, USER('b@example.com'))).body.id;
    await client.patch(`${t.base}/Users/${a}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'displayName', value: 'Ann' }] });
    const g = (await client.post(`${t.base}/Groups`, GROUP('Team', [a, b]))).body.id;
    await client.delete(`${t.base}/Users/${b}`);

    const { nodes, cursor } = await gqlEvents(auditor, t.slug, 2);
    expect(nodes.map((e) => [short(e), e.subject])).toEqual([
      ['user.created', a],
      ['user.created', b],
      ['user.updated', a],
      ['group.created', g],
      ['group.members_added', g],
      ['group.members_removed', g],
      ['user.deleted', b],
    ]);
    const seqs = nodes.map((e) => e.sequence);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    expect(new Set(nodes.map((e) => e.id)).size).toBe(nodes.length);
    for (const e of nodes) {
      // the typed fields are the envelope's
      expect(e.envelope).toMatchObject({ specversion: '1.0', id: e.id, type: e.type, subject: e.subject, sequence: e.sequence, source: `/tenants/${t.slug}` });
      expect(new Date(e.time).toISOString()).toBe(e.envelope.time);
      expect(e.data).toEqual(e.envelope.data);
    }
    expect(nodes[2].data.changes).toEqual([expect.objectContaining({ attribute: 'displayName', new: 'Ann' })]);
    expect(nodes[4].data.members.sort()).toEqual([a, b].sort());

    // polling from the last cursor: nothing new, the cursor stays; a new change shows up once
    const idle = await app.gql(admin, EVENTS, { tenant: t.slug, after: cursor });
    expect(idle.body.data.events).toEqual({ endCursor: cursor, hasNextPage: false, nodes: [] });
    await client.post(`${t.base}/Users`, USER('c@example.com'));
    const more = await gqlEvents(admin, t.id, 10, cursor);
    expect(more.nodes.map(short)).toEqual(['user.created']);
    expect(more.nodes[0].sequence).toBeGreaterThan(seqs[seqs.length - 1]);

    // types filter: short or CloudEvents names
    const typed = await app.gql(admin, EVENTS, { tenant: t.slug, types: ['user.deleted', 'com.provisio.group.created'] });
    expect(typed.body.data.events.nodes.map((e: EventNode) => [short(e), e.subject])).toEqual([
      ['group.created', g],
      ['user.deleted', b],
    ]);
  });

  it('refuses bad input and keeps keys to their tenant', async () => {
    const t = await app.tenant('Scoped Events');
    const other = await app.tenant('Other Events');
    expect(codes(await app.gql(admin, EVENTS, { tenant: t.slug, after: 'garbage' }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await app.gql(admin, EVENTS, { tenant: t.slug, types: ['user.exploded'] }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await app.gql(admin, EVENTS, { tenant: t.slug, first: 1001 }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await app.gql(admin, EVENTS, { tenant: t.slug, first: -1 }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await app.gql(admin, EVENTS, { tenant: 'no-such-tenant' }))).toEqual(['NOT_FOUND']);
    const scoped = await app.key('auditor', t.slug);
    expect(codes(await app.gql(scoped, EVENTS, { tenant: other.slug }))).toEqual(['FORBIDDEN']);
    expect((await app.gql(scoped, EVENTS, { tenant: t.slug })).body.errors).toBeUndefined();
    expect((await app.gql(undefined, EVENTS, { tenant: t.slug })).status).toBe(401);
  });
});

describe('GET /events (HTTP feed, admin key)', () => {
  it('answers the same CloudEvents as GraphQL, paged with next', async () => {
    const t = await app.tenant('Feed Co');
    const client = scim(app, t.token);
    for (let i = 0; i < 6; i++) await client.post(`${t.base}/Users`, USER(`feed${i}@example.com`));
    const feed = await feedEvents(auditor, t.slug, '0', 4);
    const graph = await gqlEvents(auditor, t.slug, 100);
    expect(feed.events).toEqual(graph.nodes.map((e) => e.envelope));
    expect(feed.events).toHaveLength(6);
    expect(feed.next).toBe(String(feed.events[5].sequence));

    // types and after filter as documented
    const res = await request(app.server).get(`/events?tenant=${t.slug}&after=${feed.events[3].sequence}&types=user.created`).set('Authorization', `Bearer ${admin}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body.events.map((e: any) => e.id)).toEqual(feed.events.slice(4).map((e) => e.id));

    // a tenant-scoped key may omit tenant: its own
    const scoped = await app.key('auditor', t.slug);
    const own = await request(app.server).get('/events').set('Authorization', `Bearer ${scoped}`);
    expect(own.body.events).toHaveLength(6);
  });

  it('answers the CloudEvents batch format on request, and long-polls with wait', async () => {
    const t = await app.tenant('Feed Batch');
    const client = scim(app, t.token);
    const id = (await client.post(`${t.base}/Users`, USER('batch@example.com'))).body.id;
    const batch = await request(app.server)
      .get(`/events?tenant=${t.slug}`)
      .set('Authorization', `Bearer ${admin}`)
      .set('Accept', 'application/cloudevents-batch+json')
      .buffer(true)
      .parse((res, cb) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.on('end', () => cb(null, text));
      });
    expect(batch.status).toBe(200);
    expect(batch.headers['content-type']).toMatch(/^application\/cloudevents-batch\+json/);
    const events = JSON.parse(batch.body as string);
    expect(events.map((e: any) => [e.type, e.subject])).toEqual([['com.provisio.user.created', id]]);
    expect(batch.headers['x-next-after']).toBe(String(events[0].sequence));

    // long poll: an empty page waits for the next commit (here: a user created while the request waits)
    const next = batch.headers['x-next-after'];
    const polling = request(app.server).get(`/events?tenant=${t.slug}&after=${next}&wait=20`).set('Authorization', `Bearer ${admin}`).then((r) => r);
    await new Promise((r) => setTimeout(r, 300));
    const later = (await client.post(`${t.base}/Users`, USER('later@example.com'))).body.id;
    const polled = await polling;
    expect(polled.status).toBe(200);
    expect(polled.body.events.map((e: any) => e.subject)).toEqual([later]);
    // nothing comes: answered empty, with the same cursor
    const started = Date.now();
    const idle = await request(app.server).get(`/events?tenant=${t.slug}&after=${polled.body.next}&wait=1`).set('Authorization', `Bearer ${admin}`);
    expect(idle.body).toEqual({ events: [], next: polled.body.next });
    expect(Date.now() - started).toBeGreaterThanOrEqual(750); // it did wait (for the window, less one poll interval), not a speed threshold
    expect((await request(app.server).get(`/events?tenant=${t.slug}&wait=31`).set('Authorization', `Bearer ${admin}`)).status).toBe(400);
  });

  it('401 without a valid key, 403 for another tenant, 404 for an unknown one, 400 for bad parameters', async () => {
    const t = await app.tenant('Feed Auth');
    const other = await app.tenant('Feed Other');
    const get = (url: string, key?: string) => {
      const r = request(app.server).get(url);
      return key ? r.set('Authorization', `Bearer ${key}`) : r;
    };
    const none = await get(`/events?tenant=${t.slug}`);
    expect(none.status).toBe(401);
    expect(none.body.error).toBe('unauthenticated');
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    expect((await get(`/events?tenant=${t.slug}`, 'pra_not-a-key')).status).toBe(401);
    expect((await get(`/events?tenant=${t.slug}`, t.token)).status).toBe(401); // a SCIM token is no admin key
    const scoped = await app.key('admin', t.slug);
    const forbidden = await get(`/events?tenant=${other.slug}`, scoped);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ error: 'forbidden' });
    expect((await get('/events?tenant=nope', admin)).status).toBe(404);
    expect((await get('/events', admin)).status).toBe(400); // an unscoped key must name the tenant
    for (const bad of ['after=-1', 'after=abc', 'types=user.nope', 'limit=x', 'after=1&after=2']) {
      const res = await get(`/events?tenant=${t.slug}&${bad}`, admin);
      expect([bad, res.status]).toEqual([bad, 400]);
      expect(typeof res.body.message).toBe('string');
    }
  });
});

describe('mass-deprovisioning guard through GraphQL', () => {
  const HOLDS = `query Holds($tenant: String!, $state: HoldState) {
    tenant(slug: $tenant) { eventHolds(state: $state) { id state connectionId reason events createdAt resolvedAt resolvedBy } stats { events { heldEvents openHolds } } }
  }`;

  /** A tenant with `n` users created over SCIM, then `k` of them deleted over SCIM (the guard trips at the 10th). */
  async function tripGuard(name: string, n: number, k: number) {
    const t = await app.tenant(name, 'generic', { deletePolicy: 'delete' });
    const client = scim(app, t.token);
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((await client.post(`${t.base}/Users`, USER(`${name.replace(/\W/g, '')}${i}@example.com`))).body.id);
    const { cursor } = await gqlEvents(admin, t.slug, 100);
    for (const id of ids.slice(0, k)) expect((await client.delete(`${t.base}/Users/${id}`)).status).toBe(204); // the IdP still gets its 2xx
    return { t, ids, cursor };
  }

  it('holds deletes past the threshold; released events then appear in order, after what was already read', async () => {
    const { t, ids, cursor } = await tripGuard('Guard Release', 12, 11);
    // the first 9 deletes are under the minimum count: published; the 10th and 11th are held
    const before = await gqlEvents(admin, t.slug, 5, cursor);
    expect(before.nodes.map((e) => [short(e), e.subject])).toEqual(ids.slice(0, 9).map((id) => ['user.deleted', id]));

    const holds = await app.gql(auditor, HOLDS, { tenant: t.slug, state: 'OPEN' });
    expect(holds.body.errors).toBeUndefined();
    const [hold] = holds.body.data.tenant.eventHolds;
    expect(hold).toMatchObject({ state: 'OPEN', connectionId: t.connectionId, events: 2, resolvedAt: null });
    expect(hold.reason).toMatch(/10 of 12/);
    expect(holds.body.data.tenant.stats.events).toEqual({ heldEvents: 2, openHolds: 1 });
    const global = await app.gql(admin, '{ stats { events { heldEvents openHolds } } }');
    expect(global.body.data.stats.events.openHolds).toBeGreaterThanOrEqual(1);

    // an auditor may not release; an unknown hold is NOT_FOUND
    expect(codes(await app.gql(auditor, `mutation { releaseHold(tenant: "${t.slug}", id: "${hold.id}") { id } }`))).toEqual(['FORBIDDEN']);
    expect(codes(await app.gql(admin, `mutation { releaseHold(tenant: "${t.slug}", id: "00000000-0000-7000-8000-000000000000") { id } }`))).toEqual(['NOT_FOUND']);
    const other = await app.tenant('Guard Elsewhere');
    expect(codes(await app.gql(admin, `mutation { releaseHold(tenant: "${other.slug}", id: "${hold.id}") { id } }`))).toEqual(['NOT_FOUND']);

    const released = await app.gql(admin, `mutation { releaseHold(tenant: "${t.slug}", id: "${hold.id}") { id state resolvedBy resolvedAt events } }`);
    expect(released.body.errors).toBeUndefined();
    expect(released.body.data.releaseHold).toMatchObject({ id: hold.id, state: 'RELEASED', events: 2 });
    expect(released.body.data.releaseHold.resolvedAt).not.toBeNull();

    // a poller that stopped at before.cursor gets exactly the released events, in their original order
    const after = await gqlEvents(admin, t.slug, 5, before.cursor);
    expect(after.nodes.map((e) => [short(e), e.subject])).toEqual([
      ['user.deleted', ids[9]],
      ['user.deleted', ids[10]],
    ]);
    expect(after.nodes[0].sequence).toBeGreaterThan(before.nodes[8].sequence);
    const http = await feedEvents(admin, t.slug, String(before.nodes[8].sequence));
    expect(http.events.map((e) => e.subject)).toEqual([ids[9], ids[10]]);

    const now = await app.gql(admin, HOLDS, { tenant: t.slug });
    expect(now.body.data.tenant.eventHolds.map((h: any) => h.state)).toEqual(['RELEASED']);
    expect(now.body.data.tenant.stats.events).toEqual({ heldEvents: 0, openHolds: 0 });
    expect(codes(await app.gql(admin, `mutation { releaseHold(tenant: "${t.slug}", id: "${hold.id}") { id } }`))).toEqual(['NOT_FOUND']); // resolved already

    // the audit trail shows the held SCIM requests and the release
    await app.services.audit.drain();
    const trail = await app.gql(auditor, `{ tenant(slug: "${t.slug}") { auditEntries(filter: { resourceId: "${hold.id}" }) { nodes { operation status holdId resourceIds } } } }`);
    expect(trail.body.data.tenant.auditEntries.nodes.map((e: any) => e.operation)).toEqual(['Admin.releaseHold', 'Admin.releaseHold', 'Admin.releaseHold']);
    // newest first: the retry on the resolved hold, the release, the auditor's refused attempt
    expect(trail.body.data.tenant.auditEntries.nodes.map((e: any) => e.status)).toEqual([404, 200, 403]);
    const held = await app.gql(auditor, `{ tenant(slug: "${t.slug}") { auditEntries(filter: { operation: "User.delete" }) { nodes { resourceIds holdId } } } }`);
    const holdOf = new Map(held.body.data.tenant.auditEntries.nodes.map((e: any) => [e.resourceIds[0], e.holdId]));
    expect([holdOf.get(ids[8]), holdOf.get(ids[9]), holdOf.get(ids[10])]).toEqual([null, hold.id, hold.id]);
  });

  it('a discarded hold never becomes visible', async () => {
    const { t, ids, cursor } = await tripGuard('Guard Discard', 12, 10);
    const [hold] = (await app.gql(admin, HOLDS, { tenant: t.slug, state: 'OPEN' })).body.data.tenant.eventHolds;
    expect(hold.events).toBe(1);
    const discarded = await app.gql(admin, `mutation { discardHold(tenant: "${t.slug}", id: "${hold.id}") { state } }`);
    expect(discarded.body.data.discardHold.state).toBe('DISCARDED');
    const { nodes } = await gqlEvents(admin, t.slug, 100, cursor);
    expect(nodes.map((e) => e.subject)).toEqual(ids.slice(0, 9));
    const deletes = (await feedEvents(admin, t.slug)).events.filter((e) => short(e) === 'user.deleted');
    expect(deletes.map((e) => e.subject)).toEqual(ids.slice(0, 9));
    expect((await app.gql(admin, HOLDS, { tenant: t.slug, state: 'DISCARDED' })).body.data.tenant.eventHolds.map((h: any) => h.id)).toEqual([hold.id]);
  });
});

describe('restoreUser and purgeUser write events in their transaction', () => {
  it('restoreUser -> user.restored; purgeUser -> user.purged, and the user’s personal data leaves the retained events', async () => {
    const t = await app.tenant('Erasure Co', 'generic', { deletePolicy: 'delete' });
    const client = scim(app, t.token);
    const id = (await client.post(`${t.base}/Users`, USER('erase.me@example.com'))).body.id;
    const keep = (await client.post(`${t.base}/Users`, USER('keep.me@example.com'))).body.id;
    await client.delete(`${t.base}/Users/${id}`);
    const { cursor } = await gqlEvents(admin, t.slug, 100);

    const restored = await app.gql(admin, `mutation { restoreUser(tenant: "${t.slug}", id: "${id}") { id } }`);
    expect(restored.body.errors).toBeUndefined();
    const afterRestore = await gqlEvents(admin, t.slug, 100, cursor);
    expect(afterRestore.nodes.map((e) => [short(e), e.subject])).toEqual([['user.restored', id]]);
    expect(afterRestore.nodes[0].data).toMatchObject({ id, userName: 'erase.me@example.com' });

    await client.delete(`${t.base}/Users/${id}`);
    const purged = await app.gql(admin, `mutation { purgeUser(tenant: "${t.slug}", id: "${id}") }`);
    expect(purged.body.errors).toBeUndefined();
    const all = (await gqlEvents(admin, t.slug, 100)).nodes;
    const mine = all.filter((e) => e.subject === id);
    expect(mine.map(short)).toEqual(['user.created', 'user.deleted', 'user.restored', 'user.deleted', 'user.purged']);
    expect(mine[4].data).toEqual({ resourceType: 'User', id, version: expect.any(Number) });
    // every earlier event of the user keeps only what identifies the change
    for (const e of mine.slice(0, 4)) expect(e.data).toEqual({ resourceType: 'User', id, version: expect.any(Number), redacted: true });
    expect(JSON.stringify(all)).not.toContain('erase.me');
    // other users' events are untouched
    expect(all.find((e) => e.subject === keep)!.data.userName).toBe('keep.me@example.com');

    // a failing purge (live user) writes no event
    const live = (await client.post(`${t.base}/Users`, USER('alive@example.com'))).body.id;
    const { cursor: c2 } = await gqlEvents(admin, t.slug, 100);
    expect(codes(await app.gql(admin, `mutation { purgeUser(tenant: "${t.slug}", id: "${live}") }`))).toEqual(['CONFLICT']);
    expect((await gqlEvents(admin, t.slug, 100, c2)).nodes).toEqual([]);
  });
});
