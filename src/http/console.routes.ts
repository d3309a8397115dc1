import Router from '@koa/router';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Where `npm run build` puts the console (vite build of web/): dist/console, seen from dist/src/http or from src/http. */
export const CONSOLE_DIR = [path.join(__dirname, '../../console'), path.join(__dirname, '../../dist/console')].find((d) => fs.existsSync(path.join(d, 'index.html'))) ?? path.join(__dirname, '../../dist/console');
export const CONSOLE_PATH = '/admin';

/**
 * The console's Content-Security-Policy: everything from this origin, nothing inline, no frames,
 * and requests only to this origin (the console talks to /graphql and nothing else).
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
  /** content-hashed file names (assets/) never change: cached for a year */
  immutable: boolean;
}

function load(dir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const rel = '/' + path.relative(dir, p).split(path.sep).join('/');
        const body = fs.readFileSync(p);
        files.set(rel, {
          body,
          type: TYPES[path.extname(p)] ?? 'application/octet-stream',
          etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
          immutable: rel.startsWith('/assets/'),
        });
      }
    }
  };
  walk(dir);
  return files;
}

/**
 * Serves the admin console (a single-page app) at /admin from memory: hashed assets with a
 * year-long immutable cache, index.html revalidated on each load (ETag), every other path under
 * /admin answered with index.html so that each page has its own URL. Strict CSP on everything.
 * Without a build (dist/console missing) /admin answers 503 with how to build it.
 */
export function consoleRouter(dir = CONSOLE_DIR): Router {
  const files = fs.existsSync(path.join(dir, 'index.html')) ? load(dir) : null;
  const router = new Router();
  router.get('/admin{/*rest}', (ctx) => {
    ctx.set('Content-Security-Policy', CONSOLE_CSP);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('X-Frame-Options', 'DENY');
    if (!files) {
      ctx.status = 503;
      ctx.type = 'text/plain';
      ctx.body = 'The admin console is not built: run `npm run build`.\n';
      return;
    }
    const rel = ctx.path.slice(CONSOLE_PATH.length) || '/';
    const asset = files.get(rel);
    if (!asset && rel.startsWith('/assets/')) {
      ctx.status = 404;
      return;
    }
    const file = asset ?? files.get('/index.html')!;
    ctx.set('Cache-Control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    ctx.set('ETag', file.etag);
    if (ctx.get('if-none-match') === file.etag) {
      ctx.status = 304;
      return;
    }
    ctx.type = file.type;
    ctx.body = file.body;
  });
  return router;
}
