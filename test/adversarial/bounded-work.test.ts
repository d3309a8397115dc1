import request from 'supertest';
import { configureInputLimits, DEFAULT_INPUT_LIMITS, inputLimits } from '../../src/domain/limits';
import { applyPatch } from '../../src/domain/patch/patch';
import { userResourceType } from '../../src/domain/schema/core-schemas';
import { createGqlTestApp, GqlTestApp } from '../e2e/graphql-helpers';
import { scim } from '../support/app';
import { BULK, expectScimError, PATCH_OP, raw, snapshot, type Tenant, USER } from './helpers';

/**
 * Issue 13 item 1: every algorithm on a request body is linear (or n log n) in its size, caps
 * (values per multi-valued attribute, unknown keys, PATCH steps) refuse before the work, and
 * /healthz keeps answering while the heaviest accepted request of each kind runs.
 */
let app: GqlTestApp;
let a: Tenant;
let b: Tenant;
let adminKey: string;
let userId: string;

const emails = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ value: `e${from + i}@example.com`, type: i % 2 ? 'work' : 'home' }));

beforeAll(async () => {
  app = await createGqlTestApp();
  a = await app.tenant('Bounded A');
  b = await app.tenant('Bounded B');
  adminKey = await app.key('admin');
  const res = await scim(app, a.token).post(`${a.base}/Users`, { schemas: [USER], userName: 'big@example.com', emails: emails(inputLimits.maxValues) });
  expect(res.status).toBe(201);
  userId = res.body.id;
});
afterAll(async () => app.close());

/** Median wall time of `runs` calls of fn, in ms. */
function timeOf(fn: () => void, runs = 3): number {
  const times = Array.from({ length: runs }, () => {
    const t = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - t) / 1e6;
  }).sort((x, y) => x - y);
  return times[Math.floor(runs / 2)];
}

describe('event-loop lag', () => {
  it('/metrics exposes the event-loop lag (prom-client monitorEventLoopDelay)', async () => {
    const res = await request(app.server).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(res.text).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
  });

  it('/healthz stays responsive while the heaviest accepted request of each kind runs (ratio to idle /healthz)', async () => {
    const healthz = async () => {
      const t = process.hrtime.bigint();
      const res = await request(app.server).get('/healthz');
      expect(res.status).toBe(200);
      return Number(process.hrtime.bigint() - t) / 1e6;
    };
    const cap = inputLimits.maxValues;
    const api = scim(app, a.token);
    const filter = `not (${Array.from({ length: 32 }, (_, i) => `emails[type co "h" and value co "e${i}"]`).join(' or ')})`;
    // the heaviest accepted request of each kind (scale 1); at a small scale first, so that the
    // measured run pays for no first use (module loading, plan caching) the idle probes did not
    const heavy = (scale: number, tag: string) => [
      // PATCH: the cap in emails replaced, then every document step the cap allows on that list
      api.patch(`${a.base}/Users/${userId}`, {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'replace', path: 'emails', value: emails(cap, 5000) },
          ...Array.from({ length: Math.ceil(inputLimits.maxPatchOperations * scale) - 1 }, (_, i) => ({ op: 'replace', path: `emails[value eq "e${5000 + (i % cap)}@example.com"].display`, value: `d${tag}${i}` })),
        ],
      }),
      // create: every multi-valued attribute at its cap, the unknown keys at theirs
      api.post(`${a.base}/Users`, {
        schemas: [USER],
        userName: `heavy-${tag}@example.com`,
        emails: emails(Math.ceil(cap * scale)),
        phoneNumbers: Array.from({ length: Math.ceil(cap * scale) }, (_, i) => ({ value: `+1 555 ${i}` })),
        entitlements: Array.from({ length: Math.ceil(cap * scale) }, (_, i) => ({ value: `ent${i}` })),
        roles: Array.from({ length: Math.ceil(cap * scale) }, (_, i) => ({ value: `role${i}` })),
        ...Object.fromEntries(Array.from({ length: Math.ceil((inputLimits.maxUnknownKeys - 2) * scale) }, (_, i) => [`x${i}`, i])),
      }),
      // filter: the most clauses a filter may have, over a user at the cap
      api.get(`${a.base}/Users?filter=${encodeURIComponent(filter)}`),
      // bulk: many creates
      api.post(`${a.base}/Bulk`, {
        schemas: [BULK],
        Operations: Array.from({ length: Math.ceil(200 * scale) }, (_, i) => ({ method: 'POST', path: '/Users', bulkId: `b${i}`, data: { schemas: [USER], userName: `bulk-${tag}-${i}@example.com`, emails: emails(10) } })),
      }),
      // GraphQL: as many aliases of stats (each several counts) as the cost limit accepts
      request(app.server)
        .post('/graphql')
        .set('Authorization', `Bearer ${adminKey}`)
        .send({ query: `{ ${Array.from({ length: Math.ceil(90 * scale) }, (_, i) => `s${i}: stats(tenant: "${a.slug}") { usersActive usersInactive groups }`).join(' ')} }` }),
    ];
    for (const r of await Promise.all(heavy(0.02, 'warm'))) expect(r.status).toBeLessThan(300);
    // and the attacks of issue 13, refused at their caps (bodies serialised now, not while probing)
    const manyKeys = JSON.stringify({ schemas: [USER], userName: 'keys@example.com', ...Object.fromEntries(Array.from({ length: 150_000 }, (_, i) => [`k${i}`, 1])) });
    const manyEmails = JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'emails', value: emails(20000, 1000) }] });
    const attacks = () => [raw(app, a.token, 'post', `${a.base}/Users`, manyKeys), raw(app, a.token, 'patch', `${a.base}/Users/${userId}`, manyEmails)];
    for (const r of await Promise.all(attacks())) expect(r.status).toBe(400);
    // idle: as many probes as a second allows (the machine's own noise, GC included, is in this figure too)
    const idle: number[] = [];
    const idleUntil = Date.now() + 1000;
    while (Date.now() < idleUntil || idle.length < 30) idle.push(await healthz());
    const work = Promise.all([...heavy(1, 'full'), ...attacks()]);
    let done = false;
    const during: number[] = [];
    const probe = (async () => {
      while (!done) during.push(await healthz());
    })();
    const results = await work;
    done = true;
    await probe;
    expect(results.map((r) => r.status)).toEqual([200, 201, 200, 200, 200, 400, 400]);
    expect(during.length).toBeGreaterThan(0);
    const idleMax = Math.max(...idle);
    const duringMax = Math.max(...during);
    // eslint-disable-next-line no-console
    console.log(`healthz idle max ${idleMax.toFixed(1)} ms (median ${idle.sort((x, y) => x - y)[idle.length >> 1].toFixed(1)} over ${idle.length}), during heavy requests max ${duringMax.toFixed(1)} ms over ${during.length} probes`);
    // Against the worst idle probe of the same test (the machine's own noise included). Before the
    // fixes the PATCH alone stalled /healthz 11.7 s on an idle 2-core machine (about 2,000 idle
    // probes there, far more under load), the 2,000-alias GraphQL query 26 s. Now, on the shared
    // development machine (load average ~20 on 2 cores), the slowest probe during all of them at
    // once measured 5x to 75x the slowest idle probe: most of it is JSON.parse of the 1.7 MB body of
    // 150,000 keys, which no cap can avoid short of a streaming parser (docs/limits.md)
    expect(duringMax / idleMax).toBeLessThan(200);
  });
});

describe('linear algorithms (caps lifted, pure domain code)', () => {
  afterEach(() => configureInputLimits({}));

  it('PATCH add of n emails to a user holding n: 4x the values cost about 4x the time, not 16x (was a scan per value)', () => {
    configureInputLimits({ maxValues: 100_000 });
    const patchOf = (n: number) => () => {
      const doc = { userName: 'u', emails: emails(n) };
      const result = applyPatch(doc, [{ op: 'add', path: 'emails', value: emails(n, n) }], userResourceType);
      expect((result.doc.emails as unknown[]).length).toBe(2 * n);
    };
    patchOf(1000)(); // warm up
    const small = timeOf(patchOf(5000));
    const large = timeOf(patchOf(20000));
    // linear: ~4; the old findIndex per value was quadratic: ~16 (11.7 s for 20,000 on this machine)
    expect(large / small).toBeLessThan(8);
  });

  it('re-adding values already held (case-insensitive) merges them, still linear, and keeps one of each', () => {
    configureInputLimits({ maxValues: 100_000 });
    const doc = { userName: 'u', emails: emails(3) };
    const again = emails(3).map((e) => ({ ...e, value: e.value.toUpperCase(), display: 'd' }));
    const result = applyPatch(doc, [{ op: 'add', path: 'emails', value: [...again, ...again] }], userResourceType);
    expect(result.doc.emails).toEqual(emails(3).map((e) => ({ ...e, display: 'd' })));
  });

});

describe('caps answer 400 naming the attribute and change nothing', () => {
  it('a PATCH adding 20,000 emails (0.5 MB) is 400 invalidValue naming emails and the cap', async () => {
    const before = await snapshot(app, a.id);
    const res = await scim(app, a.token).patch(`${a.base}/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'emails', value: emails(20000, 1000) }] });
    expectScimError(res, 400, 'invalidValue');
    expect(res.body.detail).toContain('"emails"');
    expect(res.body.detail).toContain(`at most ${inputLimits.maxValues}`);
    expect(await snapshot(app, a.id)).toEqual(before);
  });

  it('a PATCH adding one email past the cap (through several operations) is 400 too', async () => {
    const before = await snapshot(app, a.id);
    const res = await scim(app, a.token).patch(`${a.base}/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'emails', value: [{ value: 'one-more@example.com' }] }] });
    expectScimError(res, 400, 'invalidValue');
    expect(res.body.detail).toContain('emails');
    expect(await snapshot(app, a.id)).toEqual(before);
  });

  it('a create with 150,000 unknown keys (1.7 MB) is 400 invalidValue, nothing created', async () => {
    const before = await snapshot(app, a.id);
    const body: Record<string, unknown> = { schemas: [USER], userName: 'keys@example.com' };
    for (let i = 0; i < 150_000; i++) body[`k${i}`] = 1;
    const res = await scim(app, a.token).post(`${a.base}/Users`, body);
    expectScimError(res, 400, 'invalidValue');
    expect(res.body.detail).toContain(`more than ${inputLimits.maxUnknownKeys}`);
    // the same through a path-less PATCH value and inside a complex value
    const patch = await scim(app, a.token).patch(`${a.base}/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: Object.fromEntries(Object.keys(body).map((k) => [k, 1])) }] });
    expectScimError(patch, 400, 'invalidValue');
    const name = await scim(app, a.token).post(`${a.base}/Users`, { schemas: [USER], userName: 'name-keys@example.com', name: Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`n${i}`, 'x'])) });
    expectScimError(name, 400, 'invalidValue');
    expect(name.body.detail).toContain('"name"');
    expect(await snapshot(app, a.id)).toEqual(before);
  });

  it('a create with 40,000 emails is refused, so no user can make the nested not(emails[...] or ...) filter slow', async () => {
    const before = await snapshot(app, a.id);
    const res = await scim(app, a.token).post(`${a.base}/Users`, { schemas: [USER], userName: 'many@example.com', emails: emails(40000) });
    expectScimError(res, 400, 'invalidValue');
    expect(res.body.detail).toContain('"emails" has 40000 values');
    expect(await snapshot(app, a.id)).toEqual(before);
  });

  it(`more than ${DEFAULT_INPUT_LIMITS.maxPatchOperations} PATCH operations on attributes are 400; member operations of a group are not counted`, async () => {
    const before = await snapshot(app, a.id);
    const ops = Array.from({ length: inputLimits.maxPatchOperations + 1 }, (_, i) => ({ op: 'replace', path: 'title', value: `t${i}` }));
    const res = await scim(app, a.token).patch(`${a.base}/Users/${userId}`, { schemas: [PATCH_OP], Operations: ops });
    expectScimError(res, 400, 'invalidValue');
    expect(res.body.detail).toContain(`more than ${inputLimits.maxPatchOperations} operations`);
    expect(await snapshot(app, a.id)).toEqual(before);
  });
});

it('the other tenant is unaffected: it reads and writes as before', async () => {
  const api = scim(app, b.token);
  expect((await api.post(`${b.base}/Users`, { schemas: [USER], userName: 'b@example.com', emails: emails(3) })).status).toBe(201);
  const list = await api.get(`${b.base}/Users?filter=${encodeURIComponent('emails[value co "e1"]')}`);
  expect(list.status).toBe(200);
  expect(list.body.totalResults).toBe(1);
});
