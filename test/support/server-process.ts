import { ChildProcess, spawn } from 'node:child_process';
import { ROOT } from './dist';
import { freePort } from './ports';

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

/** `node dist/src/main.js` on a free port with `env`; resolves once it says it is ready. */
export async function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; port: number; url: string; stderr: () => string; stop(): Promise<void> }> {
  const port = await freePort();
  let err = '';
  const child = await startServerProcess({ PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'error', EVENT_BROKER: 'none', ...env });
  child.stderr!.on('data', (d) => (err += d));
  return { child, port, url: `http://127.0.0.1:${port}`, stderr: () => err, stop: () => stopProcess(child) };
}
