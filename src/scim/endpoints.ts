import { groupResourceType, userResourceType } from '../domain/schema/core-schemas';
import type { GroupRecord } from '../domain/group/group.service';
import type { UserRecord } from '../domain/user/user.service';
import type { Services } from '../services';
import { toScimGroup } from './group.mapper';
import type { ResourceEndpoint } from './resource.routes';
import { wants } from './projection';
import { toScimUser } from './user.mapper';

/** /Users (RFC 7643 §4.1): PATCH answers 200 with the user. */
export function usersEndpoint({ users, catalogue }: Services): ResourceEndpoint<UserRecord> {
  return {
    rt: userResourceType,
    resourceType: (ctx) => catalogue.resourceType(ctx, 'User'),
    toScim: toScimUser,
    create: async (ctx, body) => (await users.create(ctx, body)).user,
    get: (ctx, id) => users.get(ctx, id),
    list: (ctx, q) => users.list(ctx, q),
    replace: (ctx, id, body, _p, options) => users.replace(ctx, id, body, options),
    patch: async (ctx, id, ops, _p, options) => (await users.patch(ctx, id, ops, options)).user,
    delete: (ctx, id, options) => users.delete(ctx, id, options),
    patchNoContent: false,
  };
}

/** /Groups (RFC 7643 §4.2): members are loaded only when the projection wants them; PATCH answers 204. */
export function groupsEndpoint({ groups, catalogue }: Services): ResourceEndpoint<GroupRecord> {
  const read = (p: Parameters<typeof wants>[0]) => ({ members: wants(p, 'members') });
  return {
    rt: groupResourceType,
    resourceType: (ctx) => catalogue.resourceType(ctx, 'Group'),
    toScim: toScimGroup,
    create: (ctx, body, p) => groups.create(ctx, body, read(p)),
    get: (ctx, id, p) => groups.get(ctx, id, read(p)),
    list: (ctx, q, p) => groups.list(ctx, q, read(p)),
    replace: (ctx, id, body, p, options) => groups.replace(ctx, id, body, read(p), options),
    // PATCH answers 204 unless attributes are asked for: never load members nobody will see
    patch: async (ctx, id, ops, p, options) => (await groups.patch(ctx, id, ops, { members: !!p.attributes && wants(p, 'members') }, options)).group,
    delete: (ctx, id, options) => groups.delete(ctx, id, options),
    patchNoContent: true,
  };
}
