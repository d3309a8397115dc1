import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { buildCli } from '../../src/cli/main';
import { createTestDb, TestDb } from '../support/database';
import { ensureBuilt, ROOT } from '../support/dist';

const run = promisify(execFile);

/** `provisio …` as a separate process (bin/provisio.js over the compiled dist/). */
async function provisio(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(ROOT, 'bin/provisio.js'), ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

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
});
