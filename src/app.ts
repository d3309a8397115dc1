import Koa from 'koa';
import Router from '@koa/router';
import type { Logger } from 'pino';
import type { Config } from './config';
import { requestContext } from './http/request-context';
import { urlCheck } from './http/url-check';
import { entraFlagPath } from './scim/idp-profile';
import { scimRouter } from './scim/scim.router';
import type { Services } from './services';
import { EventMetrics } from './events/metrics';
import { HttpMetrics, registerProcessMetrics } from './http/metrics';
import { docsPage } from './http/docs-page';

export interface AppDeps {
  config: Config;
  services: Services;
  logger: Logger;
  /** Extra routers mounted after the SCIM facade (the GraphQL admin API plugs in here). */
  extraRouters?: Router<any>[];
  /** The event pipeline's metrics (main.ts shares them with the relay); created when absent. */
  metrics?: EventMetrics;
}

/** The Koa application without listen(): main.ts serves it, tests drive app.callback(). */
export function buildApp(deps: AppDeps): Koa {
  const app = new Koa();
  app.proxy = process.env.TRUST_PROXY === '1';
  app.use(requestContext(deps.logger));
  app.use(urlCheck());
  const metrics = deps.metrics ?? new EventMetrics(deps.services.orm, deps.config.eventBroker !== 'none');
  app.use(new HttpMetrics(metrics.registry).middleware());
  registerProcessMetrics(metrics.registry, { orm: deps.services.orm, audit: deps.services.audit });

  const ops = new Router();
  /** Liveness: the process answers. */
  ops.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  /**
   * Readiness: the database answers within READY_TIMEOUT_MS. A database that is down, or frozen
   * (no answer at all), makes it 503 with Retry-After in that time, never a hang.
   */
  ops.get('/readyz', async (ctx) => {
    const limit = deps.config.db.readyTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<{ ok: false; reason: string }>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, reason: `no answer within ${limit} ms` }), limit);
    });
    const check = await Promise.race([deps.services.orm.checkConnection().catch((e: unknown) => ({ ok: false as const, reason: String(e) })), late]);
    clearTimeout(timer);
    if (check.ok) ctx.body = { status: 'ok' };
    else {
      ctx.status = 503;
      ctx.set('Retry-After', String(deps.config.db.retryAfterSeconds));
      ctx.body = { status: 'unavailable', detail: 'reason' in check && check.reason?.startsWith('no answer') ? 'database not answering in time' : 'database unreachable' };
    }
  });
  /**
   * Prometheus metrics: outbox backlog, relay lag, published and failed counts, held events; HTTP
   * requests and latency, pool usage and waits, audit queue, process defaults (src/http/metrics.ts).
   */
  ops.get('/metrics', async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
  /** What ServiceProviderConfig's documentationUri points to. */
  ops.get('/docs', (ctx) => {
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = docsPage(deps.config);
  });
  app.use(ops.routes());

  const scim = scimRouter(deps.services, deps.config);
  app.use(entraFlagPath());
  app.use(scim.routes());
  for (const router of deps.extraRouters ?? []) app.use(router.routes());
  return app;
}
