import type { TenantRef } from '../context';
import { ForbiddenError } from '../errors';
import { tenantNotFound } from '../tenant/tenant.service';
import type { AdminRole } from './admin-key.entity';

/** Who calls the admin API: an admin key, its role, and the one tenant it is limited to (if any). */
export interface AdminPrincipal {
  keyId: string;
  role: AdminRole;
  tenant: TenantRef | null;
}

/** Changes need the `admin` role; an `auditor` key is read-only. */
export function assertCanMutate(principal: AdminPrincipal): void {
  if (principal.role !== 'admin') throw new ForbiddenError('this admin key is read-only (role auditor)');
}

/** A key limited to one tenant sees that tenant only. */
export function assertTenantAccess(principal: AdminPrincipal, tenantId: string): void {
  if (principal.tenant && principal.tenant.id !== tenantId) throw new ForbiddenError('this admin key is limited to another tenant');
}

/** Operations over every tenant (creating one, listing across tenants) need an unscoped key. */
export function assertAllTenants(principal: AdminPrincipal): void {
  if (principal.tenant) throw new ForbiddenError('this admin key is limited to one tenant');
}

/**
 * Before any lookup: a key limited to one tenant that names another (by slug or id) gets the same
 * NotFound as for a tenant that does not exist, without the database being asked, so neither the
 * answer nor its timing tells whether the other tenant exists (OWASP API1, issue 13 item 8).
 */
export function assertTenantReachable(principal: AdminPrincipal, slugOrId: string): void {
  const own = principal.tenant;
  if (own && slugOrId !== own.slug && slugOrId.toLowerCase() !== own.id.toLowerCase()) throw tenantNotFound(slugOrId);
}
