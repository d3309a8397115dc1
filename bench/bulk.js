// Issue 6: a bulk of 1,000 user creates (RFC 7644 §3.7), against the same 1,000 users created by
// sequential single POST /Users in the same run (what an IdP does without /Bulk).
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const N = Number(process.env.BENCH_BULK_USERS || 1000);
const ROUNDS = Number(process.env.BENCH_BULK_ROUNDS || 3);

const user = (tag, i) => ({
  schemas: [USER],
  userName: `${tag}-${i}@example.com`,
  externalId: `${tag}-${i}`,
  name: { givenName: 'Bulk', familyName: `User ${i}` },
  emails: [{ value: `${tag}-${i}@example.com`, type: 'work', primary: true }],
  active: true,
});

const seconds = (started) => Number(process.hrtime.bigint() - started) / 1e9;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function sequential(base, headers, tag) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    const res = await fetch(`${base}/Users`, { method: 'POST', headers, body: JSON.stringify(user(tag, i)) });
    if (res.status !== 201) throw new Error(`POST /Users answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  }
  return seconds(started);
}

async function bulk(base, headers, tag) {
  const body = JSON.stringify({
    schemas: [BULK_REQUEST],
    Operations: Array.from({ length: N }, (_, i) => ({ method: 'POST', path: '/Users', bulkId: `u${i}`, data: user(tag, i) })),
  });
  const started = process.hrtime.bigint();
  const res = await fetch(`${base}/Bulk`, { method: 'POST', headers, body });
  const out = await res.json();
  const elapsed = seconds(started);
  if (res.status !== 200) throw new Error(`POST /Bulk answered ${res.status}: ${JSON.stringify(out)}`);
  const created = out.Operations.filter((o) => o.status === '201').length;
  if (created !== N) throw new Error(`POST /Bulk created ${created} of ${N} users`);
  return { elapsed, bytes: Buffer.byteLength(body) };
}

/** Runs ROUNDS of each, interleaved so drift on the shared machine hits both alike; reports medians. */
async function bulkBench(base, headers) {
  const seq = [];
  const blk = [];
  let bytes = 0;
  for (let r = 0; r < ROUNDS; r++) {
    seq.push(await sequential(base, headers, `seq${r}-${process.pid}`));
    const b = await bulk(base, headers, `bulk${r}-${process.pid}`);
    blk.push(b.elapsed);
    bytes = b.bytes;
  }
  const s = median(seq);
  const b = median(blk);
  console.log(`\nBulk: ${N} user creates, median of ${ROUNDS} rounds (request body ${(bytes / 1024).toFixed(0)} KiB)`);
  console.log(`  ${N} sequential POST /Users (baseline)   ${s.toFixed(2)} s   ${(N / s).toFixed(0)} users/s`);
  console.log(`  one POST /Bulk with ${N} POST operations  ${b.toFixed(2)} s   ${(N / b).toFixed(0)} users/s   ratio ${(s / b).toFixed(2)}x the baseline's speed (aim: well inside 60 s)`);
  return { sequential: s, bulk: b };
}

module.exports = { bulkBench };
