import type { EntityManager } from '@mikro-orm/postgresql';
import type { Filter } from '../query/ast';
import { InvalidFilterError, InvalidPathError, InvalidValueError } from '../errors';
import { isUuid } from '../ids';
import { sqlFixed } from '../../db/sql';
import { MemberDelta } from '../event/changes';

/** A change to a group's member set, applied in SQL (never by rewriting the whole list). */
export type MemberChange =
  | { kind: 'add'; ids: string[] }
  | { kind: 'remove'; ids: string[] }
  | { kind: 'removeAll' }
  | { kind: 'set'; ids: string[] };

/** Member ids of a `members` value: `[{value}, …]` (a lone object is taken as a list of one). */
export function memberIds(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  const ids = new Set<string>();
  for (const item of list) {
    const v = typeof item === 'object' && item !== null ? (item as Record<string, unknown>).value : undefined;
    const type = typeof item === 'object' && item !== null ? (item as Record<string, unknown>).type : undefined;
    if (typeof v !== 'string' || !isUuid(v)) throw new InvalidValueError(`member value ${JSON.stringify(v ?? item)} is not a user id`);
    if (typeof type === 'string' && type.toLowerCase() !== 'user') throw new InvalidValueError('only users can be group members');
    ids.add(v.toLowerCase());
  }
  return [...ids];
}

/**
 * Ids named by a member selection filter: `value eq "id"`, or several joined by `or`
 * (RFC 7644 §3.5.2.2 `members[value eq "…"]`). Other member filters are refused clearly.
 */
export function idsFromFilter(filter: Filter): string[] {
  if (filter.kind === 'or') return [...idsFromFilter(filter.left), ...idsFromFilter(filter.right)];
  if (filter.kind === 'compare' && filter.op === 'eq' && filter.path.name.toLowerCase() === 'value' && !filter.path.sub) {
    if (typeof filter.value !== 'string' || !isUuid(filter.value)) return []; // names no member: removes nothing
    return [filter.value.toLowerCase()];
  }
  throw new InvalidFilterError('member filters support only value eq "<id>" (optionally joined with or)');
}

/** PostgreSQL array literal of validated UUIDs, passed as one bound parameter. */
function uuidArray(ids: string[]): string {
  return `{${ids.join(',')}}`;
}

/**
 * Applies member changes to one group, in order, inside the caller's transaction. Every named
 * member must be a live user of the tenant (locked FOR KEY SHARE, so a concurrent delete cannot slip
 * in between the check and the insert); otherwise 400 invalidValue and the transaction rolls back.
 * Cost is proportional to the members named, not to the group's size. Returns whether the member
 * set changed (net: a member removed and added back in one request is no change); `delta`, when
 * given, collects the net members added and removed (for the group's events).
 *
 * Every user who joins or leaves (net) gets a new version (RFC 7644 §3.14): User.groups is part of
 * the user's representation; one whose rows were deleted and inserted again has the same one. With `renamed` (the group's displayName changed, so every member's
 * `groups[].display` did) all members get one too. See touchUsers for the locking.
 */
export async function applyMemberChanges(
  em: EntityManager,
  tenantId: string,
  groupId: string,
  changes: MemberChange[],
  options: { renamed?: boolean; delta?: MemberDelta } = {},
): Promise<boolean> {
  // the rows each statement really inserted or deleted, netted in request order
  const net = new MemberDelta();
  const exec = async (text: string, params: unknown[], added: boolean) => {
    const ids = (await sqlFixed<{ member_id: string }>(em, `${text} returning member_id`, params)).map((r) => r.member_id);
    if (added) net.add(ids);
    else net.remove(ids);
  };
  for (const change of changes) {
    if (change.kind === 'removeAll' || change.kind === 'set') {
      if (change.kind === 'set') await assertUsers(em, tenantId, change.ids);
      if (change.kind === 'set') await exec('delete from group_member where group_id = ? and member_id <> all(?::uuid[])', [groupId, uuidArray(change.ids)], false);
      else await exec('delete from group_member where group_id = ?', [groupId], false);
      if (change.kind === 'removeAll') continue;
    }
    if (change.kind === 'remove') {
      if (change.ids.length === 0) continue;
      await exec('delete from group_member where group_id = ? and member_id = any(?::uuid[])', [groupId, uuidArray(change.ids)], false);
      continue;
    }
    if (change.ids.length === 0) continue;
    if (change.kind === 'add') await assertUsers(em, tenantId, change.ids);
    await exec(
      `insert into group_member (group_id, member_id, created_at)
       select ?::uuid, id, now() from unnest(?::uuid[]) as m(id)
       on conflict do nothing`,
      [groupId, uuidArray(change.ids)],
      true,
    );
  }
  options.delta?.add(net.added);
  options.delta?.remove(net.removed);
  await touchUsers(em, [...net.added, ...net.removed], options.renamed ? groupId : undefined);
  return net.added.size + net.removed.size > 0;
}

/**
 * A new version for users whose representation a group write changed: `ids`, plus every member of
 * `allMembersOf`. One statement that locks the rows in id order: group writes take user locks
 * nowhere else (assertUsers' KEY SHARE does not conflict with them), so two group writes over
 * overlapping members queue instead of deadlocking.
 */
async function touchUsers(em: EntityManager, ids: string[], allMembersOf?: string): Promise<void> {
  if (ids.length === 0 && allMembersOf === undefined) return;
  // a union, not an OR: an OR across the two sources would make the planner scan every user
  const wanted = allMembersOf === undefined ? 'select unnest(?::uuid[])' : 'select unnest(?::uuid[]) union select member_id from group_member where group_id = ?';
  await sqlFixed(
    em,
    `with locked as materialized (
       select id from scim_user where id in (${wanted}) order by id for no key update)
     update scim_user u set version = u.version + 1, updated_at = now() from locked where u.id = locked.id`,
    allMembersOf === undefined ? [uuidArray(ids)] : [uuidArray(ids), allMembersOf],
  );
}

async function assertUsers(em: EntityManager, tenantId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const found = await sqlFixed<{ id: string }>(
    em,
    'select id from scim_user where id = any(?::uuid[]) and tenant_id = ? and deleted_at is null for key share',
    [uuidArray(ids), tenantId],
  );
  if (found.length === ids.length) return;
  const known = new Set(found.map((r) => r.id));
  const missing = ids.filter((id) => !known.has(id));
  throw new InvalidValueError(
    `${missing.length} member(s) are not users of this tenant: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`,
  );
}

/** Translates the PATCH engine's delegated `members` operations (RFC 7644 §3.5.2) to member changes. */
export function memberChangesFromPatch(ops: { op: 'add' | 'replace' | 'remove'; path?: { filter?: Filter; subAfterFilter?: string }; value?: unknown }[]): MemberChange[] {
  return ops.map((o) => {
    if (o.path?.subAfterFilter) throw new InvalidPathError('member sub-attributes cannot be patched');
    if (o.path?.filter) {
      if (o.op !== 'remove') throw new InvalidPathError(`${o.op} with a member filter is not supported; use add or replace on "members"`);
      return { kind: 'remove', ids: idsFromFilter(o.path.filter) };
    }
    if (o.op === 'add') return { kind: 'add', ids: memberIds(o.value) };
    if (o.op === 'replace') return { kind: 'set', ids: memberIds(o.value) };
    // Entra sends remove with path "members" and the members to remove as the value (not RFC, but common)
    return o.value === undefined || o.value === null ? { kind: 'removeAll' } : { kind: 'remove', ids: memberIds(o.value) };
  });
}
