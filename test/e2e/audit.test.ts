import { PassThrough } from 'node:stream';
import { exportAudit } from '../../src/cli/audit-export';
import { startControlSocket, streamFromServer } from '../../src/cli/control-socket';
import { migrate } from '../../src/db/orm';
import type { AuditRecord } from '../../src/domain/audit/audit.service';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createTestApp, scim, TestApp } from '../support/app';
import { USER } from '../support/events';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let app: TestApp;
let t: Awaited<ReturnType<TestApp['tenant']>>;
let api: ReturnType<typeof scim>;
const started = new Date(Date.now() - 1000);
let userId: string;

beforeAll(async () => {
  app = await createTestApp();
  t = await app.tenant('Audited');
  api = scim(app, t.token);
  const created = await api.post(`${t.base}/Users`, { schemas: [USER], userName: 'kim@example.com', password: 'Pa55-word!', name: { givenName: 'Kim' } });
  expect(created.status).toBe(201);
  userId = created.body.id;
  expect((await api.get(`${t.base}/Users/${userId}`)).status).toBe(200);
  const patched = await api.patch(`${t.base}/Users/${userId}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'name.familyName', value: 'Lee' }, { op: 'replace', path: 'active', value: false }] });
  expect(patched.status).toBe(200);
  expect((await api.get(`${t.base}/Users?filter=${encodeURIComponent('userName eq "kim@example.com"')}`)).status).toBe(200);
  expect((await api.post(`${t.base}/Users/.search`, { filter: 'displayName pr' })).status).toBe(200);
  expect((await api.post(`${t.base}/Users`, { schemas: [USER], userName: 'KIM@example.com' })).status).toBe(409);
  expect((await api.get(`${t.base}/Users/0190c5d6-0000-7000-8000-000000000000`)).status).toBe(404);
  expect((await request(app.server).get(`${t.base}/Users`).set('Authorization', 'Bearer prv_not-a-real-token')).status).toBe(401);
  expect((await request(app.server).get('/scim/v2/no-such-tenant/Users').set('Authorization', `Bearer ${t.token}`)).status).toBe(401);
  await app.services.audit.drain(); // reads are answered without waiting for their entry
});
afterAll(async () => app.close());

async function entries(): Promise<AuditRecord[]> {
  return (await app.services.audit.query(t.id, { limit: 1000 })).entries.reverse();
}

describe('audit trail of SCIM requests', () => {
  it('records every request of the tenant, errors and refused tokens included, in order', async () => {
    const all = await entries();
    expect(all.map((e) => [e.operation, e.status, e.scimType])).toEqual([
      ['User.create', 201, null],
      ['User.get', 200, null],
      ['User.patch', 200, null],
      ['User.list', 200, null],
      ['User.search', 200, null],
      ['User.create', 409, 'uniqueness'],
      ['User.get', 404, null],
      ['User.list', 401, null],
    ]);
    for (const e of all) {
      expect(e.requestId).toMatch(/\S/);
      expect(e.latencyMs).toBeGreaterThanOrEqual(0);
      expect(e.tenantId).toBe(t.id);
    }
  });

  it('names the actor, the resource ids touched and the changed attributes, and never a body, a password or a token', async () => {
    const [create, get, patch, list, search, conflict, , refused] = await entries();
    expect(create).toMatchObject({ actorKind: 'scim', connectionId: t.connectionId, tokenId: t.tokenId, idp: 'generic', method: 'POST', path: `${t.base}/Users`, resourceIds: [userId] });
    expect(create.changedAttributes).toEqual(expect.arrayContaining(['userName', 'name', 'active']));
    expect(get.resourceIds).toEqual([userId]);
    expect(patch.changedAttributes).toEqual(['active', 'name.familyName']);
    expect(list.filter).toBe('userName eq "kim@example.com"');
    expect(search.filter).toBe('displayName pr');
    expect(conflict.resourceIds).toEqual([]);
    expect(refused).toMatchObject({ actorKind: 'anonymous', connectionId: null, tokenId: null, status: 401 });
    const text = JSON.stringify(await entries());
    expect(text).not.toMatch(/Pa55-word|password|prv_/i);
    expect(text).not.toContain(t.token);
  });

  it('is queryable by time range, actor, resource, operation and outcome, newest first, keyset-paginated', async () => {
    const q = (o: Parameters<typeof app.services.audit.query>[1]) => app.services.audit.query(t.id, o);
    expect((await q({ outcome: 'failure' })).entries.map((e) => e.status)).toEqual([401, 404, 409]);
    expect((await q({ resourceId: userId })).entries.map((e) => e.operation)).toEqual(['User.patch', 'User.get', 'User.create']);
    expect((await q({ operation: 'User.patch' })).entries).toHaveLength(1);
    expect((await q({ actor: t.connectionId })).entries).toHaveLength(7);
    expect((await q({ actorKind: 'anonymous' })).entries).toHaveLength(1);
    expect((await q({ from: new Date(Date.now() + 60_000) })).entries).toHaveLength(0);
    expect((await q({ from: started, to: new Date(Date.now() + 1000) })).entries).toHaveLength(8);
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await q({ limit: 3, cursor });
      pages.push(page.entries.map((e) => e.id));
      cursor = page.next ?? undefined;
    } while (cursor);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 2]);
    expect(pages.flat()).toEqual((await entries()).map((e) => e.id).reverse());
    await expect(q({ cursor: 'bm90LWEtdXVpZA' })).rejects.toMatchObject({ code: 'invalidValue' });
  });

  it('records an admin mutation with the admin key', async () => {
    const other = await app.tenant('Admin Audited');
    const ctx = { tenant: { id: other.id, slug: other.slug, name: 'Admin Audited' }, actor: { kind: 'admin' as const, keyId: 'key-123' }, requestId: 'r-admin' };
    await app.services.audit.recordAdmin(ctx, { operation: 'releaseHold', status: 200, latencyMs: 3.5, resourceIds: ['0190c5d6-0000-7000-8000-000000000001'] });
    const [e] = (await app.services.audit.query(other.id, { actorKind: 'admin' })).entries;
    expect(e).toMatchObject({ actorKind: 'admin', adminKeyId: 'key-123', operation: 'releaseHold', path: '/graphql', requestId: 'r-admin' });
  });
});

describe('audit writes under concurrency', () => {
  it('concurrent requests are all recorded, each with its own request id, by the time they are answered', async () => {
    const c = await app.tenant('Busy');
    const capi = scim(app, c.token);
    const ids = Array.from({ length: 40 }, (_, i) => `busy-${i}`);
    const answers = await Promise.all(ids.map((rid) => capi.get(`${c.base}/Users`).set('X-Request-Id', rid)));
    expect(answers.every((r) => r.status === 200)).toBe(true);
    await app.services.audit.drain();
    const rows = (await app.services.audit.query(c.id, { limit: 100 })).entries;
    expect(rows.map((r) => r.requestId).sort()).toEqual([...ids].sort());
  });
});

describe('audit trail and the deprovisioning guard', () => {
  it('the request whose events the guard held carries the hold id', async () => {
    const g = await app.tenant('Guard Audited');
    const gapi = scim(app, g.token);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await gapi.post(`${g.base}/Users`, { schemas: [USER], userName: `ga${i}@example.com` })).body.id);
    for (const id of ids.slice(0, 10)) expect((await gapi.delete(`${g.base}/Users/${id}`)).status).toBe(204); // still answered 204
    const [hold] = (await app.services.events.stats(g.id)).openHolds;
    expect(hold).toBeDefined();
    const deletes = (await app.services.audit.query(g.id, { operation: 'User.delete' })).entries.reverse();
    expect(deletes.map((e) => e.holdId)).toEqual([...Array(9).fill(null), hold.id]);
    expect(deletes[9].resourceIds).toEqual([ids[9]]);
  });
});

async function exported(format: 'jsonl' | 'csv', since = started.toISOString()): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await exportAudit(app.services, { tenant: t.slug, since, format }, out);
  return Buffer.concat(chunks).toString('utf8');
}

describe('provisio audit export', () => {
  it('jsonl: one entry per line, oldest first, from --since', async () => {
    const lines = (await exported('jsonl')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual((await entries()).map((e) => e.id));
    expect(lines[0]).toMatchObject({ operation: 'User.create', status: 201, resourceIds: [userId] });
    expect(await exported('jsonl', new Date(Date.now() + 60_000).toISOString())).toBe('');
  });

  it('csv: a header row and one row per entry, lists space-separated', async () => {
    const rows = (await exported('csv')).trim().split('\n');
    expect(rows[0].split(',')).toEqual(expect.arrayContaining(['id', 'time', 'operation', 'status', 'scimType', 'resourceIds', 'changedAttributes']));
    expect(rows).toHaveLength(1 + 8);
    expect(rows.slice(1).map((r) => r.split(',')[0])).toEqual((await entries()).map((e) => e.id));
    expect(rows[3]).toContain('active name.familyName');
    expect(rows.find((r) => r.includes('userName eq')) ?? '').toContain('"userName eq ""kim@example.com"""');
  });

  it('refuses bad arguments', async () => {
    await expect(exportAudit(app.services, { tenant: t.slug, since: 'yesterday' }, new PassThrough())).rejects.toMatchObject({ code: 'invalidValue' });
    await expect(exportAudit(app.services, { tenant: t.slug, since: started.toISOString(), format: 'xml' }, new PassThrough())).rejects.toMatchObject({ code: 'invalidValue' });
    await expect(exportAudit(app.services, { tenant: 'nobody', since: started.toISOString() }, new PassThrough())).rejects.toMatchObject({ code: 'notFound' });
  });

  it('streams through a running server’s control socket (embedded mode)', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'provisio-audit-'));
    const config = { ...app.config, dataDir };
    const socket = await startControlSocket(app.services, config, () => migrate(app.orm));
    try {
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (c: Buffer) => chunks.push(c));
      expect(await streamFromServer(config, { tenant: t.slug, since: started.toISOString(), format: 'jsonl' }, out)).toBe(true);
      expect(Buffer.concat(chunks).toString('utf8')).toBe(await exported('jsonl'));
      await expect(streamFromServer(config, { tenant: 'nobody', since: started.toISOString() }, new PassThrough())).rejects.toMatchObject({ code: 'notFound' });
    } finally {
      socket.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
