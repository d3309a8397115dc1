import Router from '@koa/router';
import type { Context } from 'koa';
import { assertTenantAccess, assertTenantReachable } from '../domain/admin/admin-principal';
import { InvalidValueError } from '../domain/errors';
import { LongPoll, MAX_WAIT_SECONDS } from '../domain/event/long-poll';
import { adminBearer } from '../http/admin-bearer';
import type { AdminKeyLimiter } from '../http/limits';
import type { Services } from '../services';

export const EVENTS_PATH = '/events';
const BATCH_TYPE = 'application/cloudevents-batch+json';
export { MAX_LONG_POLLS } from '../domain/event/long-poll';

/** A query parameter given once, or undefined; repeated parameters are refused rather than guessed. */
function param(ctx: Context, name: string): string | undefined {
  const v = ctx.query[name];
  if (Array.isArray(v)) throw new InvalidValueError(`${name} must be given once`);
  return v === undefined || v === '' ? undefined : v;
}

/**
 * Issue 8 §3: the HTTP event feed for consumers that poll (no broker configured).
 * `GET /events?tenant=SLUG&after=SEQ&types=a,b&limit=N` with `Authorization: Bearer <admin key>`
 * (RFC 6750 §2.1), the same role and tenant rules as the GraphQL admin API: any role may read, a
 * key limited to a tenant reads only that one. Answers `{ events: [CloudEvents 1.0 JSON…], next }`
 * where `next` is the `after` of the next call (also in `X-Next-After`); held and discarded events
 * never appear. `Accept: application/cloudevents-batch+json` answers the CloudEvents JSON batch
 * format (a bare array) instead. `wait=N` (seconds, at most 30) long-polls: an empty page is
 * answered as soon as an event commits, or after N seconds (at most MAX_LONG_POLLS wait at once per
 * process, counted with GraphQL `events(wait:)`; beyond that an empty page is answered at once). Errors go to the app's one error mapper
 * (src/http/request-context.ts): JSON `{ error, message }`, 503 with Retry-After when retries ran out.
 * With `perKey` (the server's, shared with GraphQL), each admin key's rate limit and concurrency gate
 * apply: 429 with Retry-After (RFC 6585 §4); a long poll gives its slot back before it waits.
 */
export function eventFeedRouter(services: Services, maxLongPolls?: number, perKey?: AdminKeyLimiter): Router {
  const router = new Router();
  // the service's process-wide budget (shared with GraphQL), or one of this router's own when a cap is given
  const longPoll = maxLongPolls === undefined ? services.events.longPoll : new LongPoll(maxLongPolls);
  router.get(EVENTS_PATH, async (ctx) => {
    const principal = await adminBearer(services, ctx.get('authorization'));
    const release = perKey ? await perKey.enter(principal.keyId) : () => {};
    try {
      await feed(ctx, principal, release);
    } finally {
      release();
    }
  });

  async function feed(ctx: Context, principal: Awaited<ReturnType<typeof adminBearer>>, leaveGate: () => void): Promise<void> {
    const slug = param(ctx, 'tenant') ?? principal.tenant?.slug;
    if (!slug) throw new InvalidValueError('tenant (slug or id) is required');
    assertTenantReachable(principal, slug);
    const tenant = await services.tenants.get(slug);
    assertTenantAccess(principal, tenant.id);
    const limit = param(ctx, 'limit');
    if (limit !== undefined && !/^\d{1,4}$/.test(limit)) throw new InvalidValueError('limit must be an integer between 1 and 1000');
    const wait = param(ctx, 'wait');
    if (wait !== undefined && !(/^\d{1,2}$/.test(wait) && Number(wait) <= MAX_WAIT_SECONDS)) throw new InvalidValueError(`wait must be a number of seconds between 0 and ${MAX_WAIT_SECONDS}`);
    const types = param(ctx, 'types')?.split(',').map((t) => t.trim()).filter(Boolean);
    const options = { after: param(ctx, 'after'), ...(types ? { types } : {}), ...(limit !== undefined ? { limit: Number(limit) } : {}) };
    // long poll: an empty answer waits (up to `wait` seconds) for the next committed event;
    // past the cap the client gets its empty page now (and polls again), so waiters stay bounded
    let closed = false;
    ctx.res.once('close', () => (closed = true)); // the client went away (or the answer is done)
    if (wait !== undefined && Number(wait) > 0) leaveGate(); // a waiting poll holds no connection
    const page = await services.events.listWaiting(tenant.id, options, { waitMs: Number(wait ?? 0) * 1000, gone: () => closed, longPoll });
    ctx.set('Cache-Control', 'no-store');
    ctx.set('X-Next-After', String(page.next));
    if (ctx.accepts('application/json', BATCH_TYPE) === BATCH_TYPE) {
      // CloudEvents JSON batch format (JSON Event Format §4): a bare array; the cursor goes in X-Next-After
      ctx.type = BATCH_TYPE;
      ctx.body = JSON.stringify(page.events);
    } else {
      ctx.body = { events: page.events, next: String(page.next) };
    }
  }
  return router;
}
