import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createTestDb, TestDb } from '../support/database';
import { ROOT } from '../support/dist';
import { freePort } from '../support/ports';

// `npm run dev` compiles (tsc, then tsc --watch) before it starts the server: minutes on a busy machine.
// It rewrites dist/, so scripts/test.js runs this file alone (SERIAL), never beside files that run dist/.
jest.setTimeout(420_000);

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => db.close());

const ANSI = /\x1b\[[0-9;]*m/g;

async function waitFor<T>(what: string, child: ChildProcess, probe: () => Promise<T | undefined>, output: () => string): Promise<T> {
  for (let i = 0; i < 1500; i++) {
    if (child.exitCode !== null) throw new Error(`npm run dev exited (${child.exitCode}) before ${what}:\n${output()}`);
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no ${what}:\n${output()}`);
}

describe('npm run dev (scripts/dev.js)', () => {
  it('compiles, starts the server, answers /healthz and logs pretty lines (pino-pretty), not JSON; SIGTERM stops it all, its last lines printed', async () => {
    const port = await freePort();
    // its own process group: the test can end dev.js and everything it started, whatever happens
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts/dev.js')], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: db.url, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', EVENT_BROKER: 'none' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    const output = () => `stdout:\n${out.slice(-3000)}\nstderr:\n${err.slice(-3000)}`;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const health = await waitFor('/healthz', child, async () => {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        return res.status === 200 ? res.status : undefined;
      }, output);
      expect(health).toBe(200);
      // the "listening" line, as pino-pretty prints it: [HH:MM:ss.l] INFO: Provisio listening, with its fields below
      await waitFor('the listening line', child, async () => (/Provisio listening/.test(out) ? true : undefined), output);
      const plain = out.replace(ANSI, '');
      expect(plain).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: Provisio listening$/m);
      expect(plain).toMatch(/^\s+port: \d+$/m);
      expect(plain).not.toMatch(/^\{"level":/m); // no raw pino JSON line reached the terminal
      expect(out).toMatch(ANSI); // --colorize

      process.kill(child.pid!, 'SIGTERM');
      expect(await exited).toBe(0);
      // pino-pretty outlived the server: its last lines reached the terminal, pretty too (and dev.js
      // did not die of EPIPE writing them into a pipe pino-pretty had already closed)
      expect(out.replace(ANSI, '')).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: stopped$/m);
      // the server (a child of dev.js) went with it: the port refuses
      let refused = false;
      for (let i = 0; i < 100 && !refused; i++) {
        refused = await fetch(`http://127.0.0.1:${port}/healthz`).then(() => false, () => true);
        if (!refused) await new Promise((r) => setTimeout(r, 100));
      }
      expect(refused).toBe(true);
    } finally {
      try {
        process.kill(-child.pid!, 'SIGKILL'); // the group, if anything is left
      } catch {
        /* already gone */
      }
    }
  });
});
