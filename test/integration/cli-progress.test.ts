import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startControlSocket } from '../../src/cli/control-socket';
import { migrate } from '../../src/db/orm';
import { PGLITE, provisio, progressLines } from '../support/cli';
import { createTestDb, TestDb } from '../support/database';
import { ensureBuilt } from '../support/dist';

// Progress of the long commands (audit export, attribute remove, import), forced with --progress
// since stderr is not a terminal here: a cli-progress bar, or JSON lines under --json; stdout keeps
// its output (one JSON document under --json). Both ways the CLI runs: on the database itself
// (DATABASE_URL), and through a running server's control socket (embedded mode), where the progress
// travels over the socket.

jest.setTimeout(180_000);

let db: TestDb;
let dir: string;
let socket: http.Server;
beforeAll(async () => {
  ensureBuilt();
  db = await createTestDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'provisio-progress-'));
  // the "running server" of embedded mode: this process answers the CLI's control socket
  socket = await startControlSocket(db.services, { ...db.config, dataDir: dir }, () => migrate(db.orm));
  const tenant = await db.services.tenants.create({ name: 'Prog' });
  const ctx = { tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name }, actor: { kind: 'admin' as const }, requestId: 'test' };
  for (const name of ['ccdirect', 'bbdirect', 'ccsocket', 'bbsocket']) await db.services.customAttributes.define(ctx, { resourceType: 'User', name, type: 'string' });
});
afterAll(async () => {
  await new Promise((r) => socket.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
  await db.close();
});

const EXT = 'urn:ietf:params:scim:schemas:extension:prog:2.0:User';
const USERS = 12;

/** A JSON lines file of USERS users holding values of this mode's two custom attributes. */
function usersFile(mode: string, batch: string): string {
  const file = path.join(dir, `${mode}-${batch}.jsonl`);
  const lines = Array.from({ length: USERS }, (_, i) =>
    JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', EXT], userName: `${mode}-${batch}-${i}`, [EXT]: { [`cc${mode}`]: 'x', [`bb${mode}`]: 'y' } }),
  );
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** From 0 to the total, never backwards, the total never changing. */
function expectComplete(lines: { done: number; total: number }[], total: number): void {
  expect(lines.length).toBeGreaterThanOrEqual(2);
  expect(lines[0]).toEqual({ done: 0, total });
  expect(lines[lines.length - 1]).toEqual({ done: total, total });
  for (let i = 1; i < lines.length; i++) expect(lines[i].done).toBeGreaterThanOrEqual(lines[i - 1].done);
  expect(new Set(lines.map((l) => l.total))).toEqual(new Set([total]));
}

const MODES = [
  ['direct', () => ({ DATABASE_URL: db.url })],
  ['socket', () => ({ DATABASE_URL: undefined, DATA_DIR: dir })],
] as const;

// on PGlite, through the socket only (test/support/cli.ts, PGLITE)
describe.each(MODES.filter(([mode]) => !PGLITE || mode === 'socket'))('progress (%s)', (mode, envOf) => {
  it('import: JSON lines under --json, one JSON document on stdout; a bar otherwise; nothing unless forced off a terminal', async () => {
    const json = await provisio(['import', '--file', usersFile(mode, 'a'), '--tenant', 'prog', '--batch-size', '5', '--progress', '--json'], envOf());
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ tenant: 'prog', resources: USERS, imported: USERS, failed: 0, failures: [] });
    expectComplete(progressLines(json.stderr), USERS);

    const bar = await provisio(['import', '--file', usersFile(mode, 'b'), '--tenant', 'prog', '--batch-size', '5'], { ...envOf(), PROVISIO_PROGRESS: '1' });
    expect({ code: bar.code, stderr: bar.code ? bar.stderr : '' }).toEqual({ code: 0, stderr: '' });
    expect(bar.stdout).toBe(`imported ${USERS} of ${USERS} resource(s) into tenant prog\n`);
    expect(bar.stderr).toMatch(/^import \[[░█]+\] 0% 0\/12 lines$/m);
    expect(bar.stderr).toMatch(/^import \[█+\] 100% 12\/12 lines$/m);

    const quiet = await provisio(['import', '--file', usersFile(mode, 'c'), '--tenant', 'prog', '--json'], envOf());
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    const off = await provisio(['import', '--file', usersFile(mode, 'd'), '--tenant', 'prog', '--no-progress'], { ...envOf(), PROVISIO_PROGRESS: '1' });
    expect(off.code).toBe(0);
    expect(off.stderr).toBe('');
  });

  it('attribute remove: progress over the resources that held a value, both modes', async () => {
    const json = await provisio(['attribute', 'remove', '--tenant', 'prog', '--resource', 'User', '--name', `cc${mode}`, '--progress', '--json'], envOf());
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ name: `cc${mode}`, resourcesChanged: 4 * USERS });
    expectComplete(progressLines(json.stderr), 4 * USERS);

    const bar = await provisio(['attribute', 'remove', '--tenant', 'prog', '--resource', 'User', '--name', `bb${mode}`, '--progress'], envOf());
    expect(bar.code).toBe(0);
    expect(bar.stdout).toContain(`its value was cleared on ${4 * USERS} resource(s)`);
    expect(bar.stderr).toMatch(/^attribute remove \[[░█]+\] 0% 0\/48 resources$/m);
    expect(bar.stderr).toMatch(/^attribute remove \[█+\] 100% 48\/48 resources$/m);
  });

  it('audit export: progress over the entries, stdout only the export', async () => {
    const json = await provisio(['audit', 'export', '--tenant', 'prog', '--since', '2020-01-01', '--progress', '--json'], envOf());
    expect(json.code).toBe(0);
    const records = json.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { operation: string });
    expect(records.filter((r) => r.operation === 'User.create').length).toBeGreaterThanOrEqual(4 * USERS);
    expectComplete(progressLines(json.stderr), records.length);

    const csv = await provisio(['audit', 'export', '--tenant', 'prog', '--since', '2020-01-01', '--format', 'csv', '--progress'], envOf());
    expect(csv.code).toBe(0);
    const entries = csv.stdout.trimEnd().split('\n').length - 1; // the header row
    expect(entries).toBeGreaterThanOrEqual(records.length);
    expect(csv.stderr).toMatch(new RegExp(`^audit export \\[█+\\] 100% ${entries}/${entries} entries$`, 'm'));

    const quiet = await provisio(['audit', 'export', '--tenant', 'prog', '--since', '2020-01-01'], envOf());
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
  });
});
