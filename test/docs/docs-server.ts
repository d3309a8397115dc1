import { ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { embeddedDir } from '../../src/db/database';
import { startEmbeddedPostgres } from '../../src/db/embedded';
import { migrate, openOrm } from '../../src/db/orm';
import { createTestDb, TestDb } from '../support/database';
import { ensureBuilt } from '../support/dist';
import { freePort } from '../support/ports';
import { templateDirectory } from '../support/template';
import { ROOT } from './extract';

/** Migrates a new PGlite data directory (the run's template, when this file is the first to need it). */
async function migrateDirectory(dir: string): Promise<void> {
  const pg = await startEmbeddedPostgres(dir);
  try {
    const orm = await openOrm(pg.url, 1, true);
    try {
      await migrate(orm);
    } finally {
      await orm.close(true);
    }
  } finally {
    await pg.stop();
  }
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The built server (`node dist/src/main.js`, what `npm start` runs) on a port of its own and on the
 * test database: a database of this test file's own on the PostgreSQL server named by DATABASE_URL,
 * or a fresh embedded data directory when it is unset (the CLI then reaches the server through its
 * control socket, as a newcomer's would). `env` is what every documented command runs with.
 */
export class DocsServer {
  env: Record<string, string> = {};
  private child?: ChildProcess;
  private db?: TestDb;
  private dataDir?: string;
  private log = '';

  async start(): Promise<void> {
    ensureBuilt();
    const port = await freePort();
    const base: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'DATABASE_URL' && k !== 'DATA_DIR') base[k] = v;
    const url = `http://127.0.0.1:${port}`;
    Object.assign(base, { PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: url, LOG_LEVEL: 'warn', EVENT_BROKER: 'none' });
    if (process.env.DATABASE_URL) {
      this.db = await createTestDb();
      base.DATABASE_URL = this.db.url;
    } else {
      this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'provisio-docs-'));
      base.DATA_DIR = this.dataDir;
      // the run's migrated template (test/support/template.ts), where the server keeps its database
      const template = await templateDirectory(migrateDirectory);
      if (template) fs.cpSync(template, embeddedDir({ dataDir: this.dataDir }), { recursive: true });
    }
    this.child = spawn(process.execPath, ['dist/src/main.js'], { cwd: ROOT, env: base, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d) => (this.log += d));
    this.child.stderr!.on('data', (d) => (this.log += d));
    const exited = new Promise<never>((_, reject) => this.child!.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${this.log}`))));
    await Promise.race([exited, this.waitReady(url)]);
    this.env = { ...base, PROVISIO_URL: url };
    // The page's reader has a tenant `acme` with a token, and an admin key: so does the test.
    const tenant = JSON.parse((await this.cli(['tenant', 'create', '--name', 'Acme', '--json'])).stdout) as { scimUrl: string; token: string; tenant: { slug: string } };
    if (tenant.tenant.slug !== 'acme') throw new Error(`expected the tenant acme, got ${tenant.tenant.slug}`);
    const key = JSON.parse((await this.cli(['admin-key', 'create', '--role', 'admin', '--json'])).stdout) as { key: string };
    Object.assign(this.env, { SCIM_URL: tenant.scimUrl, TOKEN: tenant.token, ADMIN_KEY: key.key });
  }

  private async waitReady(url: string): Promise<void> {
    for (let i = 0; i < 600; i++) {
      try {
        if ((await fetch(`${url}/readyz`)).ok) return;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the server did not become ready:\n${this.log}`);
  }

  /** The `provisio` CLI (bin/provisio.js) with the server's configuration. */
  async cli(args: string[]): Promise<RunResult> {
    const r = await this.run(process.execPath, [path.join(ROOT, 'bin/provisio.js'), ...args]);
    if (r.code !== 0) throw new Error(`provisio ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r;
  }

  /**
   * A documented shell block, run by bash with `set -euo pipefail` in the repository root.
   * `npx provisio …` runs bin/provisio.js directly: the same program, without npm's start-up.
   */
  bash(code: string, timeoutMs = 90_000): Promise<RunResult> {
    const prelude = `set -euo pipefail\nnpx() { if [ "\${1:-}" = provisio ]; then shift; node "${ROOT}/bin/provisio.js" "$@"; else command npx "$@"; fi; }\n`;
    return this.run('bash', ['-c', prelude + code], timeoutMs);
  }

  private run(cmd: string, args: string[], timeout = 90_000): Promise<RunResult> {
    return new Promise((resolve) => {
      execFile(cmd, args, { cwd: ROOT, env: this.env, timeout, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) + (err && code === 1 && !stderr ? String(err.message) : '') });
      });
    });
  }

  /** What the server printed (for failure messages). */
  output(): string {
    return this.log;
  }

  async stop(): Promise<void> {
    if (this.child && this.child.exitCode === null) {
      const gone = new Promise((r) => this.child!.once('exit', r));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child?.kill('SIGKILL'), 15_000);
      await gone;
      clearTimeout(timer);
    }
    await this.db?.close();
    if (this.dataDir) fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}
