// Fairness section of `npm run bench` (issue 13): tenant B's latency alone, then while tenant A
// sends its worst accepted queries (filters that scan a large tenant of many-email users) and
// bursts of light requests, on one server with the default limits. Reported as ratios to B's solo
// run (the machine is shared: absolute figures drift, the ratio is the result).
const { sql, cli, startProcess, stop, freePort } = require('./lib');

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const HEAVY = 'not (emails[type co "a" and value co "zz"] or emails[value co "qq"] or displayName co "x")';

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** `rounds` sequential filtered reads of B's users; p50/p99 in ms and the statuses seen. */
async function probe(base, headers, rounds) {
  const ms = [];
  const statuses = new Map();
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    const res = await fetch(`${base}/Users?filter=${encodeURIComponent(`userName eq "b${i % 50}@example.com"`)}`, { headers });
    await res.arrayBuffer();
    ms.push(performance.now() - started);
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  }
  ms.sort((x, y) => x - y);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99), statuses };
}

/** One server with `env`; B alone, then B while A attacks. */
async function scenario(db, env, label) {
  const a = cli(['tenant', 'create', '--name', `Attacker ${label}`, '--json'], { DATABASE_URL: db.url });
  const b = cli(['tenant', 'create', '--name', `Bystander ${label}`, '--json'], { DATABASE_URL: db.url });
  await sql(
    db.url,
    `insert into scim_user (id, tenant_id, user_name, user_name_key, active, attributes, version, created_at, updated_at)
     select gen_random_uuid(), $1, 'a' || n || '@example.com', 'a' || n || '@example.com', true,
            jsonb_build_object('userName', 'a' || n || '@example.com', 'active', true,
              'emails', (select jsonb_agg(jsonb_build_object('value', 'a' || n || '.' || k || '@example.com', 'type', 'work')) from generate_series(1, 20) k)),
            1, now(), now()
       from generate_series(1, 15000) n`,
    [a.tenant.id],
  );
  await sql(db.url, 'analyze scim_user');
  const port = freePort();
  const server = await startProcess(['dist/src/main.js'], { DATABASE_URL: db.url, PORT: String(port), LOG_LEVEL: 'error', ...env }, () => false);
  try {
    const baseA = `http://127.0.0.1:${port}/scim/v2/${a.tenant.slug}`;
    const baseB = `http://127.0.0.1:${port}/scim/v2/${b.tenant.slug}`;
    const headersA = { authorization: `Bearer ${a.token}` };
    const headersB = { authorization: `Bearer ${b.token}`, 'content-type': 'application/scim+json' };
    for (let i = 0; i < 50; i++) {
      await fetch(`${baseB}/Users`, { method: 'POST', headers: headersB, body: JSON.stringify({ schemas: [USER], userName: `b${i}@example.com` }) });
    }
    const rounds = Number(process.env.BENCH_FAIRNESS_ROUNDS || 200);
    await probe(baseB, headersB, 20);
    const solo = await probe(baseB, headersB, rounds);
    let stopped = false;
    const answersA = new Map();
    const attack = async (url) => {
      while (!stopped) {
        const res = await fetch(url, { headers: headersA });
        await res.arrayBuffer();
        answersA.set(res.status, (answersA.get(res.status) ?? 0) + 1);
      }
    };
    const attackers = [
      ...Array.from({ length: 12 }, () => attack(`${baseA}/Users?count=1&filter=${encodeURIComponent(HEAVY)}`)),
      ...Array.from({ length: 20 }, () => attack(`${baseA}/Users?count=1`)),
    ];
    await new Promise((r) => setTimeout(r, 1500));
    const attacked = await probe(baseB, headersB, rounds);
    stopped = true;
    await Promise.all(attackers);
    return { label, solo, attacked, answersA };
  } finally {
    await stop(server);
  }
}

const fmt = (m) => [...m.entries()].map(([s, n]) => `${s}: ${n}`).join(', ');

async function fairnessBench(db) {
  console.log('\nFairness: tenant B alone, then while tenant A attacks (12 heavy filters + 20 request loops)');
  const runs = [
    await scenario(db, {}, 'default limits'),
    // (PostgreSQL's own default of 2 parallel workers per gather)
    await scenario(db, { TENANT_CONCURRENCY: '0', RATE_LIMIT_TENANT_PER_SECOND: '0', RATE_LIMIT_CONNECTION_PER_SECOND: '0', DB_PARALLEL_WORKERS_PER_REQUEST: '2' }, 'no gate, no rate limits'),
  ];
  for (const r of runs) {
    console.log(
      `${r.label.padEnd(26)} B alone p50 ${r.solo.p50.toFixed(1)} ms p99 ${r.solo.p99.toFixed(1)} ms | under attack p50 ${r.attacked.p50.toFixed(1)} ms p99 ${r.attacked.p99.toFixed(1)} ms` +
        ` | ratio p50 ${(r.attacked.p50 / r.solo.p50).toFixed(2)} p99 ${(r.attacked.p99 / r.solo.p99).toFixed(2)}`,
    );
    console.log(`${''.padEnd(26)} B's answers alone: ${fmt(r.solo.statuses)}; under attack: ${fmt(r.attacked.statuses)}; A's answers: ${fmt(r.answersA)}`);
  }
}

module.exports = { fairnessBench };
