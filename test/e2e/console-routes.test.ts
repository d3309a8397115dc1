import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Koa from 'koa';
import request from 'supertest';
import { CONSOLE_CSP, consoleRouter } from '../../src/http/console.routes';

/** The /admin static route over a small built console of its own (no vite needed here). */
describe('console static route', () => {
  let dir: string;
  let server: ReturnType<Koa['callback']>;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'provisio-console-'));
    fs.mkdirSync(path.join(dir, 'assets'));
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><script type="module" src="/admin/assets/app-abc123.js"></script>');
    fs.writeFileSync(path.join(dir, 'assets/app-abc123.js'), 'console.log(1)');
    const app = new Koa();
    app.use(consoleRouter(dir).routes());
    server = app.callback();
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('index.html for /admin and every page URL under it, revalidated (no-cache + ETag), with a strict CSP', async () => {
    for (const url of ['/admin', '/admin/', '/admin/t/acme/users', '/admin/setup']) {
      const res = await request(server).get(url);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP);
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.text).toContain('app-abc123.js');
    }
    expect(CONSOLE_CSP).toContain("default-src 'self'");
    expect(CONSOLE_CSP).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    const first = await request(server).get('/admin/t/x');
    const again = await request(server).get('/admin/t/x').set('If-None-Match', first.headers.etag);
    expect(again.status).toBe(304);
  });

  it('hashed assets are immutable for a year; a missing asset is 404, not index.html', async () => {
    const js = await request(server).get('/admin/assets/app-abc123.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await request(server).get('/admin/assets/nope.js')).status).toBe(404);
    expect((await request(server).get('/administrator')).status).toBe(404);
  });

  it('without a build, /admin says how to build it (503)', async () => {
    const app = new Koa();
    app.use(consoleRouter(path.join(dir, 'missing')).routes());
    const res = await request(app.callback()).get('/admin');
    expect(res.status).toBe(503);
    expect(res.text).toMatch(/npm run build/);
  });
});
