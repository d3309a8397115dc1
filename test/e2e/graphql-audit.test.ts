import { UnavailableError } from '../../src/domain/errors';
import { scim } from '../support/app';
import { codes, createGqlTestApp, GqlTestApp } from './graphql-helpers';

let app: GqlTestApp;
let admin: string;
let adminId: string;
let auditor: string;
beforeAll(async () => {
  app = await createGqlTestApp();
  const issued = await app.services.adminKeys.create({ role: 'admin' });
  admin = issued.key;
  adminId = issued.id;
  auditor = await app.key('auditor');
});
afterAll(async () => app.close());

const USER = (userName: string) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName });

const AUDIT = `query Audit($tenant: String!, $filter: AuditFilter, $first: Int, $after: String) {
  tenant(slug: $tenant) {
    auditEntries(filter: $filter, first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { cursor }
      nodes { id time actorKind connectionId tokenId adminKeyId idp method path operation filter status scimType latencyMs requestId resourceIds changedAttributes holdId }
    }
  }
}`;

type Entry = Record<string, any>;

/** Every matching audit entry through GraphQL, page by page. */
async function entries(tenant: string, filter: Record<string, unknown> = {}, first = 50): Promise<Entry[]> {
  await app.services.audit.drain(); // reads are audited right after their answer
  const out: Entry[] = [];
  let after: string | undefined;
  for (;;) {
    const res = await app.gql(auditor, AUDIT, { tenant, filter, first, after });
    expect(res.body.errors).toBeUndefined();
    const conn = res.body.data.tenant.auditEntries;
    out.push(...conn.nodes);
    if (!conn.pageInfo.hasNextPage) return out;
    after = conn.pageInfo.endCursor;
  }
}

describe('every admin mutation is recorded in the audit trail', () => {
  it('records each mutation kind with key id, operation, outcome, latency, request id and ids — never a secret', async () => {
    const created = await app.gql(admin, 'mutation { createTenant(input: { name: "Audited Co" }) { id slug } }');
    const tenant = created.body.data.createTenant;
    const slug: string = tenant.slug;
    await app.gql(admin, `mutation { updateTenant(tenant: "${slug}", input: { name: "Audited Company" }) { id } }`);
    const conn = (await app.gql(admin, `mutation { createScimConnection(tenant: "${slug}", idp: OKTA) { token connection { id } tokenInfo { id } } }`)).body.data.createScimConnection;
    const rotated = (await app.gql(admin, `mutation { rotateToken(tenant: "${slug}", id: "${conn.tokenInfo.id}", overlapMinutes: 5) { token info { id } } }`)).body.data.rotateToken;
    await app.gql(admin, `mutation { revokeToken(tenant: "${slug}", id: "${conn.tokenInfo.id}") { id } }`);
    const client = scim(app, rotated.token);
    const userId = (await client.post(`/scim/v2/${slug}/Users`, USER('audited@example.com'))).body.id;
    await client.delete(`/scim/v2/${slug}/Users/${userId}`);
    await app.gql(admin, `mutation { restoreUser(tenant: "${slug}", id: "${userId}") { id } }`);
    await client.delete(`/scim/v2/${slug}/Users/${userId}`);
    await app.gql(admin, `mutation { purgeUser(tenant: "${slug}", id: "${userId}") }`);

    const admins = await entries(slug, { actorKind: 'ADMIN' }, 3);
    expect(admins.map((e) => e.operation).reverse()).toEqual([
      'Admin.createTenant',
      'Admin.updateTenant',
      'Admin.createScimConnection',
      'Admin.rotateToken',
      'Admin.revokeToken',
      'Admin.restoreUser',
      'Admin.purgeUser',
    ]);
    for (const e of admins) {
      expect(e).toMatchObject({ actorKind: 'ADMIN', adminKeyId: adminId, method: 'POST', path: '/graphql', status: 200, scimType: null, connectionId: null });
      expect(e.latencyMs).toBeGreaterThan(0);
      expect(e.requestId).toMatch(/\S/);
    }
    const by = (op: string) => admins.find((e) => e.operation === op)!;
    expect(by('Admin.createTenant').resourceIds).toEqual([tenant.id]);
    expect(by('Admin.updateTenant').changedAttributes).toEqual(['name']);
    expect(by('Admin.createScimConnection').resourceIds).toEqual(expect.arrayContaining([conn.connection.id, conn.tokenInfo.id]));
    expect(by('Admin.rotateToken').resourceIds).toEqual(expect.arrayContaining([conn.tokenInfo.id, rotated.info.id]));
    expect(by('Admin.revokeToken').resourceIds).toEqual([conn.tokenInfo.id]);
    expect(by('Admin.restoreUser').resourceIds).toEqual([userId]);
    expect(by('Admin.purgeUser').resourceIds).toEqual([userId]);
    // the resource filter finds the user's whole story: SCIM requests and admin mutations
    expect((await entries(slug, { resourceId: userId })).map((e) => e.operation).reverse()).toEqual([
      'User.create',
      'User.delete',
      'Admin.restoreUser',
      'User.delete',
      'Admin.purgeUser',
    ]);
    const everything = JSON.stringify(await entries(slug));
    for (const secret of [conn.token, rotated.token, admin]) expect(everything).not.toContain(secret);
  });

  it('records failing and refused mutations with their status and code', async () => {
    const t = await app.tenant('Failing Co');
    const client = scim(app, t.token);
    const live = (await client.post(`${t.base}/Users`, USER('live@example.com'))).body.id;
    expect(codes(await app.gql(admin, `mutation { purgeUser(tenant: "${t.slug}", id: "${live}") }`))).toEqual(['CONFLICT']);
    expect(codes(await app.gql(admin, `mutation { restoreUser(tenant: "${t.slug}", id: "00000000-0000-7000-8000-000000000001") { id } }`))).toEqual(['NOT_FOUND']);
    expect(codes(await app.gql(auditor, `mutation { updateTenant(tenant: "${t.slug}", input: { name: "Hijack" }) { id } }`))).toEqual(['FORBIDDEN']);
    expect(codes(await app.gql(admin, `mutation { updateTenant(tenant: "${t.id}", input: { name: "" }) { id } }`))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await app.gql(admin, `mutation { releaseHold(tenant: "${t.slug}", id: "nope") { id } }`))).toEqual(['NOT_FOUND']);

    const failures = await entries(t.slug, { outcome: 'FAILURE' });
    expect(failures.map((e) => [e.operation, e.status, e.scimType]).reverse()).toEqual([
      ['Admin.purgeUser', 409, 'CONFLICT'],
      ['Admin.restoreUser', 404, 'NOT_FOUND'],
      ['Admin.updateTenant', 403, 'FORBIDDEN'],
      ['Admin.updateTenant', 400, 'BAD_USER_INPUT'],
      ['Admin.releaseHold', 404, 'NOT_FOUND'],
    ]);
    expect(failures[2].adminKeyId).not.toBe(adminId); // the auditor's key
    expect((await app.services.tenants.get(t.slug)).name).toBe('Failing Co');
    // several mutations in one operation: one entry each, in order
    const two = await app.gql(admin, `mutation { a: updateTenant(tenant: "${t.slug}", input: { name: "One" }) { id } b: revokeToken(tenant: "${t.slug}", id: "${t.tokenId}") { id } }`);
    expect(two.body.errors).toBeUndefined();
    const latest = (await entries(t.slug, { actorKind: 'ADMIN' })).slice(0, 2);
    expect(latest.map((e) => e.operation)).toEqual(['Admin.revokeToken', 'Admin.updateTenant']);
    expect(latest[0].requestId).toBe(latest[1].requestId);
  });
});

describe('Tenant.auditEntries', () => {
  it('pages newest first, every entry exactly once, with filters; a scoped key sees its tenant only', async () => {
    const t = await app.tenant('Trail Co');
    const client = scim(app, t.token);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await client.post(`${t.base}/Users`, USER(`trail${i}@example.com`))).body.id);
    await client.get(`${t.base}/Users?filter=${encodeURIComponent('userName sw "trail"')}`);
    expect((await client.get(`${t.base}/Users/00000000-0000-7000-8000-000000000009`)).status).toBe(404);

    const all = await entries(t.slug);
    for (const size of [1, 3, 50]) expect((await entries(t.slug, {}, size)).map((e) => e.id)).toEqual(all.map((e) => e.id));
    expect(all).toHaveLength(9);
    expect([...all].sort((a, b) => (a.id < b.id ? 1 : -1))).toEqual(all); // newest first
    expect(all.every((e) => e.actorKind === 'SCIM' && e.connectionId === t.connectionId && e.tokenId === t.tokenId)).toBe(true);

    expect((await entries(t.slug, { operation: 'User.create' })).map((e) => e.resourceIds[0]).reverse()).toEqual(ids);
    const failed = await entries(t.slug, { outcome: 'FAILURE' });
    expect(failed.map((e) => [e.operation, e.status])).toEqual([['User.get', 404]]);
    expect((await entries(t.slug, { resourceId: ids[3] })).map((e) => e.operation)).toEqual(['User.create']);
    expect((await entries(t.slug, { actorId: t.connectionId }))).toHaveLength(9);
    expect((await entries(t.slug, { actorId: t.tokenId }))).toHaveLength(9);
    expect((await entries(t.slug, { actorKind: 'ADMIN' }))).toHaveLength(0);
    const search = all.find((e) => e.operation === 'User.list' || e.operation === 'User.search');
    expect(search?.filter).toBe('userName sw "trail"');
    const mid = all[4].time;
    expect((await entries(t.slug, { from: mid })).every((e) => e.time >= mid)).toBe(true);
    expect((await entries(t.slug, { to: mid })).every((e) => e.time < mid)).toBe(true);
    expect((await entries(t.slug, { from: '2000-01-01T00:00:00Z', to: '2000-01-02T00:00:00Z' }))).toEqual([]);

    const bad = await app.gql(auditor, AUDIT, { tenant: t.slug, after: 'not-a-cursor' });
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    const other = await app.tenant('Trail Other');
    const scoped = await app.key('auditor', other.slug);
    expect(codes(await app.gql(scoped, AUDIT, { tenant: t.slug }))).toEqual(['NOT_FOUND']); // another tenant reads as none (no existence oracle)
  });
});

describe('stats from the audit trail', () => {
  it('requestsByOutcome counts per tenant, connection and outcome in a window; lastRequest per connection', async () => {
    const t = await app.tenant('Outcome Co');
    const second = (await app.services.connections.createConnection(t.id, { idp: 'entra' })).connection.id;
    const client = scim(app, t.token);
    const since = new Date(Date.now() - 1000).toISOString();
    for (let i = 0; i < 3; i++) await client.post(`${t.base}/Users`, USER(`o${i}@example.com`));
    expect((await client.post(`${t.base}/Users`, USER('o0@example.com'))).status).toBe(409);
    expect((await client.get(`${t.base}/Users/00000000-0000-7000-8000-000000000009`)).status).toBe(404);
    await app.gql(admin, `mutation { updateTenant(tenant: "${t.slug}", input: { name: "Outcome Company" }) { id } }`);
    await app.services.audit.drain();

    const q = `query($s: DateTime, $u: DateTime) {
      stats(tenant: "${t.slug}") { requestsByOutcome(since: $s, until: $u) { tenantId actorKind connectionId statusClass scimType count }
                                   connections { id lastRequest { time operation status scimType } lastRequestAt } }
    }`;
    const res = await app.gql(auditor, q, { s: since, u: new Date(Date.now() + 1000).toISOString() });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.stats.requestsByOutcome).toEqual([
      { tenantId: t.id, actorKind: 'SCIM', connectionId: t.connectionId, statusClass: '2xx', scimType: null, count: 3 },
      { tenantId: t.id, actorKind: 'SCIM', connectionId: t.connectionId, statusClass: '4xx', scimType: null, count: 1 },
      { tenantId: t.id, actorKind: 'SCIM', connectionId: t.connectionId, statusClass: '4xx', scimType: 'uniqueness', count: 1 },
      { tenantId: t.id, actorKind: 'ADMIN', connectionId: null, statusClass: '2xx', scimType: null, count: 1 },
    ].sort((a, b) => (a.actorKind === b.actorKind ? 0 : a.actorKind === 'ADMIN' ? -1 : 1)));
    const conns = res.body.data.stats.connections;
    const first = conns.find((c: any) => c.id === t.connectionId);
    expect(first.lastRequest).toMatchObject({ operation: 'User.get', status: 404 });
    expect(conns.find((c: any) => c.id === second).lastRequest).toBeNull();

    // an empty window counts nothing; a reversed one is refused
    const empty = await app.gql(auditor, q, { s: '2000-01-01T00:00:00Z', u: '2000-01-02T00:00:00Z' });
    expect(empty.body.data.stats.requestsByOutcome).toEqual([]);
    expect(codes(await app.gql(auditor, q, { s: '2000-01-02T00:00:00Z', u: '2000-01-01T00:00:00Z' }))).toEqual(['BAD_USER_INPUT']);
    // across tenants (an unscoped key): this tenant's rows are among them
    const global = await app.gql(auditor, '{ stats { requestsByOutcome { tenantId count } } }');
    expect(global.body.data.stats.requestsByOutcome.filter((r: any) => r.tenantId === t.id).reduce((n: number, r: any) => n + r.count, 0)).toBe(6);
  });
});

describe('admin mutation audit rows stay in tenants the key may see (review finding 5)', () => {
  it("a key limited to tenant A naming tenant B is refused, and recorded in A's trail, never in B's", async () => {
    const a = await app.tenant('Scoped Home');
    const b = await app.tenant('Scoped Victim');
    const issued = await app.services.adminKeys.create({ role: 'admin', tenant: a.slug });
    // refused as NOT_FOUND, the answer for a tenant that does not exist (no existence oracle)
    expect(codes(await app.gql(issued.key, `mutation { updateTenant(tenant: "${b.slug}", input: { name: "Hijack" }) { id } }`))).toEqual(['NOT_FOUND']);
    expect(codes(await app.gql(issued.key, `mutation { revokeToken(tenant: "${b.id}", id: "${b.tokenId}") { id } }`))).toEqual(['NOT_FOUND']);
    const inB = (await entries(b.slug, { actorKind: 'ADMIN' })).filter((e) => e.adminKeyId === issued.id);
    expect(inB).toEqual([]);
    const inA = (await entries(a.slug, { actorKind: 'ADMIN' })).filter((e) => e.adminKeyId === issued.id);
    expect(inA.map((e) => [e.operation, e.status, e.scimType]).reverse()).toEqual([
      ['Admin.updateTenant', 404, 'NOT_FOUND'],
      ['Admin.revokeToken', 404, 'NOT_FOUND'],
    ]);
    expect((await app.services.tenants.get(b.slug)).name).toBe('Scoped Victim');
  });
});

describe('purgeUser reaches the audit trail (review finding 6)', () => {
  it("blanks the tenant's recorded filters that name the user's userName, externalId or email, and no others", async () => {
    const t = await app.tenant('Erasure Co');
    const client = scim(app, t.token);
    const alice = { ...USER('Alice@Corp.example'), externalId: 'ext-4711', emails: [{ value: 'a.private@mail.example', type: 'home' }] };
    const id = (await client.post(`${t.base}/Users`, alice).expect(201)).body.id;
    await client.post(`${t.base}/Users`, USER('bob@corp.example')).expect(201);
    const q = (filter: string) => client.get(`${t.base}/Users?filter=${encodeURIComponent(filter)}`).expect(200);
    await q('userName eq "alice@corp.example"'); // other case: RFC 7643 userName is case-insensitive
    await q('externalId eq "ext-4711"');
    await q('emails[value eq "A.Private@mail.example"]');
    await q('userName eq "bob@corp.example"');
    await client.delete(`${t.base}/Users/${id}`).expect(204);
    const other = await app.tenant('Erasure Neighbour');
    await scim(app, other.token).get(`${other.base}/Users?filter=${encodeURIComponent('userName eq "alice@corp.example"')}`).expect(200);

    await app.services.audit.drain(); // the reads' entries are stored before the purge
    const purged = await app.gql(admin, `mutation { purgeUser(tenant: "${t.slug}", id: "${id}") }`);
    expect(purged.body.errors).toBeUndefined();
    const filters = (await entries(t.slug, { operation: 'User.list' })).map((e) => e.filter).reverse();
    expect(filters).toEqual(['[redacted]', '[redacted]', '[redacted]', 'userName eq "bob@corp.example"']);
    // another tenant's trail is not this purge's business
    expect((await entries(other.slug)).map((e) => e.filter)).toContain('userName eq "alice@corp.example"');
  });
});

describe('admin mutations answered SERVICE_UNAVAILABLE (review finding 13)', () => {
  it('are audited with status 503, not 500', async () => {
    const t = await app.tenant('Busy Admin');
    const update = app.services.tenants.update;
    // what retryTransaction throws once every attempt deadlocked
    app.services.tenants.update = async () => {
      throw new UnavailableError('the write conflicted with concurrent writes 5 times', 1);
    };
    try {
      expect(codes(await app.gql(admin, `mutation { updateTenant(tenant: "${t.slug}", input: { name: "Later" }) { id } }`))).toEqual(['SERVICE_UNAVAILABLE']);
    } finally {
      app.services.tenants.update = update;
    }
    const [entry] = await entries(t.slug, { operation: 'Admin.updateTenant' });
    expect([entry.status, entry.scimType]).toEqual([503, 'SERVICE_UNAVAILABLE']);
  });
});
