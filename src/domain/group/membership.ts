import type { EntityManager } from '@mikro-orm/postgresql';
import type { Filter } from '../query/ast';
import { InvalidFilterError, InvalidPathError, InvalidValueError } from '../errors';
import { isUuid } from '../ids';
import { sql } from '../../db/sql';
import type { MemberDelta } from '../event/changes';

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
 * member must be a live user of the tenant (locked FOR SHARE, so a concurrent delete cannot slip
 * in between the check and the insert); otherwise 400 invalidValue and the transaction rolls back.
 * Cost is proportional to the members named, not to the group's size. Returns whether anything changed;
 * `delta`, when given, collects the net members added and removed (for the group's events).
 */
export async function applyMemberChanges(em: EntityManager, tenantId: string, groupId: string, changes: MemberChange[], delta?: MemberDelta): Promise<boolean> {
  let changed = false;
  const exec = async (text: string, params: unknown[], added: boolean) => {
    const rows = await sql<{ member_id: string }>(em, `${text} returning member_id`, params);
    if (delta) (added ? delta.add.bind(delta) : delta.remove.bind(delta))(rows.map((r) => r.member_id));
    return rows.length;
  };
  for (const change of changes) {
    if (change.kind === 'removeAll' || change.kind === 'set') {
      if (change.kind === 'set') await assertUsers(em, tenantId, change.ids);
      const res =
        change.kind === 'set'
          ? await exec('delete from group_member where group_id = ? and member_id <> all(?::uuid[])', [groupId, uuidArray(change.ids)], false)
          : await exec('delete from group_member where group_id = ?', [groupId], false);
      changed ||= res > 0;
      if (change.kind === 'removeAll') continue;
    }
    if (change.kind === 'remove') {
      if (change.ids.length === 0) continue;
      const res = await exec('delete from group_member where group_id = ? and member_id = any(?::uuid[])', [groupId, uuidArray(change.ids)], false);
      changed ||= res > 0;
      continue;
    }
    if (change.ids.length === 0) continue;
    if (change.kind === 'add') await assertUsers(em, tenantId, change.ids);
    const res = await exec(
      `insert into group_member (group_id, member_id, created_at)
       select ?::uuid, id, now() from unnest(?::uuid[]) as m(id)
       on conflict do nothing`,
      [groupId, uuidArray(change.ids)],
      true,
    );
    changed ||= res > 0;
  }
  return changed;
}

async function assertUsers(em: EntityManager, tenantId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const found = await sql<{ id: string }>(
    em,
    'select id from scim_user where id = any(?::uuid[]) and tenant_id = ? and deleted_at is null for share',
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
