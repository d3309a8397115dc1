// Reference point: a bare Koa route doing one pg query for the same user row, no framework above
// the driver. It shows what one database round trip costs on this machine.
const Koa = require('koa');
const { Pool } = require('pg');
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const app = new Koa();
app.use(async (ctx) => {
  const { rows } = await pool.query('select id, attributes, version, created_at, updated_at from scim_user where id = $1', [ctx.path.slice(1)]);
  ctx.body = rows[0];
});
app.listen(Number(process.env.PORT), '127.0.0.1', () => process.send && process.send('ready'));
