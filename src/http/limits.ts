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

/**
 * A per-tenant cap on requests served at once (hence on the database connections a tenant can
 * hold): beyond `concurrency`, requests wait in the tenant's FIFO queue; a full queue, or a wait
 * longer than `timeoutMs`, is refused with 429. Other tenants never wait behind it.
 */
export class TenantGate {
  private readonly running = new Map<string, number>();
  private readonly queues = new Map<string, Waiter[]>();
  constructor(
    private readonly concurrency: number,
    private readonly queueMax: number,
    private readonly timeoutMs: number,
  ) {}

  /** Resolves with a release function once the request may run. */
  async enter(tenant: string): Promise<() => void> {
    if (this.concurrency <= 0) return () => {};
    const n = this.running.get(tenant) ?? 0;
    if (n < this.concurrency) {
      this.running.set(tenant, n + 1);
      return this.releaser(tenant);
    }
    const queue = this.queues.get(tenant) ?? [];
    if (queue.length >= this.queueMax) throw new RateLimitedError(`too many concurrent requests for this tenant (${this.concurrency} running, ${this.queueMax} waiting); send again later`, 1);
    this.queues.set(tenant, queue);
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          const i = queue.indexOf(waiter);
          if (i >= 0) queue.splice(i, 1);
          if (queue.length === 0) this.queues.delete(tenant);
          reject(new RateLimitedError(`this tenant's requests waited more than ${this.timeoutMs} ms for their turn; send again later`, Math.max(1, Math.ceil(this.timeoutMs / 1000))));
        }, this.timeoutMs),
      };
      queue.push(waiter);
    });
    return this.releaser(tenant); // the slot was handed over by the request that left
  }

  private releaser(tenant: string): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const queue = this.queues.get(tenant);
      const next = queue?.shift();
      if (queue && queue.length === 0) this.queues.delete(tenant);
      if (next) {
        clearTimeout(next.timer);
        next.resolve(); // the slot passes on: `running` stays
        return;
      }
      const n = (this.running.get(tenant) ?? 1) - 1;
      if (n <= 0) this.running.delete(tenant);
      else this.running.set(tenant, n);
    };
  }

  /** Requests running and waiting for a tenant (metrics, tests). */
  load(tenant: string): { running: number; waiting: number } {
    return { running: this.running.get(tenant) ?? 0, waiting: this.queues.get(tenant)?.length ?? 0 };
  }
}

/**
 * Fair sharing of the SCIM facade, after authentication: a token bucket per SCIM connection and
 * one per tenant (429 with Retry-After and a SCIM error body when empty, RFC 6585 §4), then the
 * tenant's concurrency gate. Defaults sit far above what IdPs send (Entra ID: 25 requests a second
 * per tenant), so only floods and runaway clients meet them.
 */
export function scimLimits(limits: RequestLimits): ScimMiddleware {
  const tenants = new RateLimiter(limits.tenantRatePerSecond, limits.tenantBurst);
  const connections = new RateLimiter(limits.connectionRatePerSecond, limits.connectionBurst);
  const gate = new TenantGate(limits.tenantConcurrency, limits.tenantQueue, limits.tenantQueueTimeoutMs);
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
