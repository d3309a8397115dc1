import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './dist';

const run = promisify(execFile);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `provisio …` as a separate process (bin/provisio.js over the compiled dist/), with `env` on top of
 * this process's; a key set to undefined is removed (DATABASE_URL, to reach a control socket).
 */
export async function provisio(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const merged: Record<string, string | undefined> = { ...process.env, ...env };
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(ROOT, 'bin/provisio.js'), ...args], { cwd: ROOT, env: merged, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** stderr's `{"progress":{"done","total"}}` lines (every line must be one). */
export function progressLines(stderr: string): { done: number; total: number }[] {
  return stderr
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { progress: { done: number; total: number } }).progress);
}

/**
 * On a PGlite run (no DATABASE_URL) the test database is one PGlite session served by the test
 * process: a CLI process connecting to it directly would share its prepared statements (and fail
 * to prepare them again). There the CLI is run as in embedded mode with a server up: through a
 * control socket answered by the test process.
 */
export const PGLITE = !process.env.DATABASE_URL;
