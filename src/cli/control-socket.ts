import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Config } from '../config';
import { DomainError } from '../domain/errors';
import type { Services } from '../services';
import { CommandArgs, CommandName, runCommand } from './commands';
import { exportAudit, exportParams } from './audit-export';
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
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const { command, args } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { command: CommandName; args: CommandArgs };
      reply = { ok: true, result: await runCommand(services, config, command, args, migrate) };
    } catch (e) {
      reply = {
        ok: false,
        error: e instanceof DomainError ? { code: e.code, message: e.message } : { code: 'internal', message: (e as Error).message },
      };
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(reply));
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
    const { slug } = exportParams(args);
    if (slug) await services.tenants.get(slug, { includeDeleted: true }); // refused (400) before the stream starts
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    await exportAudit(services, args, res);
    res.end();
  } catch (e) {
    if (res.headersSent) return void res.destroy(e as Error);
    res.writeHead(e instanceof DomainError ? 400 : 500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code: e instanceof DomainError ? e.code : 'internal', message: (e as Error).message }));
  }
}

/** Streams an export from a running server into `out`; false when no server listens on the socket. */
export async function streamFromServer(config: Config, args: Record<string, unknown>, out: Writable): Promise<boolean> {
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
      res.on('error', reject);
      res.on('end', () => resolve(true));
      res.pipe(out, { end: false });
    });
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNREFUSED' || e.code === 'ENOENT' ? resolve(false) : reject(e)));
    req.end(JSON.stringify(args));
  });
}

/** Sends a command to a running server; `undefined` when no server listens on the socket. */
export async function sendToServer(config: Config, command: CommandName, args: CommandArgs): Promise<Reply | undefined> {
  const file = controlSocketPath(config);
  if (!fs.existsSync(file)) return undefined;
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: file, method: 'POST', path: '/cli' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Reply);
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNREFUSED' || e.code === 'ENOENT' ? resolve(undefined) : reject(e)));
    req.end(JSON.stringify({ command, args }));
  });
}
