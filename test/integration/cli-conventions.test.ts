import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import os from 'node:os';
import type { Command } from 'commander';
import { buildCli } from '../../src/cli/main';
import { startControlSocket } from '../../src/cli/control-socket';
import { migrate } from '../../src/db/orm';
import { createTestDb, TestDb } from '../support/database';
import { ensureBuilt, ROOT } from '../support/dist';
import { PGLITE, provisio } from '../support/cli';

const run = promisify(execFile);

// beforeAll may compile dist/ (ensureBuilt) on a busy machine
jest.setTimeout(180_000);

let db: TestDb;
beforeAll(async () => {
  ensureBuilt();
  db = await createTestDb();
});
afterAll(async () => db.close());

describe('provisio command conventions', () => {
  it('every command and every option has help text', () => {
    const missing: string[] = [];
    const walk = (c: Command, name: string) => {
      if (!c.description()) missing.push(name);
      for (const o of c.options) if (!o.description) missing.push(`${name} ${o.flags}`);
      for (const sub of c.commands) walk(sub, `${name} ${sub.name()}`);
    };
    walk(buildCli(), 'provisio');
    expect(missing).toEqual([]);
  });

  it('docs/cli-reference.md lists every command, with each of its options under its heading', () => {
    const page = fs.readFileSync(path.join(ROOT, 'docs/cli-reference.md'), 'utf8');
    const sections = new Map<string, string>();
    for (const part of page.split(/^### /m).slice(1)) {
      const m = /^`([^`]+)`/.exec(part);
      if (m) sections.set(m[1], part.replace(/\\\|/g, '|')); // `\|` in a table cell is `|`
    }
    const missing: string[] = [];
    const walk = (c: Command, name: string) => {
      for (const sub of c.commands) {
        if (sub.name() === 'help') continue;
        const full = `${name} ${sub.name()}`;
        if (sub.commands.length === 0) {
          const section = sections.get(full);
          if (!section) missing.push(full);
          else for (const o of sub.options) if (o.long && o.long !== '--help' && !section.includes(`\`${o.flags}\``)) missing.push(`${full} ${o.flags}`);
        }
        walk(sub, full);
      }
    };
    walk(buildCli(), 'provisio');
    expect(missing).toEqual([]);
    expect(sections.size).toBeGreaterThanOrEqual(25); // the walk found the headings
  });

  it('--version, --help: exit 0', async () => {
    const version = await provisio(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
    const help = await provisio(['token', 'rotate', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--overlap <minutes>');
  });

  it('usage errors exit 2; under --json the error is one JSON document on stdout', async () => {
    const unknown = await provisio(['tenant', 'lst']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'lst'");
    const missing = await provisio(['tenant', 'create', '--json']);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout)).toEqual({ error: { code: 'usage', message: "required option '--name <name>' not specified" } });
    expect(missing.stderr).toBe('');
  });

  it('failures exit 1 ({"error":{"code":"notFound",…}} under --json); an unreachable database is one line', async () => {
    // the test database, through DATABASE_URL (on PGlite runs too: the server of a PGlite test is this process's socket)
    const env = { DATABASE_URL: db.url };
    const notFound = await provisio(['token', 'list', '--tenant', 'no-such-tenant', '--json'], env);
    expect(notFound.code).toBe(1);
    expect(JSON.parse(notFound.stdout)).toEqual({ error: { code: 'notFound', message: 'tenant "no-such-tenant" not found' } });
    const plain = await provisio(['token', 'list', '--tenant', 'no-such-tenant'], env);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toBe('provisio: tenant "no-such-tenant" not found\n');
    const down = await provisio(['tenant', 'list'], { DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/provisio' });
    expect(down.code).toBe(1);
    expect(down.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(down.stderr).toMatch(/^provisio: cannot reach the database at 127\.0\.0\.1:1\/provisio/);
  });

  it('listings are cli-table3 tables', async () => {
    await db.services.tenants.create({ name: 'Tabled' });
    const list = await provisio(['tenant', 'list'], { DATABASE_URL: db.url });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/┌.*┬.*┐/);
    expect(list.stdout).toContain('tabled');
  });

  it('audit export | head -1 ends quietly: exit 0 and nothing on stderr (EPIPE), direct and through the control socket', async () => {
    // enough entries that the export is still writing when head has gone (far more than a pipe's buffer)
    const file = path.join(os.tmpdir(), `provisio-epipe-${process.pid}.jsonl`);
    fs.writeFileSync(file, Array.from({ length: 800 }, (_, i) => JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `pipe-${i}` })).join('\n'));
    await db.services.tenants.create({ name: 'Piped' });
    try {
      // (on PGlite through the control socket below: a CLI process would share the test's PGlite session, see test/support/cli.ts)
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'provisio-epipe-'));
      const socket = await startControlSocket(db.services, { ...db.config, dataDir }, () => migrate(db.orm));
      const viaSocket = { DATABASE_URL: undefined, DATA_DIR: dataDir };
      const err = path.join(os.tmpdir(), `provisio-epipe-${process.pid}.err`);
      const script = `set -o pipefail; node bin/provisio.js audit export --tenant piped --since 2020-01-01 2>"${err}" | head -1`;
      const headOne = async (env: Record<string, string | undefined>) => {
        const merged: Record<string, string | undefined> = { ...process.env, ...env };
        for (const k of Object.keys(merged)) if (merged[k] === undefined) delete merged[k];
        const piped = await run('bash', ['-c', script], { cwd: ROOT, env: merged }).then(
          (r) => ({ code: 0, stdout: r.stdout }),
          (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
        );
        expect({ code: piped.code, stderr: fs.readFileSync(err, 'utf8') }).toEqual({ code: 0, stderr: '' });
        expect(JSON.parse(piped.stdout)).toMatchObject({ operation: 'User.create' });
      };
      try {
        const imported = await provisio(['import', '--file', file, '--tenant', 'piped', '--batch-size', '800', '--json'], PGLITE ? viaSocket : { DATABASE_URL: db.url });
        expect(JSON.parse(imported.stdout)).toMatchObject({ imported: 800 });
        if (!PGLITE) await headOne({ DATABASE_URL: db.url });
        // embedded mode with a server running: the export streams from the server's control socket
        await headOne(viaSocket);
        // the whole export is far larger than what head took: the pipe did close under the writer
        const whole = await provisio(['audit', 'export', '--tenant', 'piped', '--since', '2020-01-01'], viaSocket);
        expect(whole.stdout.length).toBeGreaterThan(256 * 1024);
      } finally {
        await new Promise((r) => socket.close(r));
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
      fs.rmSync(err, { force: true });
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});
