import request from 'supertest';
import http from 'node:http';
import pino from 'pino';
import { buildApp } from '../../src/app';
import { buildCli } from '../../src/cli/main';
import { runCommand, TenantCreated } from '../../src/cli/commands';
import { migrate } from '../../src/db/orm';
import { Writable } from 'node:stream';
import { exportAudit } from '../../src/cli/audit-export';
import { createTestDb, TestDb } from '../support/database';

/** Issue 12 §4: `provisio connection list|create|update|disable|enable|delete` and `tenant delete`. */
let db: TestDb;
let server: http.Server;
beforeAll(async () => {
  db = await createTestDb();
  server = http.createServer(buildApp({ config: db.config, services: db.services, logger: pino({ level: 'silent' }) }).callback());
});
afterAll(async () => {
  await db.services.audit.drain();
  await db.close();
});

const run = (name: Parameters<typeof runCommand>[2], args: Record<string, string | number | boolean | undefined>) =>
  runCommand(db.services, db.config, name, args, () => migrate(db.orm));

type Row = { id: string; name: string; idp: string; status: string; deletePolicy: string };

describe('provisio connection …', () => {
  it('the command tree parses the documented flags', () => {
    const connection = buildCli().commands.find((c) => c.name() === 'connection')!;
    expect(connection.commands.map((c) => c.name()).sort()).toEqual(['create', 'delete', 'disable', 'enable', 'health', 'list', 'update']);
    const create = connection.commands.find((c) => c.name() === 'create')!;
    expect(create.options.map((o) => o.long)).toEqual(expect.arrayContaining(['--tenant', '--name', '--idp', '--delete-policy', '--days']));
    const tenantDelete = buildCli().commands.find((c) => c.name() === 'tenant')!.commands.find((c) => c.name() === 'delete')!;
    expect(tenantDelete.options.map((o) => o.long)).toEqual(expect.arrayContaining(['--tenant', '--confirm']));
  });

  it('create, list, update, disable, enable, delete: each audited as CLI.<command>, the token refused while disabled and after delete', async () => {
    const t = (await run('tenant.create', { name: 'Cli Lifecycle', idp: 'okta', deletePolicy: 'delete' })) as TenantCreated;
    const slug = t.tenant.slug;
    const created = (await run('connection.create', { tenant: slug, name: 'Entra ID production', idp: 'entra' })) as { connection: Row; token: string; scimUrl: string };
    expect(created.connection).toMatchObject({ name: 'Entra ID production', idp: 'entra', status: 'active', deletePolicy: 'deactivate' });
    const path = new URL(created.scimUrl).pathname;
    const get = (token: string) => request(server).get(`${path}/Users`).set('Authorization', `Bearer ${token}`);
    expect((await get(created.token)).status).toBe(200);

    const listed = (await run('connection.list', { tenant: slug })) as Row[];
    expect(listed.map((r) => [r.name, r.deletePolicy])).toEqual([['okta', 'delete'], ['Entra ID production', 'deactivate']]);

    const id = created.connection.id;
    expect(await run('connection.update', { tenant: slug, id, deletePolicy: 'delete', name: 'Entra (old)' })).toMatchObject({ name: 'Entra (old)', deletePolicy: 'delete' });
    await expect(run('connection.update', { tenant: slug, id, deletePolicy: 'archive' })).rejects.toMatchObject({ code: 'invalidValue' });
    await expect(run('connection.update', { tenant: slug, id })).rejects.toMatchObject({ code: 'invalidValue' });

    expect(await run('connection.disable', { tenant: slug, id })).toMatchObject({ status: 'disabled' });
    expect((await get(created.token)).status).toBe(401);
    expect(await run('connection.enable', { tenant: slug, id })).toMatchObject({ status: 'active' });
    expect((await get(created.token)).status).toBe(200);
    expect(await run('connection.delete', { tenant: slug, id })).toMatchObject({ status: 'deleted' });
    expect((await get(created.token)).status).toBe(401);
    expect(((await run('connection.list', { tenant: slug })) as Row[]).map((r) => r.name)).toEqual(['okta']);
    expect(((await run('connection.list', { tenant: slug, all: true })) as Row[]).map((r) => r.status)).toEqual(['active', 'deleted']);
    await expect(run('connection.disable', { tenant: slug, id })).rejects.toMatchObject({ code: 'notFound' });

    await db.services.audit.drain();
    const { entries } = await db.services.audit.query(t.tenant.id, { actorKind: 'admin' });
    expect(entries.map((e) => [e.operation, e.status, e.note]).reverse()).toEqual([
      ['CLI.connection.create', 200, 'deletePolicy=deactivate'],
      ['CLI.connection.update', 200, 'deletePolicy=delete'],
      ['CLI.connection.update', 400, null],
      ['CLI.connection.disable', 200, 'connection_disabled'],
      ['CLI.connection.enable', 200, 'connection_enabled'],
      ['CLI.connection.delete', 200, 'connection_deleted'],
      ['CLI.connection.disable', 404, null],
    ]);
    const refused = (await db.services.audit.query(t.tenant.id, { outcome: 'failure', actorKind: 'scim' })).entries;
    expect(refused.map((e) => e.note).reverse()).toEqual(['connection_disabled', 'connection_deleted']);
  });

  it('tenant delete needs --confirm with the slug; afterwards the tenant is gone from the list and its audit trail still exports', async () => {
    const t = (await run('tenant.create', { name: 'Cli Leaving' })) as TenantCreated;
    const slug = t.tenant.slug;
    await expect(run('tenant.delete', { tenant: slug })).rejects.toMatchObject({ code: 'invalidValue' });
    await expect(run('tenant.delete', { tenant: slug, confirm: 'acme' })).rejects.toMatchObject({ code: 'invalidValue' });
    const path = new URL(t.scimUrl).pathname;
    expect((await request(server).get(`${path}/Users`).set('Authorization', `Bearer ${t.token}`)).status).toBe(200);

    const out = (await run('tenant.delete', { tenant: slug, confirm: slug })) as { tenant: { slug: string }; connectionsDeleted: number };
    expect(out).toMatchObject({ tenant: { slug }, connectionsDeleted: 1 });
    expect((await request(server).get(`${path}/Users`).set('Authorization', `Bearer ${t.token}`)).status).toBe(401);
    expect(((await run('tenant.list', {})) as { slug: string }[]).map((r) => r.slug)).not.toContain(slug);
    await expect(run('tenant.delete', { tenant: slug, confirm: slug })).rejects.toMatchObject({ code: 'notFound' });

    await db.services.audit.drain();
    const { entries } = await db.services.audit.query(t.tenant.id, {});
    expect(entries.filter((e) => e.operation === 'CLI.tenant.delete').map((e) => e.status).sort()).toEqual([200, 400, 400]);
    expect(entries.filter((e) => e.status === 401).map((e) => e.note)).toEqual(['tenant_deleted']);
    // `provisio audit export` still finds the deleted tenant's trail, note column included
    let csv = '';
    const out2 = new Writable({ write: (chunk, _enc, done) => ((csv += chunk.toString()), done()) });
    const written = await exportAudit(db.services, { tenant: slug, since: '2000-01-01', format: 'csv' }, out2);
    expect(written).toBe(entries.length);
    expect(csv.split('\n')[0].split(',').pop()).toBe('note');
    expect(csv).toContain('tenant_deleted');
  });
});
