import type { GroupReadOptions, GroupService } from '../group/group.service';
import { groupStorage } from '../group/group.storage';
import type { TenantCatalogue } from '../schema/tenant-catalogue';
import type { UserService } from '../user/user.service';
import { userStorage } from '../user/user.storage';
import type { SearchSource } from './search.service';

/**
 * The resource types a tenant-wide search covers (RFC 7644 §3.4.3), each with the scope its own list
 * uses (live users; groups), its service's list to load the rows found, and the tenant's own resource
 * type from the catalogue, so that its custom attributes filter and sort as on /Users and /Groups.
 */
export function searchSources(users: UserService, groups: GroupService, catalogue: TenantCatalogue): SearchSource[] {
  return [
    {
      name: 'User',
      resourceType: (ctx) => catalogue.resourceType(ctx, 'User'),
      storage: userStorage,
      table: 'scim_user',
      scope: (ctx) => ({ where: 'r.tenant_id = ? and r.deleted_at is null', params: [ctx.tenant.id] }),
      counted: 'User',
      load: async (ctx, ids) => (await users.list(ctx, { ids, startIndex: 1, count: ids.length })).items,
    },
    {
      name: 'Group',
      resourceType: (ctx) => catalogue.resourceType(ctx, 'Group'),
      storage: groupStorage,
      table: 'scim_group',
      scope: (ctx) => ({ where: 'r.tenant_id = ?', params: [ctx.tenant.id] }),
      counted: 'Group',
      load: async (ctx, ids, read) => (await groups.list(ctx, { ids, startIndex: 1, count: ids.length }, read as GroupReadOptions)).items,
    },
  ];
}
