import type { Logger } from 'pino';
import type { Config } from '../config';
import type { RequestContext, TenantRef } from '../domain/context';
import { AdminPrincipal, assertCanMutate, assertTenantAccess, assertTenantReachable } from '../domain/admin/admin-principal';
import type { Services } from '../services';
import type { AuditNotes } from '../domain/audit/audit-notes';
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
  /** epoch ms past which no resolver starts (QueryLimits.timeBudgetMs), and the budget for messages */
  deadline?: number;
  budgetMs?: number;
}

export function createContext(deps: { services: Services; config: Config; logger: Logger }, requestId: string, principal: AdminPrincipal): GqlContext {
  return { ...deps, requestId, principal, loaders: createLoaders(deps.services) };
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
