// npm run bench: load benchmarks on the real PostgreSQL, reported as ratios to a bare Koa
// hello-world measured in the same run (the machine is shared and noisy: absolute numbers drift).
const path = require('node:path');
const { scratchDatabase, freePort, startProcess, stop, load, cli, report } = require('./lib');

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

async function main() {
  const db = await scratchDatabase('provisio_bench');
  const children = [];
  try {
    const helloPort = freePort();
    children.push(await startProcess([path.join(__dirname, 'hello.js')], { PORT: String(helloPort) }, () => false));
    const hello = await load('hello-world (bare Koa)', { url: `http://127.0.0.1:${helloPort}/` });

    const env = { DATABASE_URL: db.url, LOG_LEVEL: process.env.BENCH_LOG_LEVEL || 'warn' };
    const tenant = cli(['tenant', 'create', '--name', 'Bench', '--json'], env);
    const port = freePort();
    const server = await startProcess(['dist/src/main.js'], { ...env, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` }, () => false);
    children.push(server);
    const base = `http://127.0.0.1:${port}/scim/v2/${tenant.tenant.slug}`;
    const headers = { authorization: `Bearer ${tenant.token}`, 'content-type': 'application/scim+json' };

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
  } finally {
    for (const c of children.reverse()) await stop(c);
    await db.drop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
