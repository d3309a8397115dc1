import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.join(__dirname, '../..');

/** dist/ is what `node dist/src/main.js` runs: rebuild it when a source or migration file is newer. */
export function ensureBuilt(): void {
  const main = path.join(ROOT, 'dist/src/main.js');
  const newest = (dir: string): number =>
    Math.max(0, ...fs.readdirSync(dir, { withFileTypes: true }).map((d) => (d.isDirectory() ? newest(path.join(dir, d.name)) : fs.statSync(path.join(dir, d.name)).mtimeMs)));
  const sources = Math.max(newest(path.join(ROOT, 'src')), newest(path.join(ROOT, 'migrations')));
  if (!fs.existsSync(main) || fs.statSync(main).mtimeMs < sources) {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT });
  }
}

/**
 * Starts the built server (`node dist/src/main.js`) with `env` on top of this process's, and
 * resolves once it listens (it says so on its IPC channel); rejects if it exits first.
 */
export function startServerProcess(env: Record<string, string>): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/src/main.js'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    child.on('message', (m) => m === 'ready' && resolve(child));
    child.on('exit', (code, signal) => reject(new Error(`server exited ${code ?? signal}: ${err}`)));
  });
}

/** Ends a child process (SIGKILL unless told otherwise) and waits for its exit; no-op when it has exited. */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await exited;
}
