import request from 'supertest';
import { loadConfig } from '../../src/config';
import { InvalidValueError } from '../../src/domain/errors';
import { assertJsonShape } from '../../src/domain/json-shape';
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
    // bodies are serialised before any probe runs: the test's own client shares the event loop
    type Call = { method: 'get' | 'post' | 'patch'; url: string; body?: string; token?: string; type?: string };
    const send = (calls: Call[]) =>
      calls.map((c) => (c.method === 'get' ? api.get(c.url) : raw(app, c.token ?? a.token, c.method, c.url, c.body!, c.type)));
    const heavy = (scale: number, tag: string): Call[] => [
      // PATCH: the cap in emails replaced, then every document step the cap allows on that list
      {
        method: 'patch',
        url: `${a.base}/Users/${userId}`,
        body: JSON.stringify({
          schemas: [PATCH_OP],
          Operations: [
            { op: 'replace', path: 'emails', value: emails(cap, 5000) },
            ...Array.from({ length: Math.ceil(inputLimits.maxPatchOperations * scale) - 1 }, (_, i) => ({ op: 'replace', path: `emails[value eq "e${5000 + (i % cap)}@example.com"].display`, value: `d${tag}${i}` })),
          ],
        }),
      },
      // create: every multi-valued attribute at its cap, the unknown keys at theirs
      {
        method: 'post',
        url: `${a.base}/Users`,
        body: JSON.stringify({
          schemas: [USER],
          userName: `heavy-${tag}@example.com`,
          emails: emails(Math.ceil(cap * scale)),
          phoneNumbers: Array.from({ length: Math.ceil(cap * scale) }, (_, i) => ({ value: `+1 555 ${i}` })),
          entitlements: Array.from({ length: Math.ceil(cap * scale) }, (_, i) => ({ value: `ent${i}` })),
          roles: Array.from({ length: Math.ceil(cap * scale) }, (_, i) => ({ value: `role${i}` })),
          ...Object.fromEntries(Array.from({ length: Math.ceil((inputLimits.maxUnknownKeys - 2) * scale) }, (_, i) => [`x${i}`, i])),
        }),
      },
      // the most objects the JSON shape caps let through (MAX_JSON_CONTAINERS), in one ignored
      // unknown attribute: JSON.parse is the work here
      {
        method: 'post',
        url: `${a.base}/Users`,
        body: JSON.stringify({ schemas: [USER], userName: `containers-${tag}@example.com`, junk: Array.from({ length: Math.ceil((inputLimits.maxContainers - 10) * scale) }, (_, i) => ({ v: i })) }),
      },
      // filter: the most clauses a filter may have, over a user at the cap
      { method: 'get', url: `${a.base}/Users?filter=${encodeURIComponent(filter)}` },
      // bulk: many creates
      {
        method: 'post',
        url: `${a.base}/Bulk`,
        body: JSON.stringify({
          schemas: [BULK],
          Operations: Array.from({ length: Math.ceil(200 * scale) }, (_, i) => ({ method: 'POST', path: '/Users', bulkId: `b${i}`, data: { schemas: [USER], userName: `bulk-${tag}-${i}@example.com`, emails: emails(10) } })),
        }),
      },
      // GraphQL: as many aliases of stats (each several counts) as the cost limit accepts, over both
      // tenants (the loaders batch them: one tenant lookup and two statements of figures)
      {
        method: 'post',
        url: '/graphql',
        token: adminKey,
        type: 'application/json',
        body: JSON.stringify({ query: `{ ${Array.from({ length: Math.ceil(90 * scale) }, (_, i) => `s${i}: stats(tenant: "${i % 2 ? a.slug : b.slug}") { usersActive usersInactive groups connections { id } }`).join(' ')} }` }),
      },
    ];
    for (const r of await Promise.all(send(heavy(0.02, 'warm')))) expect(r.status).toBeLessThan(300);
    // and the attacks of issue 13, refused at their caps (bodies serialised now, not while probing)
    const manyKeys = JSON.stringify({ schemas: [USER], userName: 'keys@example.com', ...Object.fromEntries(Array.from({ length: 150_000 }, (_, i) => [`k${i}`, 1])) });
    const manyEmails = JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'emails', value: emails(20000, 1000) }] });
    // and the shapes JSON.parse is slowest on, found since, refused before it runs (docs/limits.md)
    const manyObjects = `{"schemas":["${USER}"],"userName":"objects@example.com","x":[${'{},'.repeat(650_000)}{}]}`;
    const manyNames = JSON.stringify({ schemas: [USER], userName: 'names@example.com', x: Array.from({ length: 140_000 }, (_, i) => ({ [`n${i}`]: 1 })) });
    const attacks = () => [manyKeys, manyObjects, manyNames].map((body) => raw(app, a.token, 'post', `${a.base}/Users`, body)).concat(raw(app, a.token, 'patch', `${a.base}/Users/${userId}`, manyEmails));
    // (each of these took JSON.parse 0.15-0.8 s on the shared machine before the shape caps)
    for (const r of await Promise.all(attacks())) expect(r.status).toBe(400);
    const kinds = ['PATCH', 'create', 'containers', 'filter', 'bulk', 'GraphQL'];
    const solo = kinds.map((_, i) => heavy(1, `solo${i}`)[i]);
    const full = heavy(1, 'full');
    /** The slowest /healthz probe while `requests` run (probing from before they start until all have answered). */
    const probeWhile = async <T>(requests: Promise<T>[]): Promise<{ max: number; probes: number; results: T[] }> => {
      let done = false;
      const during: number[] = [];
      const probe = (async () => {
        while (!done) during.push(await healthz());
      })();
      const results = await Promise.all(requests);
      done = true;
      await probe;
      return { max: Math.max(...during), probes: during.length, results };
    };
    // idle: as many probes as a second allows (the machine's own noise, GC included, is in this figure too)
    const idle: number[] = [];
    const idleUntil = Date.now() + 1000;
    while (Date.now() < idleUntil || idle.length < 30) idle.push(await healthz());
    const idleMax = Math.max(...idle);
    // each kind alone, then all of them and the refused attacks at once
    const alone: string[] = [];
    let worstAlone = 0;
    for (let i = 0; i < kinds.length; i++) {
      const { max, results } = await probeWhile(send([solo[i]]));
      expect(results[0].status).toBeLessThan(300);
      worstAlone = Math.max(worstAlone, max);
      alone.push(`${kinds[i]} ${max.toFixed(0)}`);
    }
    // the aim's "100 ms of lag", measured in the same run: the slowest probe while the event loop is
    // blocked for 100 ms in one piece (a probe is always in flight, so one of them waits it all out)
    const blocked = await probeWhile([
      new Promise<void>((resolve) =>
        setTimeout(() => {
          const end = performance.now() + 100;
          while (performance.now() < end);
          resolve();
        }, 20),
      ),
    ]);
    const together = await probeWhile([...send(full), ...attacks()]);
    expect(together.results.map((r) => r.status)).toEqual([200, 201, 201, 200, 200, 200, 400, 400, 400, 400]);
    expect(together.probes).toBeGreaterThan(0);
    // eslint-disable-next-line no-console
    console.log(
      `healthz idle max ${idleMax.toFixed(1)} ms (median ${idle.sort((x, y) => x - y)[idle.length >> 1].toFixed(1)} over ${idle.length}); ` +
        `slowest probe while each kind runs alone (ms): ${alone.join(', ')} = ${(worstAlone / idleMax).toFixed(1)}x idle, ` +
        `${(worstAlone / blocked.max).toFixed(2)}x a 100 ms block (${blocked.max.toFixed(1)} ms); ` +
        `all at once with the refused attacks: ${together.max.toFixed(1)} ms over ${together.probes} probes = ${(together.max / idleMax).toFixed(1)}x idle`,
    );
    // Against the worst idle probe of the same test (the machine's own noise included); the bounds
    // hold on a quiet machine too, where idle probes are fastest and the ratios largest. Before the
    // fixes the PATCH alone stalled /healthz 11.7 s on an idle 2-core machine, the 2,000-alias
    // GraphQL query 26 s, and JSON.parse of the 150,000-key body 0.2-0.8 s before it was refused.
    // Now (docs/limits.md, "Event-loop lag"), on the shared development machine: the slowest kind
    // alone (the 90-alias GraphQL query or the 200-step PATCH) 11x-13x; all at once 14x-17x (it was
    // 30x-60x, mostly JSON.parse of the refused bodies, before the JSON shape caps).
    expect(worstAlone / idleMax).toBeLessThan(50);
    // and against a 100 ms block of the event loop (issue 13's aim of under 100 ms of lag): each kind
    // alone measured 0.43x-0.86x of it on a quiet machine once the GraphQL loaders batched stats (the
    // 90-alias query was 1.3x before); the bound leaves room for a noisy machine, not for 200 ms stalls
    expect(worstAlone).toBeLessThan(2 * blocked.max);
    expect(together.max / idleMax).toBeLessThan(100);
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

describe('the shape of a JSON body, checked on its bytes before JSON.parse', () => {
  afterEach(() => configureInputLimits({}));
  const shape = (text: string) => () => assertJsonShape(Buffer.from(text, 'utf8'));
  const object = (n: number, key = (i: number) => `k${i}`) => JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [key(i), i])));

  it('counts the members of each object on its own, and nothing inside strings', () => {
    const max = inputLimits.maxObjectMembers;
    expect(shape(object(max))).not.toThrow();
    expect(shape(object(max + 1))).toThrow(/more than 1000 members \(MAX_JSON_OBJECT_MEMBERS/);
    // nested objects and siblings count separately: two objects at the cap pass
    expect(shape(JSON.stringify({ a: JSON.parse(object(max - 2)), b: [JSON.parse(object(max))] }))).not.toThrow();
    // colons, braces, quotes and backslashes inside strings (escaped quotes, a trailing backslash, UTF-8) are not structure
    const nasty = (i: number) => `a\\":{[x\\ é:${i}"{\\`; // a\":{[x\ é:0"{\ once JSON-escaped: quotes, backslashes (one last), structure
    expect(shape(JSON.stringify(Object.fromEntries(Array.from({ length: max }, (_, i) => [nasty(i), nasty(i)]))))).not.toThrow();
    expect(shape(JSON.stringify(Object.fromEntries(Array.from({ length: max + 1 }, (_, i) => [nasty(i), [nasty(i)]]))))).toThrow(/MAX_JSON_OBJECT_MEMBERS/);
    const strings = JSON.stringify(Array.from({ length: 5000 }, () => '::::{{{[[[\\"::,\\'));
    expect(JSON.parse(strings)).toHaveLength(5000);
    configureInputLimits({ maxObjectMembers: 1, maxContainers: 2, maxDepth: 2 });
    expect(shape(strings)).not.toThrow();
    expect(shape(JSON.stringify({ 'a\\': 'b:c', d: 1 }))).toThrow(/more than 1 members/);
    expect(shape(JSON.stringify({ 'a"b:c\\': 1 }))).not.toThrow(); // one member whose name holds a quote, a colon and a final backslash
  });

  it('refuses more objects and arrays than MAX_JSON_CONTAINERS, and deeper nesting than MAX_JSON_DEPTH', () => {
    expect(shape(`[${'{},'.repeat(inputLimits.maxContainers - 2)}{}]`)).not.toThrow();
    expect(shape(`[${'{},'.repeat(inputLimits.maxContainers - 1)}{}]`)).toThrow(/more than 100000 objects and arrays \(MAX_JSON_CONTAINERS/);
    const d = inputLimits.maxDepth;
    expect(shape('['.repeat(d) + ']'.repeat(d))).not.toThrow();
    expect(shape('{"a":'.repeat(d) + '1' + '}'.repeat(d))).not.toThrow();
    expect(shape('['.repeat(d + 1) + ']'.repeat(d + 1))).toThrow(/more than 64 deep \(MAX_JSON_DEPTH/);
  });

  it('refuses too many distinct member names, or names in too many new orders (MAX_JSON_NAME_PATHS); repeated shapes cost nothing', () => {
    const max = inputLimits.maxNamePaths;
    // one member name per object, all distinct: one path each
    const distinct = (n: number) => `[${Array.from({ length: n }, (_, i) => `{"n${i}":1}`).join(',')}]`;
    expect(shape(distinct(max))).not.toThrow();
    expect(shape(distinct(max + 1))).toThrow(/more than 10000 distinct member names or orders of member names \(MAX_JSON_NAME_PATHS/);
    // 150 names only, but two-member objects in new orders: a path per ordered pair
    const names = Array.from({ length: 150 }, (_, i) => `a${i}`);
    const pairs = names.flatMap((x) => names.filter((y) => y !== x).map((y) => `{"${x}":1,"${y}":1}`));
    expect(pairs.length).toBeGreaterThan(max);
    expect(shape(`[${pairs.join(',')}]`)).toThrow(/MAX_JSON_NAME_PATHS/);
    // the same names in the same order, however many times: a group of 40,000 members is one path
    expect(shape(JSON.stringify({ members: Array.from({ length: 40_000 }, (_, i) => ({ value: `m${i}`, display: `M ${i}` })) }))).not.toThrow();
  });

  it('a /Bulk body has its own cap on name paths (BULK_MAX_JSON_NAME_PATHS), never below MAX_JSON_NAME_PATHS', () => {
    const bulkShape = (text: string) => () => assertJsonShape(Buffer.from(text, 'utf8'), { bulk: true });
    const distinct = (n: number) => `[${Array.from({ length: n }, (_, i) => `{"n${i}":1}`).join(',')}]`;
    const max = inputLimits.maxBulkNamePaths;
    expect(max).toBeGreaterThan(inputLimits.maxNamePaths);
    expect(shape(distinct(inputLimits.maxNamePaths + 1))).toThrow(/MAX_JSON_NAME_PATHS/);
    expect(bulkShape(distinct(max))).not.toThrow();
    expect(bulkShape(distinct(max + 1))).toThrow(new RegExp(`more than ${max} distinct member names or orders of member names \\(BULK_MAX_JSON_NAME_PATHS`));
    // configured below MAX_JSON_NAME_PATHS, it does not make /Bulk stricter than any other body
    configureInputLimits({ maxBulkNamePaths: 10 }); // (afterEach restores the defaults)
    expect(bulkShape(distinct(inputLimits.maxNamePaths))).not.toThrow();
  });

  it('costs less than JSON.parse of what it lets through, far less for what it refuses, and is linear (one pass, no backtracking)', () => {
    const refused = object(150_000);
    const accepted = JSON.stringify({ members: Array.from({ length: 40_000 }, (_, i) => ({ value: `0190c1e2-aaaa-7bbb-8ccc-${String(i).padStart(12, '0')}`, display: `Member ${i}` })) });
    const [r, ok] = [Buffer.from(refused), Buffer.from(accepted)];
    const refuse = timeOf(() => expect(() => assertJsonShape(r)).toThrow(/MAX_JSON_OBJECT_MEMBERS/), 5);
    const parseRefused = timeOf(() => JSON.parse(refused), 5);
    const scan = timeOf(() => assertJsonShape(ok), 5);
    const parse = timeOf(() => JSON.parse(accepted), 5);
    // eslint-disable-next-line no-console
    console.log(`150,000 keys (${(r.length / 1e6).toFixed(1)} MB): refused in ${refuse.toFixed(2)} ms, JSON.parse ${parseRefused.toFixed(1)} ms; 40,000 members (${(ok.length / 1e6).toFixed(1)} MB): scan ${scan.toFixed(1)} ms, JSON.parse ${parse.toFixed(1)} ms`);
    expect(refuse * 10).toBeLessThan(parseRefused);
    expect(scan).toBeLessThan(parse);
    // linear: 4x the bytes, about 4x the time (strings of escapes, and many small objects)
    const long = (n: number) => Buffer.from(JSON.stringify({ s: 'x\\"'.repeat(n) }));
    const small = (n: number) => Buffer.from(JSON.stringify(Array.from({ length: n }, (_, i) => ({ value: i }))));
    for (const [make, n] of [[long, 125_000], [small, 20_000]] as const) {
      const [x, y] = [make(n), make(4 * n)];
      for (let i = 0; i < 3; i++) assertJsonShape(x); // warm up
      // the fastest of 9 runs: load on the machine only ever adds time
      const fastest = (body: Buffer) => Math.min(...Array.from({ length: 9 }, () => timeOf(() => assertJsonShape(body), 1)));
      const [tx, ty] = [fastest(x), fastest(y)];
      // eslint-disable-next-line no-console
      console.log(`scan of ${(x.length / 1e6).toFixed(2)} MB: ${tx.toFixed(2)} ms, of ${(y.length / 1e6).toFixed(2)} MB: ${ty.toFixed(2)} ms`);
      expect(ty / tx).toBeLessThan(12); // linear: ~4; quadratic: ~16
    }
  });

  it('the caps are set from the environment', () => {
    const limits = loadConfig({ MAX_JSON_OBJECT_MEMBERS: '10', MAX_JSON_CONTAINERS: '20', MAX_JSON_DEPTH: '3', MAX_JSON_NAME_PATHS: '30', BULK_MAX_JSON_NAME_PATHS: '40' }).inputLimits;
    expect(limits).toMatchObject({ maxObjectMembers: 10, maxContainers: 20, maxDepth: 3, maxNamePaths: 30, maxBulkNamePaths: 40 });
    configureInputLimits(limits!);
    expect(shape(object(11))).toThrow(InvalidValueError);
  });

  it('over HTTP: SCIM 400 invalidValue naming the setting, GraphQL BAD_USER_INPUT, /Bulk too; nothing changes', async () => {
    const before = await snapshot(app, a.id);
    const deep = `{"schemas":["${USER}"],"userName":"deep@example.com","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const objects = `{"schemas":["${USER}"],"userName":"objects@example.com","x":[${'{},'.repeat(200_000)}{}]}`;
    for (const [body, setting] of [[deep, 'MAX_JSON_DEPTH'], [objects, 'MAX_JSON_CONTAINERS']]) {
      const res = await raw(app, a.token, 'post', `${a.base}/Users`, body);
      expectScimError(res, 400, 'invalidValue');
      expect(res.body.detail).toContain(setting);
    }
    const bulk = await raw(app, a.token, 'post', `${a.base}/Bulk`, JSON.stringify({ schemas: [BULK], Operations: [{ method: 'POST', path: '/Users', bulkId: 'x', data: { schemas: [USER], userName: 'bulk-keys@example.com', ...JSON.parse(object(1001)) } }] }));
    expectScimError(bulk, 400, 'invalidValue');
    expect(bulk.body.detail).toContain('MAX_JSON_OBJECT_MEMBERS');
    const gql = await request(app.server).post('/graphql').set('Authorization', `Bearer ${adminKey}`).send({ query: '{ tenants { name } }', variables: JSON.parse(object(1001)) });
    expect(gql.status).toBe(400);
    expect(gql.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(gql.body.errors[0].message).toContain('MAX_JSON_OBJECT_MEMBERS');
    expect(await snapshot(app, a.id)).toEqual(before);
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
    // refused on the raw bytes, before JSON.parse (which alone took 0.15-0.6 s for this body)
    expect(res.body.detail).toContain(`more than ${inputLimits.maxObjectMembers} members (MAX_JSON_OBJECT_MEMBERS`);
    // fewer than that, but past the unknown-attribute cap: refused once parsed, naming the cap
    const some = await scim(app, a.token).post(`${a.base}/Users`, { schemas: [USER], userName: 'keys@example.com', ...Object.fromEntries(Array.from({ length: inputLimits.maxObjectMembers - 2 }, (_, i) => [`k${i}`, 1])) });
    expectScimError(some, 400, 'invalidValue');
    expect(some.body.detail).toContain(`more than ${inputLimits.maxUnknownKeys} members that are no attribute`);
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
