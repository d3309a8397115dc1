import type { Logger } from 'pino';
import type { Config } from '../config';
import type { RequestContext, TenantRef } from '../domain/context';
import { AdminPrincipal, assertCanMutate, assertTenantAccess, assertTenantReachable } from '../domain/admin/admin-principal';
import type { Services } from '../services';
import type { AuditNotes } from '../domain/audit/audit-notes';
import { MAX_WAIT_SECONDS } from '../domain/event/long-poll';
import { createLoaders, Loaders } from './loaders';

/** What every resolver gets: the domain services, the admin key's principal and per-request loaders. */
export interface GqlContext {
  services: Services;
  config: Config;
  logger: Logger;
  requestId: string;
  principal: AdminPrincipal;
  loaders: Loaders;
  /** Set around each mutation field by the admin audit middleware: what the services report, and the tenant acted on. */
  mutationAudit?: { notes: AuditNotes; tenant?: TenantRef };
  /**
   * What is left of this operation's waiting time (ms): every long-polling field (`events(wait:)`)
   * takes its wait from it, so an operation never waits longer than MAX_WAIT_SECONDS in all.
   */
  waitBudgetMs: number;
  /** True once the HTTP client went away: a waiting field stops early. */
  clientGone: () => boolean;
  /** epoch ms past which no resolver starts (QueryLimits.timeBudgetMs), and the budget for messages */
  deadline?: number;
  budgetMs?: number;
  /**
   * Gives the admin key's concurrency slot back before a long poll waits (idempotent): a waiting
   * `events(wait:)` holds no database connection and must not hold the key's other requests, nor
   * count as a slow request in the key's slow lane.
   */
  leaveGate?: () => void;
}

export function createContext(
  deps: { services: Services; config: Config; logger: Logger },
  requestId: string,
  principal: AdminPrincipal,
  clientGone: () => boolean = () => false,
): GqlContext {
  return { ...deps, requestId, principal, loaders: createLoaders(deps.services), waitBudgetMs: MAX_WAIT_SECONDS * 1000, clientGone };
}

/** Time a long poll leaves before the operation's deadline, for its last read and the rest of the answer. */
export const WAIT_RESERVE_MS = 1500;

/**
 * Takes up to `seconds` of waiting from the operation's budgets; returns the ms granted (0 when
 * spent): at most what is left of its MAX_WAIT_SECONDS, and it ends WAIT_RESERVE_MS before the
 * operation's time budget (QueryLimits.timeBudgetMs), so a long poll never makes it overrun.
 */
export function takeWait(ctx: GqlContext, seconds: number): number {
  const beforeDeadline = ctx.deadline === undefined ? Infinity : Math.max(ctx.deadline - Date.now() - WAIT_RESERVE_MS, 0);
  const ms = Math.min(Math.max(seconds, 0) * 1000, ctx.waitBudgetMs, beforeDeadline);
  ctx.waitBudgetMs -= ms;
  return ms;
}

/** The domain's RequestContext for work on `tenant`, after checking the key may see (and, for writes, change) it. */
export function tenantContext(ctx: GqlContext, tenant: TenantRef, write = false): RequestContext {
  assertTenantAccess(ctx.principal, tenant.id);
  // audited in this tenant's trail only once the key may see it, so no key writes rows into another
  // tenant's trail; a refusal after this point (an auditor key mutating) is recorded here too
  if (ctx.mutationAudit) ctx.mutationAudit.tenant ??= tenant;
  if (write) assertCanMutate(ctx.principal);
  return { tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name }, actor: { kind: 'admin', keyId: ctx.principal.keyId }, requestId: ctx.requestId, ...(ctx.mutationAudit ? { audit: ctx.mutationAudit.notes } : {}) };
}

/** Resolves a tenant by slug or id for this key: NotFound when it does not exist or the key is limited to another one (the same answer). */
export async function resolveTenant(ctx: GqlContext, slugOrId: string, write = false): Promise<RequestContext> {
  assertTenantReachable(ctx.principal, slugOrId);
  const tenant = await ctx.loaders.tenant.load(slugOrId);
  return tenantContext(ctx, tenant, write);
}
