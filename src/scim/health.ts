import { HealthNotes, type HealthService } from '../domain/connection/health';
import { errorOutcome } from '../http/request-context';
import { toScimError } from './scim-error';
import type { ScimMiddleware } from './state';

/**
 * Feeds a connection's mapping health (src/domain/connection/health.ts) from its live traffic:
 * the services note the users they write in `scim.health`, and a refused request is noted with
 * its status, scimType and the detail its client was answered. Mounted right after
 * authentication; recording never holds up or changes the answer.
 */
export function scimHealth(health: HealthService): ScimMiddleware {
  return async (ctx, next) => {
    const notes = new HealthNotes();
    ctx.state.scim.health = notes;
    try {
      await next();
    } catch (e) {
      const { status, scimType } = errorOutcome(e);
      const detail = toScimError(e)?.body.detail ?? (status >= 500 ? `internal error (request ${ctx.state.requestId})` : String((e as Error)?.message ?? ''));
      health.observe(ctx.state.scim, notes, { status, scimType: scimType ?? null, detail, method: ctx.method, path: ctx.path });
      throw e;
    }
    health.observe(ctx.state.scim, notes);
  };
}
