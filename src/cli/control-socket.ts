import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Config } from '../config';
import { DomainError } from '../domain/errors';
import type { Services } from '../services';
import { CommandArgs, CommandName, runCommand } from './commands';
import { exportAudit, exportScope } from './audit-export';
import type { Writable } from 'node:stream';

/**
 * Embedded PostgreSQL admits one process, so while the server runs the CLI sends its commands to
 * the server over a Unix socket in DATA_DIR (mode 0600: only the server's user can use it).
 */
export function controlSocketPath(config: Pick<Config, 'dataDir'>): string {
  return path.join(config.dataDir, 'provisio.sock');
}

interface Reply {
  ok: boolean;
  result?: unknown;
  error?: { code: string; message: string };
}

export async function startControlSocket(services: Services, config: Config, migrate: () => Promise<string[]>): Promise<http.Server> {
  const file = controlSocketPath(config);
  fs.rmSync(file, { force: true }); // left behind by a process that was killed
  const server = http.createServer(async (req, res) => {
    if (req.url === '/stream/audit-export') return streamAuditExport(services, req, res);
    let reply: Reply;
    let progress = false;
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { command: CommandName; args: CommandArgs; progress?: boolean };
      // asked for progress: JSON lines, {"progress":{…}} as the command goes, then the reply
      progress = body.progress === true;
      if (progress) res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      const onProgress = progress ? (done: number, total: number) => void res.write(JSON.stringify({ progress: { done, total } }) + '\n') : undefined;
      reply = { ok: true, result: await runCommand(services, config, body.command, body.args, migrate, { onProgress }) };
    } catch (e) {
      reply = {
        ok: false,
        error: e instanceof DomainError ? { code: e.code, message: e.message } : { code: 'internal', message: (e as Error).message },
      };
    }
    if (!progress) res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(reply) + (progress ? '\n' : ''));
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(file, () => resolve()));
  fs.chmodSync(file, 0o600);
  return server;
}

/** `provisio audit export` inside the server: the export is streamed back as it is produced. */
async function streamAuditExport(services: Services, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    const args = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, string>;
    const { scope } = await exportScope(services, args); // refused (400) before the stream starts
    // the CLI's progress bar needs the number of entries (counted only when it asks)
    const total = args.count === 'true' ? await services.audit.count(scope) : undefined;
    res.writeHead(200, { 'content-type': 'application/octet-stream', ...(total !== undefined ? { 'x-provisio-total': String(total) } : {}) });
    await exportAudit(services, args, res);
    res.end();
  } catch (e) {
    if (res.headersSent) return void res.destroy(e as Error);
    res.writeHead(e instanceof DomainError ? 400 : 500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code: e instanceof DomainError ? e.code : 'internal', message: (e as Error).message }));
  }
}

/**
 * Streams an export from a running server into `out`; false when no server listens on the socket.
 * `onTotal` (with `args.count` "true") receives the number of entries before the first is written.
 */
export async function streamFromServer(config: Config, args: Record<string, unknown>, out: Writable, onTotal?: (total: number) => void): Promise<boolean> {
  const file = controlSocketPath(config);
  if (!fs.existsSync(file)) return false;
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: file, method: 'POST', path: '/stream/audit-export' }, (res) => {
      if (res.statusCode !== 200) {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const err = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { code?: string; message?: string };
          reject(new DomainError((err.code ?? 'invalidValue') as never, err.message ?? 'export failed'));
        });
        return;
      }
      const total = res.headers['x-provisio-total'];
      if (typeof total === 'string') onTotal?.(Number(total));
      res.on('error', reject);
      res.on('end', () => resolve(true));
      res.pipe(out, { end: false });
    });
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNREFUSED' || e.code === 'ENOENT' ? resolve(false) : reject(e)));
    req.end(JSON.stringify(args));
  });
}

/**
 * Sends a command to a running server; `undefined` when no server listens on the socket. With
 * `onProgress`, the server streams the command's progress as JSON lines before its reply.
 */
export async function sendToServer(config: Config, command: CommandName, args: CommandArgs, onProgress?: (done: number, total: number) => void): Promise<Reply | undefined> {
  const file = controlSocketPath(config);
  if (!fs.existsSync(file)) return undefined;
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: file, method: 'POST', path: '/cli' }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
        if (!onProgress) return;
        // complete lines are progress until the last one, the reply
        let nl: number;
        while ((nl = text.indexOf('\n')) >= 0) {
          const line = text.slice(0, nl);
          const parsed = JSON.parse(line) as { progress?: { done: number; total: number } } & Reply;
          if (!parsed.progress) return; // the reply: kept in `text` for 'end'
          text = text.slice(nl + 1);
          onProgress(parsed.progress.done, parsed.progress.total);
        }
      });
      res.on('end', () => {
        try {
          resolve(JSON.parse(text) as Reply);
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNREFUSED' || e.code === 'ENOENT' ? resolve(undefined) : reject(e)));
    req.end(JSON.stringify({ command, args, ...(onProgress ? { progress: true } : {}) }));
  });
}
