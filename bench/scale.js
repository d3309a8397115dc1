// Issue 16 item 4, the scale run (`npm run bench -- scale`): SCALE_USERS users (default 10,000,000)
// over SCALE_TENANTS tenants (default 1,000) loaded with COPY, skewed as real deployments are: the
// SCALE_LARGE largest tenants (default 5) hold 10% of all users each (1M each at the default size),
// the rest follow a Zipf curve (weight 1/rank) down to a handful of users. Reports GET by id,
// `userName eq`, a page of 100 and POST for the largest and the smallest tenant as ratios to the same
// run's pg-route (POST also to the write ceiling), and the server's RSS sampled over the run.
const fs = require('node:fs');
const { load, report, aim, sql, cli, sampleRss } = require('./lib');
const { copyUsers, insertTenants, idOf } = require('./seed');

const USERS = Number(process.env.SCALE_USERS || 10_000_000);
const TENANTS = Number(process.env.SCALE_TENANTS || 1000);
const LARGE = Math.min(TENANTS - 2, Number(process.env.SCALE_LARGE || 5));
// bytes per user on disk: heap, TOAST, nine indexes, WAL written during the load and the index
// rebuild, with headroom (the database measured 1.2 KB per user after a 100,000-user load; the
// WAL of the COPY and of the index rebuild is about as much again)
const BYTES_PER_USER = Number(process.env.SCALE_BYTES_PER_USER || 3200);
// user numbers of this section start here, clear of the other sections' ranges
const FIRST = 100_000_000;
// POSTed users are numbered across the whole run (warm-up included), so no userName repeats
let n = 0;

/** Tenant sizes, largest first, summing to USERS. */
function sizes() {
  const large = Array.from({ length: LARGE }, () => Math.floor(USERS / 10));
  const rest = USERS - large.reduce((a, b) => a + b, 0);
  const n = TENANTS - LARGE;
  const weights = Array.from({ length: n }, (_, r) => 1 / (r + 1));
  const sum = weights.reduce((a, b) => a + b, 0);
  const small = weights.map((w) => Math.max(1, Math.floor((rest * w) / sum)));
  small[0] += rest - small.reduce((a, b) => a + b, 0); // rounding goes to the biggest of the rest
  return [...large, ...small];
}

const gb = (b) => `${(b / 1024 ** 3).toFixed(1)} GB`;

/**
 * Prints the disk space the run needs and refuses to start without it: free space is read with
 * fs.statfs on PostgreSQL's data directory (SCALE_DATA_DIR overrides it, e.g. for a remote server).
 */
async function preflight(adminUrl) {
  const need = USERS * BYTES_PER_USER;
  let dir = process.env.SCALE_DATA_DIR;
  if (!dir) dir = (await sql(adminUrl, 'show data_directory')).rows[0].data_directory;
  let free;
  try {
    const st = await fs.promises.statfs(dir);
    free = st.bavail * st.bsize;
  } catch (e) {
    throw new Error(`scale: cannot read free space of ${dir} (${e.code}); set SCALE_DATA_DIR to a directory on PostgreSQL's disk`);
  }
  console.log(`Scale run: ${USERS.toLocaleString()} users over ${TENANTS.toLocaleString()} tenants needs about ${gb(need)} of disk (${BYTES_PER_USER} bytes per user); ${gb(free)} free on ${dir}`);
  if (free < need) throw new Error(`scale: refusing to start: ${gb(need)} needed, ${gb(free)} free on ${dir} (lower SCALE_USERS, or free space)`);
}

async function scaleBench({ url, env, port, pgPort, writePort, server }) {
  const plan = [];
  const tenantSizes = sizes();
  // the largest and the smallest tenant are made through the CLI (they need tokens); the rest in SQL
  const big = cli(['tenant', 'create', '--name', 'Scale large', '--json'], env);
  const tiny = cli(['tenant', 'create', '--name', 'Scale small', '--json'], env);
  const rest = await insertTenants(url, TENANTS - 2, 'Scale');
  const ids = [big.tenant.id, ...rest, tiny.tenant.id];
  let first = FIRST;
  for (let i = 0; i < TENANTS; i++) {
    plan.push({ tenantId: ids[i], first, size: tenantSizes[i] });
    first += tenantSizes[i];
  }
  console.log(`\nScale: seeding with COPY (largest tenant ${tenantSizes[0].toLocaleString()} users, smallest ${tenantSizes[TENANTS - 1].toLocaleString()})…`);
  await copyUsers(url, plan, { rebuildIndexes: true });
  const dbSize = Number((await sql(url, 'select pg_database_size(current_database()) as b')).rows[0].b);
  console.log(`  database size after the load: ${gb(dbSize)} (${(dbSize / USERS).toFixed(0)} bytes per user)`);

  const targets = [
    { label: `large tenant (${tenantSizes[0].toLocaleString()} users)`, t: big, p: plan[0] },
    { label: `small tenant (${tenantSizes[TENANTS - 1].toLocaleString()} users)`, t: tiny, p: plan[TENANTS - 1] },
  ];
  const q = (f) => encodeURIComponent(f);
  const specs = ({ t, p }) => {
    const base = `http://127.0.0.1:${port}/scim/v2/${t.tenant.slug}`;
    const path = new URL(base).pathname;
    const headers = { authorization: `Bearer ${t.token}`, 'content-type': 'application/scim+json' };
    const pick = () => p.first + Math.floor(Math.random() * p.size);
    const varying = (u, make) => ({ url: u, headers, requests: [{ setupRequest: (req) => ({ ...req, path: make() }) }] });
    const body = () => JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `scale${process.pid}-${n++}@example.com`, emails: [{ value: `s${n}@example.com`, type: 'work', primary: true }], active: true });
    return {
      pgRoute: varying(`http://127.0.0.1:${pgPort}`, () => `/${idOf(pick())}`),
      get: varying(base, () => `${path}/Users/${idOf(pick())}`),
      eq: varying(base, () => `${path}/Users?filter=${q(`userName eq "user${pick()}@example.com"`)}`),
      page: { url: `${base}/Users?startIndex=1&count=100`, headers },
      write: { url: `http://127.0.0.1:${writePort}/${t.tenant.id}`, method: 'POST', headers, requests: [{ setupRequest: (req) => ({ ...req, body: body() }) }] },
      post: { url: `${base}/Users`, method: 'POST', headers, requests: [{ setupRequest: (req) => ({ ...req, body: body() }) }] },
    };
  };
  // warm-up, unmeasured: then RSS is sampled from here to the end of the run
  for (const target of targets) for (const opts of Object.values(specs(target))) await load('warm-up', { ...opts, duration: 2 });
  const rss = sampleRss(server.pid);
  for (const target of targets) {
    const s = specs(target);
    const pgRoute = await load(`pg-route, ${target.label}`, s.pgRoute);
    const get = await load(`GET /Users/{id}, ${target.label}`, s.get);
    const eq = await load(`filter userName eq, ${target.label}`, s.eq);
    const page = await load(`page of 100, ${target.label}`, s.page);
    const write = await load(`write ceiling, ${target.label}`, s.write);
    const post = await load(`POST /Users, ${target.label}`, s.post);
    console.log(`\nScale, ${target.label}: ratios to pg-route`);
    report(pgRoute, [get, eq, page, post], {});
    report(write, [post], {});
    aim(`scale: GET /Users/{id}, ${target.label} vs pg-route`, get.rps / pgRoute.rps, 0.8);
    aim(`scale: userName eq, ${target.label} vs pg-route`, eq.rps / pgRoute.rps, 0.7);
    aim(`scale: POST /Users, ${target.label} vs write ceiling`, post.rps / write.rps, 0.7, `(${(post.rps / pgRoute.rps).toFixed(2)}x pg-route)`);
    console.log(`page of 100, ${target.label}: ${page.rps.toFixed(0)} req/s, ${(page.rps / pgRoute.rps).toFixed(3)}x pg-route`);
  }
  const samples = rss.stop();
  const mb = (b) => `${(b / 1024 ** 2).toFixed(0)} MB`;
  // flat: the median of the last quarter of the samples is within 10% of the median of the first
  // quarter (a leak grows with every request; a single GC cycle's peak does not count)
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const quarter = Math.max(1, Math.floor(samples.length / 4));
  const early = median(samples.slice(0, quarter));
  const late = median(samples.slice(-quarter));
  const growth = (late - early) / early;
  console.log(
    `\nServer RSS after warm-up, sampled 1/s over the measurements (${samples.length} samples): min ${mb(Math.min(...samples))}, max ${mb(Math.max(...samples))}; ` +
      `median of the first quarter ${mb(early)}, of the last quarter ${mb(late)}: ${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}% -> ${Math.abs(growth) <= 0.1 ? 'flat' : 'NOT flat'}`,
  );
}

module.exports = { scaleBench, preflight };
