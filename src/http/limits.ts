import type { RequestLimits } from '../config';
import { RateLimitedError } from '../domain/errors';
import type { ScimMiddleware } from '../scim/state';

/** A token bucket: `rate` tokens a second, at most `burst` saved up. */
class Bucket {
  private tokens: number;
  private at: number;
  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.at = now;
  }

  /** Takes one token; else the seconds until one is there. */
  take(now: number): number {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.rate);
    this.at = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return (1 - this.tokens) / this.rate;
  }

  full(now: number): boolean {
    return this.tokens + ((now - this.at) / 1000) * this.rate >= this.burst;
  }
}

/** Token buckets by key (a tenant, a connection); buckets that have filled up again are forgotten. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {}

  get enabled(): boolean {
    return this.rate > 0;
  }

  /** 0 when the request may go, else the seconds to wait. */
  take(key: string, now = Date.now()): number {
    if (!this.enabled) return 0;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= 10_000) this.sweep(now);
      this.buckets.set(key, (bucket = new Bucket(this.rate, Math.max(1, this.burst), now)));
    }
    return bucket.take(now);
  }

  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) if (bucket.full(now)) this.buckets.delete(key);
  }
}

interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
  timer: NodeJS.Timeout;
}

/** How a tenant's requests have been taking: an exponential moving average of their times in ms. */
interface Pace {
  avgMs: number;
}

/** Weight of the newest request in the moving average (about the last 10 requests count). */
const PACE_WEIGHT = 0.2;

/**
 * A per-tenant cap on requests served at once (hence on the database connections a tenant can
 * hold): beyond `concurrency`, requests wait in the tenant's FIFO queue; a full queue, or a wait
 * longer than `timeoutMs`, is refused with 429. Other tenants never wait behind it.
 *
 * The slow lane: a tenant whose requests have been taking more than `slowMs` on average (an
 * exponential moving average of the time each request held its slot) is allowed only
 * `slowConcurrency` at once, until its average falls back under `slowMs`. A tenant that sends
 * scans and heavy filters then queues behind itself, instead of taking cores and connections from
 * the tenants whose requests are quick.
 */
export class TenantGate {
  private readonly running = new Map<string, number>();
  private readonly queues = new Map<string, Waiter[]>();
  private readonly pace = new Map<string, Pace>();
  constructor(
    private readonly concurrency: number,
    private readonly queueMax: number,
    private readonly timeoutMs: number,
    private readonly slowMs = 0,
    private readonly slowConcurrency = 1,
  ) {}

  /** Requests of the tenant that may run at once now: `slowConcurrency` in the slow lane. */
  limit(tenant: string): number {
    const avg = this.pace.get(tenant)?.avgMs ?? 0;
    return this.slowMs > 0 && avg > this.slowMs ? Math.max(1, Math.min(this.slowConcurrency, this.concurrency)) : this.concurrency;
  }

  /** Whether the tenant is in the slow lane (metrics, tests). */
  slow(tenant: string): boolean {
    return this.limit(tenant) < this.concurrency;
  }

  /** Resolves with a release function once the request may run. */
  async enter(tenant: string): Promise<() => void> {
    if (this.concurrency <= 0) return () => {};
    const n = this.running.get(tenant) ?? 0;
    let queue = this.queues.get(tenant);
    if (n < this.limit(tenant) && !queue) {
      this.running.set(tenant, n + 1);
      return this.releaser(tenant);
    }
    if (!queue) this.queues.set(tenant, (queue = []));
    if (queue.length >= this.queueMax) throw new RateLimitedError(`too many concurrent requests for this tenant (${this.limit(tenant)} running, ${this.queueMax} waiting); send again later`, 1);
    const waiting = queue;
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          const i = waiting.indexOf(waiter);
          if (i >= 0) waiting.splice(i, 1);
          // only this queue: once emptied and dropped, the tenant may have a new one
          if (waiting.length === 0 && this.queues.get(tenant) === waiting) this.queues.delete(tenant);
          reject(new RateLimitedError(`this tenant's requests waited more than ${this.timeoutMs} ms for their turn; send again later`, Math.max(1, Math.ceil(this.timeoutMs / 1000))));
        }, this.timeoutMs),
      };
      waiting.push(waiter);
    });
    return this.releaser(tenant); // admit() counted this request in `running` when it let it in
  }

  private releaser(tenant: string): () => void {
    let done = false;
    const started = performance.now();
    return () => {
      if (done) return;
      done = true;
      if (this.slowMs > 0) {
        const ms = performance.now() - started;
        const pace = this.pace.get(tenant);
        if (pace) pace.avgMs += PACE_WEIGHT * (ms - pace.avgMs);
        else this.pace.set(tenant, { avgMs: ms });
      }
      const n = (this.running.get(tenant) ?? 1) - 1;
      if (n <= 0) this.running.delete(tenant);
      else this.running.set(tenant, n);
      this.admit(tenant);
    };
  }

  /** Lets waiting requests in, in order, while the tenant is under its limit (which the slow lane may have lowered or raised). */
  private admit(tenant: string): void {
    const queue = this.queues.get(tenant);
    if (!queue) return;
    while (queue.length > 0 && (this.running.get(tenant) ?? 0) < this.limit(tenant)) {
      const next = queue.shift()!;
      clearTimeout(next.timer);
      this.running.set(tenant, (this.running.get(tenant) ?? 0) + 1);
      next.resolve();
    }
    if (queue.length === 0) this.queues.delete(tenant);
  }

  /** Requests running and waiting for a tenant (metrics, tests). */
  load(tenant: string): { running: number; waiting: number } {
    return { running: this.running.get(tenant) ?? 0, waiting: this.queues.get(tenant)?.length ?? 0 };
  }
}

/**
 * Fair sharing of the SCIM facade, after authentication: a token bucket per SCIM connection and
 * one per tenant (429 with Retry-After and a SCIM error body when empty, RFC 6585 §4), then the
 * tenant's concurrency gate (with its slow lane). Defaults sit far above what IdPs send (Entra ID: 25 requests a second
 * per tenant), so only floods and runaway clients meet them.
 */
export function scimLimits(limits: RequestLimits): ScimMiddleware {
  const tenants = new RateLimiter(limits.tenantRatePerSecond, limits.tenantBurst);
  const connections = new RateLimiter(limits.connectionRatePerSecond, limits.connectionBurst);
  const gate = new TenantGate(limits.tenantConcurrency, limits.tenantQueue, limits.tenantQueueTimeoutMs, limits.tenantSlowMs, limits.tenantSlowConcurrency);
  return async (ctx, next) => {
    const scim = ctx.state.scim;
    const now = Date.now();
    const byConnection = scim.actor.kind === 'scim' ? connections.take(scim.actor.connectionId, now) : 0;
    if (byConnection > 0) throw new RateLimitedError(`this connection sends more than ${limits.connectionRatePerSecond} requests a second; send again later`, Math.ceil(byConnection));
    const byTenant = tenants.take(scim.tenant.id, now);
    if (byTenant > 0) throw new RateLimitedError(`this tenant sends more than ${limits.tenantRatePerSecond} requests a second; send again later`, Math.ceil(byTenant));
    const release = await gate.enter(scim.tenant.id);
    try {
      await next();
    } finally {
      release();
    }
  };
}

/**
 * The same fair sharing for the admin surfaces (GraphQL, GET /events), per admin key, one instance
 * shared by both: a token bucket per key
 * (`adminKeyRatePerSecond`, `adminKeyBurst`) and a concurrency gate per key with the SCIM side's
 * settings (concurrency, queue, wait, slow lane). `enter` resolves with the release function, or
 * throws RateLimitedError (429 with Retry-After, GraphQL `RATE_LIMITED`).
 */
export interface AdminKeyLimiter {
  enter(key: string, now?: number): Promise<() => void>;
}

export function adminKeyLimits(limits: RequestLimits): AdminKeyLimiter {
  const keys = new RateLimiter(limits.adminKeyRatePerSecond, limits.adminKeyBurst);
  const gate = new TenantGate(limits.adminKeyConcurrency, limits.tenantQueue, limits.tenantQueueTimeoutMs, limits.tenantSlowMs, limits.tenantSlowConcurrency);
  return {
    async enter(key, now = Date.now()) {
      const wait = keys.take(key, now);
      if (wait > 0) throw new RateLimitedError(`this admin key sends more than ${limits.adminKeyRatePerSecond} requests a second; send again later`, Math.ceil(wait));
      return gate.enter(key);
    },
  };
}
