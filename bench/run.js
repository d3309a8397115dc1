// npm run bench: load benchmarks on the real PostgreSQL, reported as ratios to a bare Koa
// hello-world measured in the same run (the machine is shared and noisy: absolute numbers drift).
const path = require('node:path');
const { scratchDatabase, freePort, startProcess, stop, load, cli, report, sql } = require('./lib');
const { bulkBench } = require('./bulk');
const { queryBench } = require('./query');

// `npm run bench` runs every section; `npm run bench -- query` (or BENCH_SECTIONS=query, or
// `-- bulk`, `-- core,groups`) only those named: the million-user query section takes long on its own.
const SECTIONS = (process.argv.slice(2).join(',') || process.env.BENCH_SECTIONS || 'core,groups,bulk,query').split(',').map((s) => s.trim());

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
       from generate_series(1, 150000) n`,
    [tenantId],
  );
  const post = (displayName) =>
    fetch(`${base}/Groups`, { method: 'POST', headers, body: JSON.stringify({ schemas: [GROUP], displayName }) }).then((r) => r.json());
  const big = await post('Everyone');
  const empty = await post('Nobody yet');
  const ids = (await sql(url, `select id from scim_user where user_name like 'member%' order by user_name`)).rows.map((r) => r.id);
  await sql(url, 'insert into group_member (group_id, member_id, created_at) select $1, unnest($2::uuid[]), now()', [big.id, ids.slice(0, 100000)]);
  // as autovacuum would after such a load: otherwise plans cached while the table was tiny (a seq
  // scan for the tombstone check of POST /Users) stay in use until it gets round to it
  await sql(url, 'analyze scim_user, group_member');
  const spare = ids.slice(100000);
  const addOne = (groupId, offset) => {
    let i = offset;
    return {
      url: `${base}/Groups/${groupId}`,
      method: 'PATCH',
      headers,
      requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: spare[i++ % 20000] }] }] }) }) }],
    };
  };
  const onEmpty = await load('PATCH add 1 member (empty group)', addOne(empty.id, 0));
  const onBig = await load('PATCH add 1 member (100k-member group)', addOne(big.id, 20000));
  const started = process.hrtime.bigint();
  const res = await fetch(`${base}/Groups/${big.id}`, {
    method: 'PATCH',
    headers,
    body: JSON.stringify({ schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: spare.slice(45000, 46000).map((value) => ({ value })) }] }),
  });
  const thousandMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (res.status !== 204) throw new Error(`1,000-member PATCH answered ${res.status}`);
  const light = await load('GET /Groups/{id}?excludedAttributes=members (100k members)', { url: `${base}/Groups/${big.id}?excludedAttributes=members`, headers });
  return { rows: [onEmpty, onBig, light], emptyRps: onEmpty.rps, bigRps: onBig.rps, thousandMs };
}

async function main() {
  const db = await scratchDatabase('provisio_bench');
  const children = [];
  try {
    const helloPort = freePort();
    children.push(await startProcess([path.join(__dirname, 'hello.js')], { PORT: String(helloPort) }, () => false));
    // the bulk section has its own same-run baseline (sequential POST /Users)
    const hello = SECTIONS.length === 1 && SECTIONS[0] === 'bulk' ? undefined : await load('hello-world (bare Koa)', { url: `http://127.0.0.1:${helloPort}/` });

    const env = { DATABASE_URL: db.url, LOG_LEVEL: process.env.BENCH_LOG_LEVEL || 'warn' };
    const tenant = cli(['tenant', 'create', '--name', 'Bench', '--json'], env);
    const port = freePort();
    const server = await startProcess(['dist/src/main.js'], { ...env, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` }, () => false);
    children.push(server);
    const base = `http://127.0.0.1:${port}/scim/v2/${tenant.tenant.slug}`;
    const headers = { authorization: `Bearer ${tenant.token}`, 'content-type': 'application/scim+json' };
    if (SECTIONS.includes('core') || SECTIONS.includes('groups')) await coreAndGroups(db, tenant, base, headers, hello, children);
    if (SECTIONS.includes('bulk')) await bulkBench(base, headers);
    if (SECTIONS.includes('query')) {
      const qt = cli(['tenant', 'create', '--name', 'Query Bench', '--json'], env);
      const qbase = `http://127.0.0.1:${port}/scim/v2/${qt.tenant.slug}`;
      await queryBench({ url: db.url, tenantId: qt.tenant.id, base: qbase, headers: { authorization: `Bearer ${qt.token}` }, hello });
    }
  } finally {
    for (const c of children.reverse()) await stop(c);
    await db.drop();
  }
}

/** The request-path figures (GET, POST /Users) and the group membership section. */
async function coreAndGroups(db, tenant, base, headers, hello, children) {
  const seeded = await fetch(`${base}/Users`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ schemas: [USER], userName: 'seed@example.com', name: { givenName: 'S', familyName: 'Eed' }, emails: [{ value: 'seed@example.com', type: 'work', primary: true }] }),
  }).then((r) => r.json());

  const pgPort = freePort();
  children.push(await startProcess([path.join(__dirname, 'pg-route.js')], { PORT: String(pgPort), DATABASE_URL: db.url }, () => false));
  const pgRoute = await load('reference: bare Koa + one pg query', { url: `http://127.0.0.1:${pgPort}/${seeded.id}` });

  const get = await load('GET /Users/{id}', { url: `${base}/Users/${seeded.id}`, headers });
  let n = 0;
  const post = await load('POST /Users', {
    url: `${base}/Users`,
    method: 'POST',
    headers,
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({ schemas: [USER], userName: `u${process.pid}-${n++}@example.com`, name: { givenName: 'B', familyName: 'Ench' }, emails: [{ value: `u${n}@example.com`, type: 'work', primary: true }], active: true }),
        }),
      },
    ],
  });
  report(hello, [pgRoute, get, post], { 'GET /Users/{id}': 0.25, 'POST /Users': 0.12 });
  if (!SECTIONS.includes('groups')) return;

  console.log('\nGroups: seeding 100,000 members in SQL…');
  const groups = await groupBench(db.url, tenant.tenant.id, base, headers);
  report(hello, groups.rows, { 'GET /Groups/{id}?excludedAttributes=members (100k members)': 0.2 });
  console.log(`PATCH add 1 member, 100k-member group vs empty group: ${(groups.emptyRps / groups.bigRps).toFixed(2)}x the cost (aim <= 1.5)`);
  console.log(`one PATCH adding 1,000 members to the 100k-member group: ${groups.thousandMs.toFixed(0)} ms`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
