import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { ensureBuilt, ROOT } from '../support/dist';
import { freePort } from '../support/ports';

/**
 * `npm start` (node dist/src/main.js) as an operator meets it: failures to start are one clear
 * line and exit status 1, and a failed first start does not lose the demo credentials.
 */

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the server until it exits (a failed start) or `until` matches its stdout (then SIGTERM). */
function server(env: Record<string, string | undefined>, until?: RegExp, args: string[] = []): Promise<Run & { child: ChildProcess }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['dist/src/main.js', ...args], {
      cwd: ROOT,
      env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'warn', EVENT_BROKER: 'none', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => {
      stdout += d;
      if (until?.test(stdout)) resolve({ code: null, stdout, stderr, child });
    });
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('exit', (code, signal) => resolve({ code: code ?? (signal as never), stdout, stderr, child }));
  });
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((r) => child.on('exit', (code, signal) => r(code ?? (signal as never))));
  child.kill('SIGTERM');
  return exited;
}

const oneLine = (s: string) => s.trimEnd().split('\n');

let dataDir: string;
beforeAll(() => {
  ensureBuilt();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'provisio-start-'));
});
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

jest.setTimeout(180_000); // each case starts real servers, a first embedded start included

describe('starting the server', () => {
  it('a taken port: one clear line, exit 1, no stack; the demo credentials are shown by the next start', async () => {
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const failed = await server({ DATABASE_URL: '', DATA_DIR: dataDir, PORT: String(port) });
      expect(failed.code).toBe(1);
      expect(oneLine(failed.stderr)).toEqual([`provisio: port ${port} is already in use on 127.0.0.1: stop the other process or set PORT to a free port`]);
      expect(failed.stdout).not.toContain('Token:');
    } finally {
      await new Promise((r) => taken.close(r));
    }

    // the failed start created nothing: the next one (on a free port) is still the first start
    const port2 = await freePort();
    const ok = await server({ DATABASE_URL: '', DATA_DIR: dataDir, PORT: String(port2) }, /Admin key: \S+/);
    try {
      const token = /Token: +(\S+)/.exec(ok.stdout)?.[1];
      const scimUrl = /SCIM URL: +(\S+)/.exec(ok.stdout)?.[1];
      expect(token).toMatch(/^prv_/);
      expect(scimUrl).toBe(`http://localhost:${port2}/scim/v2/demo`);
      const res = await fetch(`http://127.0.0.1:${port2}/scim/v2/demo/Users`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
    } finally {
      expect(await stop(ok.child)).toBe(0);
    }
  });

  it('a later start while the demo token was never used says how to get new credentials', async () => {
    // dataDir holds the demo tenant of the test above; its token was used there, so use a fresh one
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'provisio-start2-'));
    try {
      const first = await server({ DATABASE_URL: '', DATA_DIR: dir, PORT: String(await freePort()) }, /Admin key: \S+/);
      expect(await stop(first.child)).toBe(0);
      const again = await server({ DATABASE_URL: '', DATA_DIR: dir, PORT: String(await freePort()) }, /provisio demo/);
      expect(again.stdout).toContain('has not been used yet');
      expect(again.stdout).not.toContain('Token:');
      expect(await stop(again.child)).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a bad variable: one line naming it, exit 1', async () => {
    const bad = await server({ DATABASE_URL: '', DATA_DIR: dataDir, PORT: 'eighty' });
    expect(bad.code).toBe(1);
    expect(oneLine(bad.stderr)).toEqual(['provisio: PORT must be a non-negative integer, got "eighty"']);
    const arg = await server({ DATABASE_URL: '', DATA_DIR: dataDir, PORT: '0' }, undefined, ['--bogus']);
    expect(arg.code).toBe(1);
    expect(oneLine(arg.stderr)).toHaveLength(1);
    expect(arg.stderr).toContain('unknown argument --bogus');
  });

  it('an unreachable database: one line naming where, exit 1', async () => {
    const port = await freePort(); // nothing listens there
    const res = await server({ DATABASE_URL: `postgresql://postgres@127.0.0.1:${port}/provisio`, PORT: String(await freePort()) });
    expect(res.code).toBe(1);
    expect(oneLine(res.stderr)).toHaveLength(1);
    expect(res.stderr).toMatch(new RegExp(`^provisio: cannot reach the database at 127\\.0\\.0\\.1:${port}/provisio: .*ECONNREFUSED`));
  });

  // A database that does not exist needs a PostgreSQL server: runs when DATABASE_URL is set, as in CI.
  if (process.env.DATABASE_URL) {
    it('a DATABASE_URL naming a database that does not exist is refused, unless --create-database; then the next step is printed', async () => {
      const name = `provisio_typo_${process.pid}_${Date.now()}`;
      const url = new URL(process.env.DATABASE_URL!);
      url.pathname = `/${name}`;
      const exists = async () => {
        const c = new Client({ connectionString: process.env.DATABASE_URL });
        await c.connect();
        const { rowCount } = await c.query('select 1 from pg_database where datname = $1', [name]);
        await c.end();
        return rowCount === 1;
      };
      try {
        const refused = await server({ DATABASE_URL: url.toString(), PORT: String(await freePort()) });
        expect(refused.code).toBe(1);
        expect(oneLine(refused.stderr)).toHaveLength(1);
        expect(refused.stderr).toContain(`database "${name}" does not exist`);
        expect(refused.stderr).toContain('--create-database');
        expect(await exists()).toBe(false);

        const created = await server({ DATABASE_URL: url.toString(), PORT: String(await freePort()) }, /tenant create/, ['--create-database']);
        expect(created.stdout).toContain('No tenant yet');
        expect(await stop(created.child)).toBe(0);
        expect(await exists()).toBe(true);
      } finally {
        const c = new Client({ connectionString: process.env.DATABASE_URL });
        await c.connect();
        await c.query(`drop database if exists "${name}" with (force)`);
        await c.end();
      }
    });
  }
});
