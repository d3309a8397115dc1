// Bulk seeding with COPY (issue 16): users spread over tenants, as a bulk import would load them.
// User n (global across tenants) has userName user<n>@example.com, externalId ext-<n>, a work and a
// home email and a UUIDv7-shaped id derived from n (idOf), so a bench can address any seeded row.
const { pipeline } = require('node:stream/promises');
const { Readable } = require('node:stream');
const { randomUUID } = require('node:crypto');
const { Client } = require('pg');
const { from: copyFrom } = require('pg-copy-streams');
const { sql } = require('./lib');

/** The id of seeded user n: creation-ordered, UUIDv7-shaped, as the service issues them. */
function idOf(n) {
  const h = (1704067200000 + n * 1000).toString(16).padStart(12, '0') + '7000' + '8000' + n.toString(16).padStart(12, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function row(tenantId, n) {
  const ts = new Date(Date.UTC(2024, 0, 1) + n * 1000).toISOString();
  const active = n % 10 !== 0;
  const attributes = {
    userName: `user${n}@example.com`,
    externalId: `ext-${n}`,
    displayName: `User ${n}`,
    active,
    name: { givenName: `Given${n % 1000}`, familyName: `Family${n % 5000}` },
    emails: [
      { value: `user${n}@corp.example.com`, type: 'work', primary: true },
      { value: `u${n}@home.example.net`, type: 'home' },
    ],
  };
  // text COPY format: none of these values holds a tab, newline or backslash; the userName is
  // lower-case ASCII, so its comparison key (src/domain/user/username.ts) is the userName itself
  return `${idOf(n)}\t${tenantId}\tuser${n}@example.com\tuser${n}@example.com\text-${n}\tUser ${n}\t${active ? 't' : 'f'}\t${JSON.stringify(attributes)}\t1\t${ts}\t${ts}\n`;
}

/** Inserts tenants (id, name, slug) directly: the bench addresses only those it made through the CLI. */
async function insertTenants(url, count, prefix) {
  const ids = Array.from({ length: count }, () => randomUUID());
  await sql(
    url,
    `insert into tenant (id, name, slug, created_at, updated_at)
     select id, $2 || ' ' || i, lower($2) || '-' || i || '-' || $3, now(), now() from unnest($1::uuid[]) with ordinality as t(id, i)`,
    [ids, prefix, process.pid],
  );
  return ids;
}

/**
 * COPYs users into scim_user: `plan` is a list of { tenantId, first, size } (user numbers first ..
 * first + size - 1). With `rebuildIndexes`, every index but the primary key is dropped for the load
 * and rebuilt after, then the table is vacuum-analysed (a planned import); without it, the rows go in
 * under the live indexes and nothing is analysed (what a bulk load through the service leaves).
 */
async function copyUsers(url, plan, { rebuildIndexes = false, progress = true } = {}) {
  const c = new Client({ connectionString: url });
  await c.connect();
  const total = plan.reduce((s, p) => s + p.size, 0);
  const started = Date.now();
  try {
    let defs = [];
    if (rebuildIndexes) {
      defs = (await c.query(`select indexname, indexdef from pg_indexes where tablename = 'scim_user' and indexname <> 'scim_user_pkey'`)).rows;
      for (const d of defs) await c.query(`drop index "${d.indexname}"`);
    }
    let done = 0;
    function* chunks() {
      for (const p of plan) {
        for (let i = 0; i < p.size; i += 1000) {
          let s = '';
          const end = Math.min(p.size, i + 1000);
          for (let k = i; k < end; k++) s += row(p.tenantId, p.first + k);
          done += end - i;
          if (progress && done % 100_000 < 1000) process.stdout.write(`\r  ${done.toLocaleString()} / ${total.toLocaleString()} users`);
          yield s;
        }
      }
    }
    const stream = c.query(copyFrom('copy scim_user (id, tenant_id, user_name, user_name_key, external_id, display_name, active, attributes, version, created_at, updated_at) from stdin'));
    await pipeline(Readable.from(chunks()), stream);
    const loaded = Date.now();
    let timing = `copy ${((loaded - started) / 1000).toFixed(0)} s`;
    if (rebuildIndexes) {
      await c.query(`set maintenance_work_mem = '256MB'`);
      for (const d of defs) await c.query(d.indexdef);
      const indexed = Date.now();
      await c.query('vacuum analyze scim_user');
      await c.query('checkpoint');
      timing += `, ${defs.length} indexes ${((indexed - loaded) / 1000).toFixed(0)} s, vacuum analyze ${((Date.now() - indexed) / 1000).toFixed(0)} s`;
    }
    if (progress) console.log(`\r  ${total.toLocaleString()} users over ${plan.length.toLocaleString()} tenants: ${timing}`);
  } finally {
    await c.end();
  }
}

module.exports = { idOf, copyUsers, insertTenants };
