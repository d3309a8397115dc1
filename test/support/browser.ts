import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildApp } from '../../src/app';
import { eventFeedRouter } from '../../src/events/feed.routes';
import { graphqlRouter } from '../../src/graphql/router';
import { CONSOLE_DIR, consoleRouter } from '../../src/http/console.routes';
import { createServices, Services } from '../../src/services';
import { createTestDb, TestDb } from './database';

const ROOT = path.join(__dirname, '../..');

/** Chromium from Debian's package (installed by .ci/run), with what this closed network needs. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Builds the console when dist/console is missing or older than a file under web/ (a developer's edit). */
export function ensureConsoleBuilt(): string {
  const index = path.join(CONSOLE_DIR, 'index.html');
  const newest = (dir: string): number =>
    fs.readdirSync(dir, { withFileTypes: true }).reduce((m, e) => Math.max(m, e.isDirectory() ? newest(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).mtimeMs), 0);
  if (!fs.existsSync(index) || fs.statSync(index).mtimeMs < newest(path.join(ROOT, 'web'))) {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.mts', '--logLevel', 'error'], { cwd: ROOT, stdio: 'inherit' });
  }
  return CONSOLE_DIR;
}

export interface ConsoleServer extends TestDb {
  services: Services;
  origin: string;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** every request the browser made to another origin (must stay empty) */
  foreignRequests: string[];
  /** console messages of the pages: CSP refusals and uncaught errors */
  pageErrors: string[];
  newPage(): Promise<Page>;
  /** axe-core's serious and critical violations on the page as it is now */
  axe(page?: Page): Promise<{ id: string; impact: string; help: string; nodes: string[] }[]>;
  /** a PNG of the page (to a temporary folder, and to SCREENSHOT_DIR when set: `npm run screenshots`) */
  screenshot(name: string, page?: Page): Promise<string>;
  scim(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/**
 * A real server on a loopback port (the app with GraphQL, the event feed and the console, as
 * main.ts mounts them) over the test file's own database, and one headless Chromium.
 */
export async function startConsoleServer(opts: { guardMinUsers?: number } = {}): Promise<ConsoleServer> {
  const dir = ensureConsoleBuilt();
  const db = await createTestDb();
  const services = createServices(db.orm, { ...db.config, ...(opts.guardMinUsers ? { guardMinUsers: opts.guardMinUsers } : {}) });
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = { ...db.config, publicUrl: origin };
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const app = buildApp({ config, services, logger, extraRouters: [await graphqlRouter({ services, config, logger }), eventFeedRouter(services), consoleRouter(dir)] });
  server.on('request', app.callback());

  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  const context = await browser.newContext({ viewport: { width: 1366, height: 860 }, timezoneId: 'Europe/Berlin', locale: 'en-GB' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  const foreignRequests: string[] = [];
  const pageErrors: string[] = [];
  const watch = (p: Page) => {
    p.on('request', (r) => {
      const url = r.url();
      if (!url.startsWith(origin + '/') && !url.startsWith('data:') && !url.startsWith('blob:')) foreignRequests.push(url);
    });
    p.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) pageErrors.push(m.text());
    });
    p.on('pageerror', (e) => pageErrors.push(e.message));
  };
  context.on('page', watch);
  const page = await context.newPage();
  const shots = fs.mkdtempSync(path.join(os.tmpdir(), 'provisio-shots-'));
  const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

  return {
    ...db,
    services,
    config,
    origin,
    browser,
    context,
    page,
    foreignRequests,
    pageErrors,
    newPage: () => context.newPage(),
    async axe(p = page) {
      // evaluated through the DevTools protocol, so the page's strict CSP stays on
      if (!(await p.evaluate('typeof window.axe !== "undefined"'))) await p.evaluate(axeSource);
      const result = (await p.evaluate(`window.axe.run(document, { resultTypes: ['violations'] })`)) as {
        violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[];
      };
      return result.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
    },
    async screenshot(name, p = page) {
      const file = path.join(shots, `${name}.png`);
      await p.screenshot({ path: file, fullPage: true });
      if (process.env.SCREENSHOT_DIR) {
        fs.mkdirSync(process.env.SCREENSHOT_DIR, { recursive: true });
        fs.copyFileSync(file, path.join(process.env.SCREENSHOT_DIR, `${name}.png`));
      }
      return file;
    },
    async scim(token, method, p, body) {
      const res = await fetch(origin + p, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json', accept: 'application/scim+json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    async close() {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await services.audit.drain();
      await db.close();
      fs.rmSync(shots, { recursive: true, force: true });
    },
  };
}
