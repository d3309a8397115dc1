// npm run bench: load benchmarks on the real PostgreSQL, reported as ratios to a bare Koa
// hello-world measured in the same run (the machine is shared and noisy: absolute numbers drift).
const os = require('node:os');
const path = require('node:path');
const { scratchDatabase, freePort, startProcess, stop, load, paired, ratioTo, roundsOf, cli, report, sql, aim, printAims, cpuBudget } = require('./lib');
const { bulkBench } = require('./bulk');
const { queryBench } = require('./query');
const { freshBench } = require('./fresh');
const { fairnessBench } = require('./fairness');
const { scaleBench, preflight } = require('./scale');

// `npm run bench` runs every section but scale; `npm run bench -- query` (or BENCH_SECTIONS=query, or
// `-- bulk`, `-- core,groups`, `-- scale`, `-- fairness`) only those named: the million-user query section and the
// ten-million-user scale run take long on their own. Sizes: see docs/benchmarks-scale.md.
const SECTIONS = (process.argv.slice(2).join(',') || process.env.BENCH_SECTIONS || 'fresh,core,groups,bulk,query,fairness').split(',').map((s) => s.trim());
const GROUP_MEMBERS = Number(process.env.BENCH_GROUP_MEMBERS || 100_000);
const PATCH_GROUP_MEMBERS = Number(process.env.BENCH_PATCH_GROUP_MEMBERS || 10_000);
const SPARE = 50_000;
const k = (n) => (n >= 1000 ? `${n / 1000}k` : String(n));
// figures of main before issue 16, as the issue states them (the aims that are "N x today")
const ISSUE_PATCH_RPS = [49, 84];
const ISSUE_PATCH_P50 = [480, 710];

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** Issue 4: membership PATCH cost must follow the members named, not the group's size. */
async function groupBench(url, tenantId, base, headers) {
  const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
  const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
  await sql(
    url,
    `insert into scim_user (id, tenant_id, user_name, user_name_key, active, attributes, version, created_at, updated_at)
     select gen_random_uuid(), $1, 'member' || n || '@example.com', 'member' || n || '@example.com', true,
            jsonb_build_object('userName', 'member' || n || '@example.com', 'active', true), 1, now(), now()
       from generate_series(1, $2::int) n`,
    [tenantId, GROUP_MEMBERS + SPARE],
  );
  const post = (displayName) =>
    fetch(`${base}/Groups`, { method: 'POST', headers, body: JSON.stringify({ schemas: [GROUP], displayName }) }).then((r) => r.json());
  const big = await post('Everyone');
  const empty = await post('Nobody yet');
  const team = await post('Team');
  const ids = (await sql(url, `select id from scim_user where user_name like 'member%' order by user_name`)).rows.map((r) => r.id);
  await sql(url, 'insert into group_member (group_id, member_id, created_at) select $1, unnest($2::uuid[]), now()', [big.id, ids.slice(0, GROUP_MEMBERS)]);
  await sql(url, 'insert into group_member (group_id, member_id, created_at) select $1, unnest($2::uuid[]), now()', [team.id, ids.slice(0, PATCH_GROUP_MEMBERS)]);
  // as autovacuum would after such a load: otherwise plans cached while the table was tiny (a seq
  // scan for the tombstone check of POST /Users) stay in use until it gets round to it
  await sql(url, 'analyze scim_user, group_member');
  const spare = ids.slice(GROUP_MEMBERS);
  const addOne = (groupId, offset, pool = spare, wrap = 20000) => {
    let i = offset;
    return {
      url: `${base}/Groups/${groupId}`,
      method: 'PATCH',
      headers,
      requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: pool[offset + ((i++ - offset) % wrap)] }] }] }) }) }],
    };
  };
  const onEmpty = await load('PATCH add 1 member (empty group)', addOne(empty.id, 0));
  const onBig = await load(`PATCH add 1 member (${k(GROUP_MEMBERS)}-member group)`, addOne(big.id, 20000));
  // issue 16: 50 clients at once, each adding one member to the same PATCH_GROUP_MEMBERS-member group
  // (members drawn from users not yet in it)
  const outside = ids.slice(PATCH_GROUP_MEMBERS);
  const concurrent = await load(`50 concurrent PATCH add 1 member (${k(PATCH_GROUP_MEMBERS)}-member group)`, { ...addOne(team.id, 0, outside, outside.length), duration: Math.max(10, Number(process.env.BENCH_SECONDS || 10)) });
  // (at least 10 s: at 50 in flight on one row lock, a short window may see no PATCH complete)
  const started = process.hrtime.bigint();
  const res = await fetch(`${base}/Groups/${big.id}`, {
    method: 'PATCH',
    headers,
    body: JSON.stringify({ schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: spare.slice(45000, 46000).map((value) => ({ value })) }] }),
  });
  const thousandMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (res.status !== 204) throw new Error(`1,000-member PATCH answered ${res.status}`);
  const light = await load(`GET /Groups/{id}?excludedAttributes=members (${k(GROUP_MEMBERS)} members)`, { url: `${base}/Groups/${big.id}?excludedAttributes=members`, headers });
  return { rows: [onEmpty, onBig, concurrent, light], emptyRps: onEmpty.rps, bigRps: onBig.rps, thousandMs, concurrent };
}

async function main() {
  // every process of the run (server, ceilings) runs on this Node: its version moves the ratios (docs/operations.md)
  console.log(`Node ${process.version}, ${os.cpus().length} cores, sections: ${SECTIONS.join(', ')}`);
  // the scale run prints the disk space it needs first, and refuses to start without it
  if (SECTIONS.includes('scale')) await preflight(process.env.BENCH_ADMIN_URL || 'postgresql://postgres@127.0.0.1:5432/postgres');
  const db = await scratchDatabase('provisio_bench');
  const children = [];
  try {
    const helloPort = freePort();
    children.push(await startProcess([path.join(__dirname, 'hello.js')], { PORT: String(helloPort) }, () => false));
    // the ceilings of issue 16: one pg primary-key read, and the user + outbox INSERT transaction
    const pgPort = freePort();
    const pgRouteChild = await startProcess([path.join(__dirname, 'pg-route.js')], { PORT: String(pgPort), DATABASE_URL: db.url }, () => false);
    children.push(pgRouteChild);
    const writePort = freePort();
    const writeChild = await startProcess([path.join(__dirname, 'pg-write.js')], { PORT: String(writePort), DATABASE_URL: db.url }, () => false);
    children.push(writeChild);
    // the processes whose CPU each request costs is measured (see load)
    const pids = { pgRoute: pgRouteChild.pid, write: writeChild.pid };
    // bulk, fresh and scale have their own same-run baselines
    const hello = SECTIONS.some((s) => ['core', 'groups', 'query'].includes(s)) ? await load('hello-world (bare Koa)', { url: `http://127.0.0.1:${helloPort}/` }) : undefined;

    const env = { DATABASE_URL: db.url, LOG_LEVEL: process.env.BENCH_LOG_LEVEL || 'warn' };
    const tenant = cli(['tenant', 'create', '--name', 'Bench', '--json'], env);
    const port = freePort();
    // throughput runs send thousands of requests a second from one connection: no rate limits there
    // (the tenant's concurrency gate stays as configured); the fairness section runs its own servers
    const unlimited = { RATE_LIMIT_TENANT_PER_SECOND: '0', RATE_LIMIT_CONNECTION_PER_SECOND: '0' };
    const server = await startProcess(['dist/src/main.js'], { ...env, ...unlimited, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` }, () => false);
    children.push(server);
    pids.server = server.pid;
    const base = `http://127.0.0.1:${port}/scim/v2/${tenant.tenant.slug}`;
    const headers = { authorization: `Bearer ${tenant.token}`, 'content-type': 'application/scim+json' };
    if (SECTIONS.includes('fresh')) {
      const ft = cli(['tenant', 'create', '--name', 'Fresh', '--json'], env);
      await freshBench({ url: db.url, tenantId: ft.tenant.id, base: `http://127.0.0.1:${port}/scim/v2/${ft.tenant.slug}`, headers: { authorization: `Bearer ${ft.token}` } });
    }
    if (SECTIONS.includes('core') || SECTIONS.includes('groups')) await coreAndGroups(db, tenant, base, headers, hello, { pgPort, writePort, pids });
    if (SECTIONS.includes('bulk')) await bulkBench(base, headers);
    if (SECTIONS.includes('query')) {
      const qt = cli(['tenant', 'create', '--name', 'Query Bench', '--json'], env);
      const qbase = `http://127.0.0.1:${port}/scim/v2/${qt.tenant.slug}`;
      await queryBench({ url: db.url, tenantId: qt.tenant.id, base: qbase, headers: { authorization: `Bearer ${qt.token}` }, hello, pgPort, pids });
    }
    if (SECTIONS.includes('fairness')) await fairnessBench(db);
    if (SECTIONS.includes('scale')) await scaleBench({ url: db.url, env, port, pgPort, writePort, server });
    printAims();
  } finally {
    for (const c of children.reverse()) await stop(c);
    await db.drop();
  }
}

/** The request-path figures (GET, POST /Users) and the group membership section. */
async function coreAndGroups(db, tenant, base, headers, hello, { pgPort, writePort, pids }) {
  const seeded = await fetch(`${base}/Users`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ schemas: [USER], userName: 'seed@example.com', name: { givenName: 'S', familyName: 'Eed' }, emails: [{ value: 'seed@example.com', type: 'work', primary: true }] }),
  }).then((r) => r.json());

  const { ceiling: pgRoute, row: get } = await paired(
    { title: 'reference: bare Koa + one pg query', opts: { url: `http://127.0.0.1:${pgPort}/${seeded.id}` }, pid: pids.pgRoute },
    { title: 'GET /Users/{id}', opts: { url: `${base}/Users/${seeded.id}`, headers }, pid: pids.server },
  );
  let n = 0;
  const creates = (url, tag) => ({
    url,
    method: 'POST',
    headers,
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({ schemas: [USER], userName: `${tag}${process.pid}-${n++}@example.com`, name: { givenName: 'B', familyName: 'Ench' }, emails: [{ value: `${tag}${n}@example.com`, type: 'work', primary: true }], active: true }),
        }),
      },
    ],
  });
  const { ceiling: write, row: post } = await paired(
    { title: 'write ceiling: bare Koa + pg user & outbox INSERT', opts: creates(`http://127.0.0.1:${writePort}/${tenant.tenant.id}`, 'w'), pid: pids.write },
    { title: 'POST /Users', opts: creates(`${base}/Users`, 'u'), pid: pids.server },
  );
  report(hello, [pgRoute, get, write, post], { 'GET /Users/{id}': 0.25, 'POST /Users': 0.12 });
  console.log('ratios to the ceilings of issue 16:');
  report(pgRoute, [get], { 'GET /Users/{id}': 0.8 });
  report(write, [post], { 'POST /Users': 0.7 });
  cpuBudget(pgRoute, get, 0.8);
  cpuBudget(write, post, 0.7);
  aim('GET /Users/{id} vs pg-route', ratioTo(pgRoute, get), 0.8, `(${roundsOf(get)})`);
  aim('POST /Users vs write ceiling (user + outbox INSERT, one tx)', ratioTo(write, post), 0.7, `(${roundsOf(post)}; ${(post.rps / pgRoute.rps).toFixed(2)}x pg-route)`);
  if (!SECTIONS.includes('groups')) return;

  console.log(`\nGroups: seeding ${GROUP_MEMBERS.toLocaleString()} members in SQL…`);
  const groups = await groupBench(db.url, tenant.tenant.id, base, headers);
  report(hello, groups.rows, { [`GET /Groups/{id}?excludedAttributes=members (${k(GROUP_MEMBERS)} members)`]: 0.2 });
  console.log(`PATCH add 1 member, ${k(GROUP_MEMBERS)}-member group vs empty group: ${(groups.emptyRps / groups.bigRps).toFixed(2)}x the cost (aim <= 1.5)`);
  console.log(`one PATCH adding 1,000 members to the ${k(GROUP_MEMBERS)}-member group: ${groups.thousandMs.toFixed(0)} ms`);
  const c = groups.concurrent;
  console.log(`50 concurrent one-member PATCHes to one ${k(PATCH_GROUP_MEMBERS)}-member group: ${c.rps.toFixed(0)} PATCH/s, p50 ${c.p50} ms (issue 16 before: ${ISSUE_PATCH_RPS.join('-')} PATCH/s, p50 ${ISSUE_PATCH_P50.join('-')} ms)`);
  aim(`50 concurrent PATCHes, ${k(PATCH_GROUP_MEMBERS)}-member group vs issue's ${ISSUE_PATCH_RPS[1]} PATCH/s`, c.rps / ISSUE_PATCH_RPS[1], 3, `(earlier run; ${c.rps.toFixed(0)} PATCH/s, p50 ${c.p50} ms)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
