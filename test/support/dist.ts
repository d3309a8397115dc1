import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.join(__dirname, '../..');

function newest(dir: string): number {
  return Math.max(0, ...fs.readdirSync(dir, { withFileTypes: true }).map((d) => (d.isDirectory() ? newest(path.join(dir, d.name)) : fs.statSync(path.join(dir, d.name)).mtimeMs)));
}

const stale = () => {
  const main = path.join(ROOT, 'dist/src/main.js');
  return !fs.existsSync(main) || fs.statSync(main).mtimeMs < Math.max(newest(path.join(ROOT, 'src')), newest(path.join(ROOT, 'migrations')));
};

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * dist/ is what `npm start` and `bin/provisio.js` run: rebuild it when a file under src/ or migrations/ is newer.
 * Test files in parallel workers take a lock first, so that two builds never write dist/ at once.
 */
export function ensureBuilt(): void {
  if (!stale()) return;
  const lock = path.join(os.tmpdir(), `provisio-build-${crypto.createHash('sha1').update(ROOT).digest('hex').slice(0, 12)}.lock`);
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      // another worker builds; a lock older than 5 minutes belongs to a build that died
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > 300_000) fs.rmSync(lock, { recursive: true, force: true });
      } catch {
        /* gone meanwhile */
      }
      sleep(250);
    }
  }
  try {
    if (stale()) execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT });
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}
