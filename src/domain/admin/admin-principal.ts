import type { TenantRef } from '../context';
import { ForbiddenError } from '../errors';
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
