import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import http from 'node:http';
import pino from 'pino';
import { buildApp } from '../../src/app';
import { runCommand, TenantCreated } from '../../src/cli/commands';
import { sendToServer, startControlSocket } from '../../src/cli/control-socket';
import { migrate } from '../../src/db/orm';
import { createTestDb, TestDb } from '../support/database';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => db.close());

const run = (name: Parameters<typeof runCommand>[2], args: Record<string, string | number | boolean | undefined>) =>
  runCommand(db.services, db.config, name, args, () => migrate(db.orm));

describe('provisio CLI commands', () => {
  it('tenant create prints exactly {tenant, scimUrl, token}, and the token works on that URL only', async () => {
    const out = (await run('tenant.create', { name: 'Acme', idp: 'okta' })) as TenantCreated;
    expect(Object.keys(out).sort()).toEqual(['scimUrl', 'tenant', 'token']);
    expect(Object.keys(out.tenant).sort()).toEqual(['id', 'name', 'slug']);
    expect(out.tenant).toMatchObject({ name: 'Acme', slug: 'acme' });
    expect(out.scimUrl).toBe('https://provisio.test/scim/v2/acme');
    const other = (await run('tenant.create', { name: 'Acme' })) as TenantCreated;
    expect(other.tenant.slug).toBe('acme-2');

    const server = http.createServer(buildApp({ config: db.config, services: db.services, logger: pino({ level: 'silent' }) }).callback());
    const path = new URL(out.scimUrl).pathname;
    expect((await request(server).get(`${path}/Users`).set('Authorization', `Bearer ${out.token}`)).status).toBe(200);
    expect((await request(server).get(`${path}/Users`).set('Authorization', `Bearer ${other.token}`)).status).toBe(401);
  });

  it('demo prints new credentials for the demo tenant (creating it when missing); earlier ones keep working', async () => {
    const first = (await run('demo', {})) as { slug: string; scimUrl: string; token: string; adminKey: string };
    expect(first).toMatchObject({ slug: 'demo', scimUrl: 'https://provisio.test/scim/v2/demo' });
    const second = (await run('demo', {})) as typeof first;
    expect(second.token).not.toBe(first.token);
    expect(second.adminKey).not.toBe(first.adminKey);
    for (const t of [first.token, second.token]) expect((await db.services.connections.authenticate('demo', t)).tenant.slug).toBe('demo');
    expect((await db.services.connections.listConnections((await db.services.tenants.get('demo')).id))).toHaveLength(1);
    expect((await db.services.adminKeys.authenticate(second.adminKey)).role).toBe('admin');
  });

  it('token create, list, rotate and revoke', async () => {
    const t = (await run('tenant.create', { name: 'Tokens Inc' })) as TenantCreated;
    const created = (await run('token.create', { tenant: t.tenant.slug, idp: 'entra', days: 30 })) as { id: string; token: string };
    expect(created.token).toMatch(/^prv_/);
    const listed = (await run('token.list', { tenant: t.tenant.slug })) as Record<string, unknown>[];
    expect(listed).toHaveLength(2);
    for (const row of listed) expect(row).not.toHaveProperty('token');
    const rotated = (await run('token.rotate', { tenant: t.tenant.slug, id: created.id, overlap: 5 })) as { id: string };
    expect(rotated.id).not.toBe(created.id);
    const revoked = (await run('token.revoke', { tenant: t.tenant.slug, id: rotated.id })) as { revokedAt: Date };
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    await expect(run('token.revoke', { tenant: 'no-such-tenant', id: rotated.id })).rejects.toMatchObject({ code: 'notFound' });
    await expect(run('tenant.create', { name: 'Bad', idp: 'azure' })).rejects.toMatchObject({ code: 'invalidValue' });
  });

  it('reaches a running server through its control socket (embedded mode)', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'provisio-sock-'));
    const config = { ...db.config, dataDir };
    expect(await sendToServer(config, 'tenant.list', {})).toBeUndefined();
    const server = await startControlSocket(db.services, config, () => migrate(db.orm));
    try {
      const reply = await sendToServer(config, 'tenant.create', { name: 'Via Socket' });
      expect(reply?.ok).toBe(true);
      expect((reply?.result as TenantCreated).tenant.slug).toBe('via-socket');
      expect((fs.statSync(path.join(dataDir, 'provisio.sock')).mode & 0o777).toString(8)).toBe('600');
      const failed = await sendToServer(config, 'token.list', { tenant: 'nope' });
      expect(failed).toMatchObject({ ok: false, error: { code: 'notFound' } });
    } finally {
      await new Promise((r) => server.close(r));
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
