import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Middleware } from 'koa';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AuditService } from '../domain/audit/audit.service';
import { errorOutcome } from './request-context';

/**
 * Operational metrics served at GET /metrics beside the event pipeline's: HTTP requests by route,
 * status and tenant, latency histograms, the database pool's usage and waits, the audit queue
 * depth, and prom-client's process defaults (CPU, memory, GC, event-loop lag, handles).
 */
export class HttpMetrics {
  private readonly requests: Counter<'method' | 'route' | 'status' | 'tenant'>;
  private readonly duration: Histogram<'method' | 'route' | 'status'>;

  constructor(registry: Registry) {
    this.requests = new Counter({
      name: 'provisio_http_requests_total',
      help: 'HTTP requests by method, route pattern, status and tenant (the authenticated SCIM tenant; empty otherwise)',
      labelNames: ['method', 'route', 'status', 'tenant'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'provisio_http_request_duration_seconds',
      help: 'HTTP request latency by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  }

  /**
   * Counts and times every request. The route is the router's pattern (`/scim/v2/:tenant/Users/:id`),
   * never the raw path, and the tenant only an authenticated one, so label sets stay bounded.
   */
  middleware(): Middleware {
    return async (ctx, next) => {
      const started = process.hrtime.bigint();
      let status: number | undefined;
      try {
        await next();
      } catch (e) {
        status = errorOutcome(e).status;
        throw e;
      } finally {
        const route = (ctx as { _matchedRoute?: string })._matchedRoute;
        const labels = { method: ctx.method, route: typeof route === 'string' ? route : 'unmatched', status: String(status ?? ctx.status) };
        this.requests.inc({ ...labels, tenant: (ctx.state.scim?.tenant?.slug as string | undefined) ?? '' });
        this.duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      }
    };
  }
}

interface TarnPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  numPendingCreates(): number;
  max: number;
  on(event: 'acquireRequest' | 'acquireSuccess' | 'acquireFail', handler: (eventId: number) => void): void;
}

/** The knex (tarn) pool behind the ORM, once it exists. */
function pool(orm: MikroORM): TarnPool | undefined {
  try {
    return ((orm.em as EntityManager).getConnection().getKnex().client as { pool?: TarnPool }).pool;
  } catch {
    return undefined;
  }
}

/** Database pool usage and waits, and the audit queue (prom-client's process metrics are EventMetrics'). */
export function registerProcessMetrics(registry: Registry, deps: { orm: MikroORM; audit: AuditService }): void {
  const p = () => pool(deps.orm);
  new Gauge({
    name: 'provisio_db_pool_connections',
    help: 'Database pool connections by state: used (checked out), free (idle), max (the pool size)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const pl = p();
      this.set({ state: 'used' }, pl?.numUsed() ?? 0);
      this.set({ state: 'free' }, pl?.numFree() ?? 0);
      this.set({ state: 'max' }, pl?.max ?? 0);
    },
  });
  new Gauge({
    name: 'provisio_db_pool_pending_acquires',
    help: 'Requests waiting for a database connection right now',
    registers: [registry],
    collect() {
      this.set(p()?.numPendingAcquires() ?? 0);
    },
  });
  const wait = new Histogram({
    name: 'provisio_db_pool_acquire_seconds',
    help: 'Time spent waiting for a database connection from the pool',
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });
  const pl = p();
  if (pl) {
    const started = new Map<number, bigint>();
    pl.on('acquireRequest', (id) => started.set(id, process.hrtime.bigint()));
    const done = (id: number) => {
      const t = started.get(id);
      started.delete(id);
      if (t !== undefined) wait.observe(Number(process.hrtime.bigint() - t) / 1e9);
    };
    pl.on('acquireSuccess', done);
    pl.on('acquireFail', done);
  }
  new Gauge({
    name: 'provisio_audit_queue_depth',
    help: 'Audit entries queued for the next grouped INSERT (reads and refused requests)',
    registers: [registry],
    collect() {
      this.set(deps.audit.queueDepth());
    },
  });
}
