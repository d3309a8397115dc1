import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { buildApp } from '../../src/app';
import { runCommand } from '../../src/cli/commands';
import { sendToServer, startControlSocket } from '../../src/cli/control-socket';
import { graphqlRouter } from '../../src/graphql/router';
import { migrate } from '../../src/db/orm';
import { codes, createGqlTestApp, GqlTestApp } from './graphql-helpers';

let app: GqlTestApp;
beforeAll(async () => {
  app = await createGqlTestApp();
});
afterAll(async () => app.close());

const run = (name: Parameters<typeof runCommand>[2], args: Record<string, string | undefined>) =>
  runCommand(app.services, app.config, name, args, () => migrate(app.orm));

describe('admin keys (provisio admin-key)', () => {
  it('create prints exactly {key, role, tenant}; the key is stored only as its SHA-256', async () => {
    const out = (await run('admin-key.create', { role: 'auditor' })) as Record<string, unknown>;
    expect(Object.keys(out).sort()).toEqual(['key', 'role', 'tenant']);
    expect(out).toMatchObject({ role: 'auditor', tenant: null });
    expect(out.key).toMatch(/^pra_[A-Za-z0-9_-]{43}$/);
    const rows = await app.orm.em.fork().getConnection().execute('select hash, prefix from admin_key');
    expect(JSON.stringify(rows)).not.toContain(out.key as string);
    const t = await app.tenant('Scoped Co');
    expect(await run('admin-key.create', { role: 'admin', tenant: t.slug })).toMatchObject({ role: 'admin', tenant: t.slug });
    await expect(run('admin-key.create', { role: 'root' })).rejects.toMatchObject({ code: 'invalidValue' });
    await expect(run('admin-key.create', { role: 'admin', tenant: 'no-such' })).rejects.toMatchObject({ code: 'notFound' });
  });

  it('list shows metadata without secrets; a revoked key is refused from the next request on', async () => {
    const { key } = (await run('admin-key.create', { role: 'admin' })) as { key: string };
    const ok = await app.gql(key, '{ tenants { slug } }');
    expect(ok.status).toBe(200);
    const listed = (await run('admin-key.list', {})) as { id: string; prefix: string; lastUsedAt: Date | null }[];
    for (const row of listed) expect(row).not.toHaveProperty('key');
    const mine = listed.find((k) => key.startsWith(k.prefix))!;
    expect(mine.lastUsedAt).not.toBeNull();
    await run('admin-key.revoke', { id: mine.id });
    const refused = await app.gql(key, '{ tenants { slug } }');
    expect(refused.status).toBe(401);
    expect(codes(refused)).toEqual(['UNAUTHENTICATED']);
  });

  it('in embedded mode the CLI creates keys through the running server (control socket)', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'provisio-gql-sock-'));
    const config = { ...app.config, dataDir };
    const server = await startControlSocket(app.services, config, () => migrate(app.orm));
    try {
      const reply = await sendToServer(config, 'admin-key.create', { role: 'admin' });
      expect(reply?.ok).toBe(true);
      const created = reply?.result as { key: string; role: string; tenant: null };
      expect(Object.keys(created)).toEqual(['key', 'role', 'tenant']);
      expect((await app.gql(created.key, '{ tenants { id } }')).status).toBe(200);
    } finally {
      await new Promise((r) => server.close(r));
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('GraphQL authentication and authorization', () => {
  it('no key or a wrong key: UNAUTHENTICATED, HTTP 401, no data', async () => {
    for (const key of [undefined, 'pra_wrong', 'prv_notanadminkey']) {
      const res = await app.gql(key, '{ tenants { id } }');
      expect(res.status).toBe(401);
      expect(codes(res)).toEqual(['UNAUTHENTICATED']);
      expect(res.body.data).toBeUndefined();
    }
    // a SCIM token is not an admin key
    const t = await app.tenant('Token Co');
    expect(codes(await app.gql(t.token, '{ tenants { id } }'))).toEqual(['UNAUTHENTICATED']);
  });

  it('an auditor reads but cannot mutate: FORBIDDEN, and nothing changes', async () => {
    const auditor = await app.key('auditor');
    const t = await app.tenant('Audited');
    expect((await app.gql(auditor, `{ tenant(slug: "${t.slug}") { name } }`)).body.data.tenant.name).toBe('Audited');
    const res = await app.gql(auditor, `mutation { updateTenant(tenant: "${t.slug}", input: { name: "Hacked" }) { name } }`);
    expect(codes(res)).toEqual(['FORBIDDEN']);
    expect(codes(await app.gql(auditor, 'mutation { createTenant(input: { name: "Nope" }) { id } }'))).toEqual(['FORBIDDEN']);
    expect((await app.services.tenants.get(t.slug)).name).toBe('Audited');
  });

  it('a key limited to a tenant sees that tenant only', async () => {
    const a = await app.tenant('Alpha Scope');
    const b = await app.tenant('Beta Scope');
    const key = await app.key('admin', a.slug);
    const tenants = await app.gql(key, '{ tenants { slug } }');
    expect(tenants.body.data.tenants).toEqual([{ slug: a.slug }]);
    const other = await app.gql(key, `{ tenant(slug: "${b.slug}") { name users { totalCount } } }`);
    // another tenant is answered as no tenant at all (no existence oracle; test/adversarial/tenant-oracle)
    expect(codes(other)).toEqual(['NOT_FOUND']);
    expect(other.body.data).toBeNull();
    expect(codes(await app.gql(key, `{ tenant(id: "${b.id}") { name } }`))).toEqual(['NOT_FOUND']);
    expect(codes(await app.gql(key, `{ stats(tenant: "${b.slug}") { groups } }`))).toEqual(['NOT_FOUND']);
    expect(codes(await app.gql(key, `mutation { revokeToken(tenant: "${b.slug}", id: "${b.tokenId}") { id } }`))).toEqual(['NOT_FOUND']);
    expect(codes(await app.gql(key, 'mutation { createTenant(input: { name: "Gamma" }) { id } }'))).toEqual(['FORBIDDEN']);
    // figures without a tenant argument are its tenant's only
    await app.services.users.create({ tenant: { id: b.id, slug: b.slug, name: 'Beta Scope' }, actor: { kind: 'system' }, requestId: 't' }, {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'only-in-beta@example.com',
    });
    const stats = await app.gql(key, '{ stats { usersActive connections { id } } }');
    expect(stats.body.data.stats).toEqual({ usersActive: 0, connections: [{ id: a.connectionId }] });
    // its own tenant works, writes included
    const own = await app.gql(key, `mutation { updateTenant(tenant: "${a.slug}", input: { name: "Alpha Renamed" }) { name slug } }`);
    expect(own.body.data.updateTenant).toEqual({ name: 'Alpha Renamed', slug: a.slug });
  });
});

describe('GraphQL errors', () => {
  it('carry extensions.code and never a stack', async () => {
    const key = await app.key();
    const t = await app.tenant('Errors Inc');
    const cases: [string, string][] = [
      [`{ tenant(slug: "no-such-tenant") { id } }`, 'NOT_FOUND'],
      [`{ tenant(slug: "${t.slug}") { user(id: "0190a3b4-0000-7000-8000-000000000000") { id } } }`, 'NOT_FOUND'],
      [`{ tenant(slug: "${t.slug}") { users(filter: "userName eq") { totalCount } } }`, 'BAD_USER_INPUT'],
      [`{ tenant(slug: "${t.slug}") { users(filter: "nosuch eq 1") { totalCount } } }`, 'BAD_USER_INPUT'],
      [`{ tenant(slug: "${t.slug}") { users(after: "garbage") { totalCount } } }`, 'BAD_USER_INPUT'],
      [`{ tenant(slug: "${t.slug}") { users(first: -1) { totalCount } } }`, 'BAD_USER_INPUT'],
      [`mutation { createTenant(input: { name: "Dup", slug: "${t.slug}" }) { id } }`, 'CONFLICT'],
      [`{ tenants { nosuchfield } }`, 'GRAPHQL_VALIDATION_FAILED'],
      [`{ tenants { `, 'GRAPHQL_PARSE_FAILED'],
    ];
    for (const [query, code] of cases) {
      const res = await app.gql(key, query);
      expect({ query, codes: codes(res) }).toEqual({ query, codes: [code] });
      expect(JSON.stringify(res.body)).not.toMatch(/stacktrace|\.ts:\d+|at .*\(/);
    }
  });

  it('an unexpected failure is a bare INTERNAL_SERVER_ERROR with the request id in the header', async () => {
    const key = await app.key();
    const t = await app.tenant('Broken Inc');
    const original = app.services.stats.countsOf;
    app.services.stats.countsOf = async () => {
      throw new Error('secret internal detail at /srv/provisio/x.ts:12');
    };
    try {
      const res = await request(app.server)
        .post('/graphql')
        .set('Authorization', `Bearer ${key}`)
        .set('X-Request-Id', 'req-gql-1')
        .send({ query: `{ tenant(slug: "${t.slug}") { stats { groups } } }` });
      expect(res.headers['x-request-id']).toBe('req-gql-1');
      expect(res.body.errors).toEqual([{ message: 'Internal server error', locations: expect.any(Array), path: ['tenant', 'stats'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
      expect(JSON.stringify(res.body)).not.toContain('secret');
    } finally {
      app.services.stats.countsOf = original;
    }
  });

  it('with NODE_ENV=production too: no stack, no detail to the client; the log has both, with the request id', async () => {
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    const lines: string[] = [];
    try {
      const logger = pino({ level: 'error' }, { write: (line: string) => void lines.push(line) });
      const prod = buildApp({ config: app.config, services: app.services, logger, extraRouters: [await graphqlRouter({ services: app.services, config: app.config, logger })] });
      const server = http.createServer(prod.callback());
      const key = await app.key();
      const t = await app.tenant('Prod Inc');
      const original = app.services.stats.countsOf;
      app.services.stats.countsOf = async () => {
        throw new TypeError('cannot read x of undefined');
      };
      try {
        const res = await request(server)
          .post('/graphql')
          .set('Authorization', `Bearer ${key}`)
          .set('X-Request-Id', 'req-prod-7')
          .send({ query: `{ tenant(slug: "${t.slug}") { stats { groups } } }` });
        expect(res.body.errors).toHaveLength(1);
        const logged = lines.map((l) => JSON.parse(l)).find((l) => l.reqId === 'req-prod-7');
        expect(logged?.err?.message).toBe('cannot read x of undefined');
        expect(logged?.err?.stack).toContain('TypeError');
        expect(res.body.errors[0]).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
        expect(JSON.stringify(res.body)).not.toMatch(/stacktrace|cannot read|TypeError/);
        const bad = await request(server).post('/graphql').set('Authorization', `Bearer ${key}`).send({ query: `{ tenant(slug: "${t.slug}") { users(filter: "x eq") { totalCount } } }` });
        expect(bad.body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'invalidFilter' });
      } finally {
        app.services.stats.countsOf = original;
      }
    } finally {
      process.env.NODE_ENV = previous;
    }
  });

  it('a browser opening /graphql is sent to the bundled explorer (no CDN landing page)', async () => {
    const res = await request(app.server).get('/graphql').set('Accept', 'text/html');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/admin/explorer');
  });
});
