// The write ceiling (issue 16): a bare Koa route doing what POST /Users must do at the least, with
// `pg` and nothing above the driver: in one transaction, INSERT the user row and INSERT its outbox
// event; then answer 201 with the stored resource. POST /<tenantId> with a SCIM User body.
const Koa = require('koa');
const { randomUUID } = require('node:crypto');
const { Pool } = require('pg');
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

const INSERT_USER = `insert into scim_user (id, tenant_id, user_name, user_name_key, external_id, display_name, active, attributes, version, created_at, updated_at)
  values ($1, $2, $3, $9, $4, $5, $6, $7, 1, $8, $8)`;
const INSERT_EVENT = `insert into event_outbox (id, tenant_id, type, subject, time, data, state) values ($1, $2, 'user.created', $3, $4, $5, 'ready')`;

async function readJson(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return JSON.parse(Buffer.concat(chunks).toString());
}

const app = new Koa();
app.use(async (ctx) => {
  const tenantId = ctx.path.slice(1);
  const body = await readJson(ctx.req);
  const id = randomUUID();
  const now = new Date();
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(INSERT_USER, [id, tenantId, body.userName, body.externalId ?? null, body.displayName ?? null, body.active ?? true, body, now, String(body.userName).normalize('NFKC').toLowerCase().normalize('NFC')]);
    await client.query(INSERT_EVENT, [randomUUID(), tenantId, id, now, { resourceType: 'User', id, attributes: body }]);
    await client.query('commit');
  } catch (e) {
    await client.query('rollback');
    throw e;
  } finally {
    client.release();
  }
  ctx.status = 201;
  ctx.body = { ...body, id, meta: { resourceType: 'User', created: now, lastModified: now, version: 'W/"1"' } };
});
app.listen(Number(process.env.PORT), '127.0.0.1', () => process.send && process.send('ready'));
