import type { GroupReadOptions, GroupService } from '../group/group.service';
import { groupStorage } from '../group/group.storage';
import { groupResourceType, userResourceType } from '../schema/core-schemas';
import type { UserService } from '../user/user.service';
import { userStorage } from '../user/user.storage';
import type { SearchSource } from './search.service';

/**
 * The resource types a tenant-wide search covers (RFC 7644 §3.4.3), each with the scope its own list
 * uses (live users; groups) and its service's list to load the rows found.
 */
export function searchSources(users: UserService, groups: GroupService): SearchSource[] {
  return [
    {
      rt: userResourceType,
      storage: userStorage,
      table: 'scim_user',
      scope: (ctx) => ({ where: 'r.tenant_id = ? and r.deleted_at is null', params: [ctx.tenant.id] }),
      load: async (ctx, ids) => (await users.list(ctx, { ids, startIndex: 1, count: ids.length })).items,
    },
    {
      rt: groupResourceType,
      storage: groupStorage,
      table: 'scim_group',
      scope: (ctx) => ({ where: 'r.tenant_id = ?', params: [ctx.tenant.id] }),
      load: async (ctx, ids, read) => (await groups.list(ctx, { ids, startIndex: 1, count: ids.length }, read as GroupReadOptions)).items,
    },
  ];
}
