// Issue 16, plan stability: the first seconds right after a bulk load of 100,000 users into a table
// that nothing has analysed (autovacuum off, as on the issue's machine; switched off here for the
// table so the row means the same everywhere), next to tenants of very different sizes. The same
// three requests are measured again after VACUUM ANALYZE (the steady state); the row to watch is
// the ratio of the first window to the steady state (the issue saw a 4-18x dip).
const { load, loadTogether, report, aim, sql } = require('./lib');
const { copyUsers, insertTenants, idOf } = require('./seed');

const USERS = Number(process.env.BENCH_FRESH_USERS || 100_000);
const WINDOW = Number(process.env.BENCH_FRESH_SECONDS || 10);
// user numbers of this section start here, clear of the query section's 1..BENCH_USERS
const FIRST = 50_000_000;

async function freshBench({ url, tenantId, base, headers }) {
  const path = new URL(base).pathname;
  await sql(url, 'alter table scim_user set (autovacuum_enabled = false)');
  const others = await insertTenants(url, 3, 'Fresh small');
  const q = (f) => encodeURIComponent(f);
  const varying = (make, duration = WINDOW) => ({ url: base, headers, duration, requests: [{ setupRequest: (req) => ({ ...req, path: make() }) }] });
  // pick() gives { id, n } of a user whose userName is user<n>@example.com and externalId ext-<n>
  const mix = (label, pick, duration) => [
    [`${label}: GET /Users/{id}`, varying(() => `${path}/Users/${pick().id}`, duration)],
    [`${label}: filter userName eq`, varying(() => `${path}/Users?filter=${q(`userName eq "user${pick().n}@example.com"`)}`, duration)],
    [`${label}: filter externalId eq`, varying(() => `${path}/Users?filter=${q(`externalId eq "ext-${pick().n}"`)}`, duration)],
  ];
  // the server has served these paths before the load (JIT-compiled, pool open, plans of the small
  // table in use), as a running deployment has: 100 users created through the API, then warm-up
  const warm = [];
  for (let i = 0; i < 100; i++) {
    const n = FIRST - 1000 + i;
    const res = await fetch(`${base}/Users`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/scim+json' },
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `user${n}@example.com`, externalId: `ext-${n}` }),
    });
    if (res.status !== 201) throw new Error(`POST /Users answered ${res.status}: ${await res.text()}`);
    warm.push({ id: (await res.json()).id, n });
  }
  for (const [, opts] of mix('warm-up', () => warm[Math.floor(Math.random() * warm.length)], 2)) await load('warm-up', opts);
  console.log(`\nPlan stability: loading ${USERS.toLocaleString()} users with COPY under the live indexes, no ANALYZE…`);
  // next to it, tenants of 10, 100 and 1,000 users
  const plan = [{ tenantId, first: FIRST, size: USERS }];
  others.forEach((id, i) => plan.push({ tenantId: id, first: FIRST + USERS + 1111 * i, size: 10 ** (i + 1) }));
  await copyUsers(url, plan);
  const pick = () => {
    const n = FIRST + Math.floor(Math.random() * USERS);
    return { id: idOf(n), n };
  };
  // the first WINDOW seconds after the load: three request kinds side by side over the same seconds
  const fresh = await loadTogether(mix(`first ${WINDOW} s after load`, pick));
  await sql(url, 'vacuum analyze scim_user');
  await sql(url, 'alter table scim_user reset (autovacuum_enabled)');
  for (const [, opts] of mix('warm-up', pick, 2)) await load('warm-up', opts);
  const steady = await loadTogether(mix('steady state (analysed)', pick));
  for (let i = 0; i < fresh.length; i++) {
    report(steady[i], [fresh[i]], { [fresh[i].title]: 0.8 });
    aim(`${fresh[i].title.replace(/^first \d+ s after load: /, '')}, first ${WINDOW} s after a load vs steady`, fresh[i].rps / steady[i].rps, 0.8, `(${USERS.toLocaleString()} users, no ANALYZE)`);
  }
}

module.exports = { freshBench };
