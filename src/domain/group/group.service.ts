import { LockMode, MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import type { RequestContext } from '../context';
import { InvalidValueError, NotFoundError } from '../errors';
import { isUuid } from '../ids';
import { applyPatch } from '../patch/patch';
import { ListQuery, ListResult, pageOf } from '../query/page';
import { TenantCatalogue } from '../schema/tenant-catalogue';
import { groupResourceType } from '../schema/core-schemas'; // events strip secrets by the core schema: custom attributes cannot be writeOnly or returned never
import { Document, normalizeResource } from '../schema/normalize';
import { replaceDocument } from '../schema/replace';
import { Tenant } from '../tenant/tenant.entity';
import { assertVersion, WriteOptions } from '../precondition';
import { ScimGroup } from './group.entity';
import { groupStorage } from './group.storage';
import { sql, sqlFixed, sqlPrepared } from '../../db/sql';
import { applyMemberChanges, MemberChange, memberChangesFromPatch, memberIds } from './membership';
import { retryTransaction } from '../retry';
import { EventRecorder } from '../event/event-recorder';
import { groupEvents, MemberDelta, memberEvents } from '../event/changes';
import type { EventDraft } from '../event/event-types';
import type { ResourceTypeDef } from '../schema/attribute';

/** A group change's events: attributes first, then the member delta. */
function groupChangeEvents(group: ScimGroup, before: Document | undefined, delta: MemberDelta, kind: 'created' | 'updated'): EventDraft[] {
  return [
    ...groupEvents(groupResourceType, kind, group.id, group.version, group.attributes, before),
    ...memberEvents('group.members_added', group.id, group.version, [...delta.added]),
    ...memberEvents('group.members_removed', group.id, group.version, [...delta.removed]),
  ];
}

export interface MemberRecord {
  id: string;
  display: string | null;
}

/** A group as the domain hands it to the edges; `members` only when they were asked for. */
export interface GroupRecord {
  id: string;
  doc: Document;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  members?: MemberRecord[];
}

export interface GroupReadOptions {
  /** false when the client excluded members (Entra's excludedAttributes=members): they are never loaded. */
  members: boolean;
}

interface GroupRow {
  id: string;
  attributes: Document;
  version: number;
  /** timestamptz arrives as text: MikroORM's driver does not parse it */
  created_at: string;
  updated_at: string;
}

const SELECT = 'select r.id, r.attributes, r.version, r.created_at, r.updated_at from scim_group r';

/** Splits `members` off a normalised group document: they live in group_member. */
function splitMembers(doc: Document): { doc: Document; ids: string[] } {
  const { members, ...rest } = doc;
  return { doc: rest, ids: memberIds(members) };
}

function project(group: ScimGroup, doc: Document): void {
  group.attributes = doc;
  group.displayName = doc.displayName as string;
  group.externalId = (doc.externalId as string | undefined) ?? null;
}

/**
 * Groups of a tenant (RFC 7643 §4.2) with membership as rows: every member change is a set
 * operation in SQL, checked against the tenant's live users, in one transaction with the group's
 * version bump. displayName is not unique (RFC 7643 §4.2: uniqueness none): directory group names
 * repeat, and Entra matches groups on externalId, so two "Sales" groups coexist and `displayName eq`
 * finds both.
 */
export class GroupService {
  constructor(
    private readonly orm: MikroORM,
    private readonly catalogue = new TenantCatalogue(orm),
    private readonly events = new EventRecorder(),
  ) {}

  private em(): EntityManager {
    return this.orm.em.fork() as EntityManager;
  }

  /** For raw statements outside transactions (see UserService.raw). */
  private readonly raw = this.orm.em.fork() as EntityManager;

  /** RFC 7644 §3.3. */
  async create(ctx: RequestContext, body: unknown, read: GroupReadOptions): Promise<GroupRecord> {
    const rt = await this.catalogue.resourceType(ctx, 'Group');
    const { doc, ids } = splitMembers(normalizeResource(body, rt, { requireRequired: true, leniency: ctx.leniency, unknown: ctx.health?.unknown }).doc);
    const created = await this.write(async (em) => {
      const group = em.create(ScimGroup, { tenant: em.getReference(Tenant, ctx.tenant.id) } as ScimGroup);
      project(group, doc);
      await em.flush();
      const delta = new MemberDelta();
      await applyMemberChanges(em, ctx.tenant.id, group.id, [{ kind: 'add', ids }], { delta });
      await this.events.record(em, ctx, groupChangeEvents(group, undefined, delta, 'created'));
      return this.record(em, group, read);
    });
    ctx.health?.group(created.id);
    return created;
  }

  /**
   * The ids of the tenant's groups with these displayNames, compared case-insensitively as their
   * uniqueness is (lower()); a name that matches no group is left out. For `provisio import --update`.
   */
  async idsByDisplayName(ctx: RequestContext, names: string[]): Promise<Map<string, string>> {
    const rows = await sql<{ name: string; id: string }>(
      this.raw,
      'select n.name, g.id from unnest(?::text[]) as n(name) join scim_group g on g.tenant_id = ? and lower(g.display_name) = lower(n.name)',
      [[...new Set(names)], ctx.tenant.id],
    );
    return new Map(rows.map((r) => [r.name, r.id]));
  }

  /** RFC 7644 §3.4.1. */
  async get(ctx: RequestContext, id: string, read: GroupReadOptions): Promise<GroupRecord> {
    const em = this.raw; // raw statements only: one EntityManager, not a fork per read (see UserService.raw)
    const rows: GroupRow[] = isUuid(id)
      ? await sqlPrepared<GroupRow>(em, 'provisio_group_get', `${SELECT} where r.id = ? and r.tenant_id = ?`, [id, ctx.tenant.id])
      : [];
    if (!rows[0]) throw this.notFound(id);
    const [record] = await this.withMembers(em, rows.map(fromRow), read);
    return record;
  }

  /** RFC 7644 §3.4.2: filtered in SQL (member filters through group_member), then paged (see pageOf). */
  async list(ctx: RequestContext, query: ListQuery, read: GroupReadOptions): Promise<ListResult<GroupRecord>> {
    const em = this.raw;
    const { total, rows, ...cursors } = await pageOf<GroupRow>(
      em,
      { rt: await this.catalogue.resourceType(ctx, 'Group'), storage: groupStorage, table: 'scim_group', select: SELECT, where: 'r.tenant_id = ?', params: [ctx.tenant.id], counted: { tenantId: ctx.tenant.id, resource: 'Group' } },
      { ...query, leniency: ctx.leniency ?? query.leniency },
    );
    return { totalResults: total, startIndex: query.startIndex, items: await this.withMembers(em, rows.map(fromRow), read), ...cursors };
  }

  /** RFC 7644 §3.5.1: attributes and the member list are replaced. */
  async replace(ctx: RequestContext, id: string, body: unknown, read: GroupReadOptions, options?: WriteOptions): Promise<GroupRecord> {
    const rt = await this.catalogue.resourceType(ctx, 'Group');
    const { doc, ids } = splitMembers(normalizeResource(body, rt, { requireRequired: true, leniency: ctx.leniency, unknown: ctx.health?.unknown }).doc);
    const bodyId = (body as { id?: unknown }).id;
    if (bodyId !== undefined && bodyId !== null && bodyId !== id) throw new InvalidValueError('id in the body does not match the URL');
    const replaced = await this.write(async (em) => {
      const group = await this.lock(em, ctx, id, options);
      const before = group.attributes;
      const renamed = group.displayName !== doc.displayName;
      project(group, replaceDocument(group.attributes, doc, rt));
      const delta = new MemberDelta();
      await applyMemberChanges(em, ctx.tenant.id, group.id, [{ kind: 'set', ids }], { renamed, delta });
      this.touch(group);
      await em.flush();
      await this.events.record(em, ctx, groupChangeEvents(group, before, delta, 'updated'));
      return this.record(em, group, read);
    });
    ctx.health?.group(replaced.id);
    return replaced;
  }

  /**
   * RFC 7644 §3.5.2. Attribute operations go through the PATCH engine; member operations are
   * delegated to SQL set operations, applied in request order, all in one transaction.
   */
  async patch(ctx: RequestContext, id: string, operations: unknown, read: GroupReadOptions, options?: WriteOptions): Promise<{ group: GroupRecord; changed: string[] }> {
    const rt = await this.catalogue.resourceType(ctx, 'Group');
    const patched =
      options?.ifVersion === undefined && membersOnly(operations)
        ? await this.write((em) => this.patchMembers(em, ctx, id, operations, rt, read))
        : await this.patchAll(ctx, id, operations, rt, read, options);
    ctx.health?.group(patched.group.id);
    return patched;
  }

  /** A PATCH with attribute operations, or with If-Match: the group's update lock from the start. */
  private patchAll(ctx: RequestContext, id: string, operations: unknown, rt: ResourceTypeDef, read: GroupReadOptions, options?: WriteOptions): Promise<{ group: GroupRecord; changed: string[] }> {
    return this.write(async (em) => {
      const group = await this.lock(em, ctx, id, options);
      const result = applyPatch(group.attributes, operations, rt, { delegated: ['members'], leniency: ctx.leniency, unknown: ctx.health?.unknown });
      const valueId = idInPatch(operations);
      if (valueId !== undefined && valueId !== id) throw new InvalidValueError('id in the PATCH value does not match the URL');
      const memberChanges: MemberChange[] = memberChangesFromPatch(result.delegated);
      const renamed = group.displayName !== result.doc.displayName;
      const delta = new MemberDelta();
      // net: operations that cancel out (remove X, add X) change nothing, so no new version and no event
      const membersChanged = await applyMemberChanges(em, ctx.tenant.id, group.id, memberChanges, { renamed, delta });
      const changed = [...result.changed, ...(membersChanged ? ['members'] : [])];
      if (changed.length > 0) {
        const before = group.attributes;
        project(group, result.doc);
        this.touch(group);
        await em.flush();
        await this.events.record(em, ctx, groupChangeEvents(group, before, delta, 'updated'));
      }
      return { group: await this.record(em, group, read), changed };
    });
  }

  /**
   * A PATCH of members only (add, remove: what IdPs send when one user joins or leaves; RFC 7644
   * §3.5.2.1, §3.5.2.2), without If-Match. Many such PATCHes to one group run side by side: each
   * holds the group's row FOR KEY SHARE while it changes group_member (shared among them; every
   * other group write locks FOR UPDATE, so it waits for them and they for it), and takes the row's
   * update lock only at the end, for the version bump, in the statement that also writes its events
   * and audit row. Before, every PATCH held the group's update lock from its first statement to its
   * commit, and 50 clients adding one member each to one group queued behind one another's round
   * trips. The outcome is the one of some serial order: membership statements on distinct members
   * do not interact, on the same member they wait for each other (the unique key), and the versions
   * and event positions follow the order of the final update locks.
   */
  private async patchMembers(em: EntityManager, ctx: RequestContext, id: string, operations: unknown, rt: ResourceTypeDef, read: GroupReadOptions): Promise<{ group: GroupRecord; changed: string[] }> {
    const [row] = isUuid(id) ? await sqlFixed<GroupRow>(em, `${SELECT} where r.id = ? and r.tenant_id = ? for key share`, [id, ctx.tenant.id]) : [];
    if (!row) throw this.notFound(id);
    const current = fromRow(row);
    const result = applyPatch(current.doc, operations, rt, { delegated: ['members'], leniency: ctx.leniency });
    // membersOnly() lets no other path through; a change to the document would need the update lock from the start
    if (result.changed.length > 0) throw new Error(`member-only PATCH changed ${result.changed.join(', ')}`);
    const delta = new MemberDelta();
    if (!(await applyMemberChanges(em, ctx.tenant.id, id, memberChangesFromPatch(result.delegated), { delta }))) return { group: (await this.withMembers(em, [current], read))[0], changed: [] };
    const now = new Date();
    // the version is only known once the update holds the row: the events take it from `v`
    const drafts = [...memberEvents('group.members_added', id, 0, [...delta.added]), ...memberEvents('group.members_removed', id, 0, [...delta.removed])];
    const st = this.events.statement(ctx, drafts, now, null, true, 'versioned');
    const [bumped] = await sqlPrepared<{ version: number; updated_at: string }>(
      em,
      'provisio_group_member_bump_v1',
      `with v as (update scim_group set version = version + 1, updated_at = ? where id = ? returning version, updated_at), ${st.ctes}
       select version, updated_at from v`,
      [now, id, ...st.params],
    );
    this.events.noted(ctx, drafts, null, st);
    const group: GroupRecord = { ...current, version: bumped.version, updatedAt: new Date(bumped.updated_at) };
    return { group: (await this.withMembers(em, [group], read))[0], changed: ['members'] };
  }

  /** RFC 7644 §3.6. The group and its memberships are removed. */
  async delete(ctx: RequestContext, id: string, options?: WriteOptions): Promise<void> {
    await this.write(async (em) => {
      const group = await this.lock(em, ctx, id, options);
      await applyMemberChanges(em, ctx.tenant.id, group.id, [{ kind: 'removeAll' }]); // its members' versions change too
      em.remove(group);
      await em.flush();
      await this.events.record(em, ctx, groupEvents(groupResourceType, 'deleted', group.id, group.version + 1, group.attributes));
    });
  }

  private touch(group: ScimGroup): void {
    group.version += 1;
    group.updatedAt = new Date();
  }

  private async record(em: EntityManager, group: ScimGroup, read: GroupReadOptions): Promise<GroupRecord> {
    const [record] = await this.withMembers(
      em,
      [{ id: group.id, doc: group.attributes, version: group.version, createdAt: group.createdAt, updatedAt: group.updatedAt }],
      read,
    );
    return record;
  }

  private async withMembers(em: EntityManager, groups: GroupRecord[], read: GroupReadOptions): Promise<GroupRecord[]> {
    if (!read.members || groups.length === 0) return groups;
    const rows = await sql<{ group_id: string; id: string; user_name: string; display_name: string | null }>(
      em,
      `select m.group_id, u.id, u.user_name, u.display_name from group_member m join scim_user u on u.id = m.member_id
        where m.group_id = any(?::uuid[]) order by m.group_id, u.id`,
      [`{${groups.map((g) => g.id).join(',')}}`],
    );
    const byGroup = new Map<string, MemberRecord[]>(groups.map((g) => [g.id, []]));
    for (const r of rows) byGroup.get(r.group_id)!.push({ id: r.id, display: r.display_name ?? r.user_name });
    return groups.map((g) => ({ ...g, members: byGroup.get(g.id) }));
  }

  /** Locks a group for a write; `options.ifVersion` is checked under the lock (RFC 7644 §3.14). */
  private async lock(em: EntityManager, ctx: RequestContext, id: string, options?: WriteOptions): Promise<ScimGroup> {
    const group = isUuid(id) ? await em.findOne(ScimGroup, { id, tenant: ctx.tenant.id }, { lockMode: LockMode.PESSIMISTIC_WRITE }) : null;
    if (!group) throw this.notFound(id);
    assertVersion(group.version, options, `Group "${id}"`);
    return group;
  }

  private async write<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    // a deadlock or serialisation failure reruns the whole transaction (see retryTransaction)
    return retryTransaction(() => this.em().transactional(work));
  }

  private notFound(id: string): NotFoundError {
    return new NotFoundError(`Group "${id}" not found`);
  }

  /**
   * Groups of the tenant by id, in one statement whatever their number (the admin API's DataLoader
   * batches). Ids that name no group of the tenant are simply absent from the result.
   */
  async getMany(ctx: RequestContext, ids: readonly string[], read: GroupReadOptions): Promise<GroupRecord[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    const em = this.raw;
    const rows = await sql<GroupRow>(em, `${SELECT} where r.tenant_id = ? and r.id = any(?::uuid[]) order by r.id`, [ctx.tenant.id, `{${valid.join(',')}}`]);
    return this.withMembers(em, rows.map(fromRow), read);
  }
}

function fromRow(row: GroupRow): GroupRecord {
  return { id: row.id, doc: row.attributes, version: row.version, createdAt: new Date(row.created_at), updatedAt: new Date(row.updated_at) };
}

/**
 * Whether a PATCH names only members, with add or remove (`path` "members" or a `members[…]`
 * filter): such a PATCH changes no attribute of the group's document. Anything else (replace of
 * the members, other paths, no path) is not.
 */
function membersOnly(operations: unknown): boolean {
  if (!Array.isArray(operations) || operations.length === 0) return false;
  return operations.every((o) => {
    if (!o || typeof o !== 'object') return false;
    const { op, path } = o as { op?: unknown; path?: unknown };
    if (typeof op !== 'string' || !/^(add|remove)$/i.test(op) || typeof path !== 'string') return false;
    // members, optionally with the Group schema's URN, and a filter with no sub-attribute after it
    return /^(urn:ietf:params:scim:schemas:core:2\.0:Group:)?members(\[[^\]]*\])?$/i.test(path.trim());
  });
}

/** Okta renames with `{"op":"replace","value":{"id":"<group id>","displayName":…}}`: the id must match. */
function idInPatch(operations: unknown): string | undefined {
  if (!Array.isArray(operations)) return undefined;
  for (const op of operations) {
    const value = (op as { value?: unknown })?.value;
    if (value && typeof value === 'object' && !Array.isArray(value) && typeof (value as { id?: unknown }).id === 'string') {
      return (value as { id: string }).id;
    }
  }
  return undefined;
}
