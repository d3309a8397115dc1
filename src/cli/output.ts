import Table from 'cli-table3';
import { DomainError } from '../domain/errors';
import { StartupError } from '../db/database';

/**
 * How the `provisio` command prints: one table renderer (cli-table3) for every listing, JSON with
 * --json, and errors as one line on stderr or, under --json, `{"error":{"code","message"}}` on stdout.
 */
export function table(rows: Record<string, unknown>[], tty = !!process.stdout.isTTY): string {
  if (rows.length === 0) return '(none)';
  const keys = Object.keys(rows[0]);
  const cell = (v: unknown) => (v instanceof Date ? v.toISOString() : v === null || v === undefined ? '-' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  // no colours and plain borders off a terminal, so the output greps and diffs well
  const t = new Table({ head: keys, style: tty ? {} : { head: [], border: [] } });
  for (const r of rows) t.push(keys.map((k) => cell(r[k])));
  return t.toString();
}

/** Bad input to a command (exit status 2), as opposed to a failure (1). */
const USAGE_CODES = new Set(['invalidValue', 'invalidSyntax', 'invalidFilter', 'invalidPath', 'invalidCursor', 'usage']);

/** Exit status: 0 done, 1 failed (not found, conflict, database unreachable…), 2 usage error. */
export function exitStatus(e: unknown): number {
  const code = errorCode(e);
  return USAGE_CODES.has(code) ? 2 : 1;
}

export function errorCode(e: unknown): string {
  if (e instanceof DomainError) return e.code;
  if (e instanceof StartupError) return 'unavailable';
  const err = e as { code?: unknown };
  if (typeof err?.code === 'string' && err.code.startsWith('commander.')) return 'usage';
  return 'failed';
}

export function reportError(e: unknown, json: boolean): void {
  const message = e instanceof Error ? e.message : String(e);
  if (json) process.stdout.write(JSON.stringify({ error: { code: errorCode(e), message } }) + '\n');
  else process.stderr.write(`provisio: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
}

/**
 * `provisio audit export | head`: the reader went away. Stop quietly (status 0), as Unix tools do,
 * instead of an EPIPE stack.
 */
export function quietOnEpipe(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}
