import { LockMode, MikroORM, UniqueConstraintViolationException } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import type { RequestContext } from '../context';
import { InvalidValueError, NotFoundError, UniquenessError } from '../errors';
import { isUuid, newId } from '../ids';
import { applyPatch } from '../patch/patch';
import { ListQuery, ListResult, pageOf } from '../query/page';
import { TenantCatalogue } from '../schema/tenant-catalogue';
import { Document, normalizeResource } from '../schema/normalize';
import { assertVersion, WriteOptions } from '../precondition';
import { replaceDocument } from '../schema/replace';
import { ScimUser } from './user.entity';
import { assertUserName, userNameKey } from './username';
import type { DeletePolicy } from '../connection/scim-connection.entity';
import { userStorage } from './user.storage';
import { redactAuditFilters } from './erasure';
import { sql, sqlPrepared } from '../../db/sql';
import { useKind } from '../../db/timeouts';
import { DomainError } from '../errors'; // purge/restore (admin API)
import { retryTransaction, throwIfTenantDeleted } from '../retry';
import { EventRecorder } from '../event/event-recorder';
import { memberEvents, userChangeEvents, userDeletedEvent, userSnapshotEvent } from '../event/changes';
import { userResourceType } from '../schema/core-schemas'; // events strip secrets by the core schema: custom attributes cannot be writeOnly or returned never
import { PhoneRegions, withPhones } from './phone';
import { managerOf } from '../connection/health';

/** A user as the domain hands it to the edges. */
export interface UserRecord {
  id: string;
  doc: Document;
  active: boolean;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /** Direct group memberships (RFC 7643 §4.1.2 User.groups, readOnly). */
  groups: { id: string; display: string }[];
}

interface UserRow {
  id: string;
  attributes: Document;
  active: boolean;
  version: number;
  /** timestamptz arrives as text: MikroORM's driver does not parse it */
  created_at: string;
  updated_at: string;
  groups: { id: string; display: string }[];
}

/**
 * A user row with its direct groups, in one statement (User.groups, RFC 7643 §4.1.2). Each group's
 * display name is a subquery of its own rather than a join: a list planned with its values (every
 * filter but the lookups, see pageOf) plans this again on each request, and a join of two tables
 * cost about half the planning of a work-email filter at 1M users.
 */
const SELECT = `select r.id, r.attributes, r.active, r.version, r.created_at, r.updated_at,
  (select coalesce(jsonb_agg(jsonb_build_object('id', m.group_id, 'display', (select g.display_name from scim_group g where g.id = m.group_id)) order by m.group_id), '[]'::jsonb)
     from group_member m where m.member_id = r.id) as groups
  from scim_user r`;

function fromRow(row: UserRow): UserRecord {
  return {
    id: row.id,
    doc: row.attributes,
    active: row.active,
    version: row.version,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    groups: row.groups,
  };
}

/** PostgreSQL's unique_violation SQLSTATE, for statements sent past MikroORM's error mapping. */
const UNIQUE_VIOLATION = '23505';

/** The constrained and indexed attributes of a document, as their columns hold them; a userName that could pass for another is refused. */
function columns(doc: Document): { userName: string; userNameKey: string; externalId: string | null; displayName: string | null; active: boolean } {
  if (doc.active === undefined) doc.active = true; // the server's default, so reads and filters agree
  assertUserName(doc.userName as string);
  return {
    userName: doc.userName as string,
    userNameKey: userNameKey(doc.userName as string),
    externalId: (doc.externalId as string | undefined) ?? null,
    displayName: (doc.displayName as string | undefined) ?? null,
    active: doc.active as boolean,
  };
}

/** Copies a document and its columns into the entity; a rename ends a migration-flagged conflict (the unique index then decides). */
function project(user: ScimUser, doc: Document): void {
  const before = user.userNameKey;
  Object.assign(user, columns(doc));
  if (user.userNameKey !== before) user.userNameConflict = false;
  user.attributes = doc;
}

/**
 * Users of a tenant (RFC 7643 §4.1): one transaction per write; userName unique per tenant and
 * case-insensitive; deletes leave a tombstone that a later create with the same userName or
 * externalId restores. Passwords are accepted and dropped: Provisio is a provisioning target
 * whose users sign in through their IdP, so it keeps no credential it would have to protect.
 */
export class UserService {
  constructor(
    private readonly orm: MikroORM,
    private readonly catalogue = new TenantCatalogue(orm),
    private readonly events = new EventRecorder(),
    readonly phoneRegions = new PhoneRegions(orm),
  ) {}

  private em(): EntityManager {
    return this.orm.em.fork() as EntityManager;
  }

  /**
   * One EntityManager for raw statements outside transactions (sql, sqlPrepared: they use its knex
   * only, never its identity map, which stays empty), GET and list alike. A fork per read cost
   * GET /Users/{id} about 4% of its CPU (a new EntityManager, UnitOfWork and identity map each
   * time). A fork, not the global EntityManager: a fork ignores MikroORM's ambient transaction
   * context, so a statement sent through it never joins a transaction that happens to be running in
   * the same async context.
   */
  private readonly raw = this.orm.em.fork() as EntityManager;

  /**
   * RFC 7644 §3.3. Restores a tombstone with the same userName (or else externalId) under its old
   * id. Without one (the usual case) the create is a single INSERT, atomic on its own, and the
   * unique index decides between concurrent creates.
   */
  async create(ctx: RequestContext, body: unknown): Promise<{ user: UserRecord; restored: boolean }> {
    const rt = await this.catalogue.resourceType(ctx, 'User');
    const { doc } = normalizeResource(body, rt, { requireRequired: true, leniency: ctx.leniency, unknown: ctx.health?.unknown });
    const userName = doc.userName as string;
    assertUserName(userName);
    const region = await this.phoneRegions.of(ctx.tenant.id);
    await this.checkManager(this.raw, ctx, undefined, doc);
    const created = await this.createOrRestore(ctx, doc, userName, region);
    ctx.health?.user(created.user.id, doc, region);
    return created;
  }

  private async createOrRestore(ctx: RequestContext, doc: Document, userName: string, region: string | null): Promise<{ user: UserRecord; restored: boolean }> {
    const key = userNameKey(userName);
    const externalId = (doc.externalId as string | undefined) ?? null;
    // the common case in one statement: no tombstone to restore, so the user, its event and its audit row
    const inserted = await this.insert(ctx, doc, region);
    if (inserted) return { user: inserted, restored: false };
    return this.write(async (em) => {
      const candidates = await sql<{ id: string; deleted: boolean; by_name: boolean }>(
        em,
        `select id, deleted_at is not null as deleted, user_name_key = ? as by_name
           from scim_user
          where tenant_id = ? and (user_name_key = ? or (external_id = ? and deleted_at is not null))
          order by by_name desc, deleted_at desc
          for update`,
        [key, ctx.tenant.id, key, externalId],
      );
      if (candidates.some((c) => c.by_name && !c.deleted)) throw this.taken(userName);
      const tombstone = candidates.find((c) => c.deleted);
      if (!tombstone) {
        // restored meanwhile by another request (a tombstone that appeared meanwhile: a user of that name was just deleted)
        const user = await this.insert(ctx, doc, region);
        if (!user) throw this.taken(userName);
        return { user, restored: false };
      }
      const user = await em.findOneOrFail(ScimUser, tombstone.id);
      if (user.deactivatedAt) return { user: await this.reactivate(em, ctx, user, doc), restored: true };
      user.deletedAt = null;
      user.version += 1;
      user.updatedAt = new Date();
      project(user, doc);
      await em.flush();
      await this.events.record(em, ctx, withPhones([userSnapshotEvent(userResourceType, 'user.restored', user.id, user.version, user.attributes)], user.attributes, region));
      // a deleted user's memberships were removed with it: a restored user has no groups
      return { user: { id: user.id, doc: user.attributes, active: user.active, version: user.version, createdAt: user.createdAt, updatedAt: user.updatedAt, groups: [] }, restored: true };
    }, userName);
  }

  /**
   * A new user, its user.created event and its audit row in one statement (prepared: POST /Users is
   * the hot write): atomic on its own, one round trip, no explicit transaction. Unless the tenant
   * holds a tombstone of the same userName or externalId, which RFC 7644 §3.3 creation restores
   * instead: then nothing is written and the answer is null. A generic plan of the tombstone probe
   * made while the table was small seq-scans it after a bulk load until the next ANALYZE, which the
   * server's StatisticsKeeper runs within ANALYZE_EVERY_SECONDS (and which replans the statement);
   * unprepared, planning this statement cost more than all the rest (PostgreSQL's CPU per create
   * doubled).
   */
  private async insert(ctx: RequestContext, doc: Document, region: string | null): Promise<UserRecord | null> {
    const c = columns(doc);
    const id = newId();
    const now = new Date();
    const drafts = withPhones([userSnapshotEvent(userResourceType, 'user.created', id, 1, doc)], doc, region);
    const outbox = this.events.statement(ctx, drafts, now, null, true, 'guarded');
    try {
      const rows = await sqlPrepared<{ id: string }>(
        this.raw,
        'provisio_user_insert_v2',
        `with go as (select 1 where not exists (select 1 from scim_user
                       where tenant_id = ?::uuid and deleted_at is not null and (user_name_key = ?::text or external_id = ?::text))),
         ${outbox.ctes}
         insert into scim_user (id, tenant_id, user_name, user_name_key, external_id, display_name, active, attributes, version, created_at, updated_at)
         select ?::uuid, ?::uuid, ?::text, ?::text, ?::text, ?::text, ?::boolean, ?::jsonb, 1, ?::timestamptz, ?::timestamptz from go
         returning id`,
        [ctx.tenant.id, c.userNameKey, c.externalId, ...outbox.params, id, ctx.tenant.id, c.userName, c.userNameKey, c.externalId, c.displayName, c.active, JSON.stringify(doc), now, now],
      );
      if (rows.length === 0) return null;
      this.events.noted(ctx, drafts, null, outbox);
    } catch (e) {
      if ((e as { code?: string }).code === UNIQUE_VIOLATION) throw this.taken(c.userName);
      throwIfTenantDeleted(e);
      throw e;
    }
    return { id, doc, active: c.active, version: 1, createdAt: now, updatedAt: now, groups: [] };
  }

  /**
   * The ids of the tenant's live users with these userNames, compared as the uniqueness rule
   * compares them (userNameKey); a name that matches no user, or several (flagged collisions), is
   * left out. For `provisio import --update`.
   */
  async idsByUserName(ctx: RequestContext, userNames: string[]): Promise<Map<string, string>> {
    const keyOf = new Map(userNames.map((n) => [n, userNameKey(n)]));
    const rows = await sql<{ key: string; id: string }>(
      this.raw,
      'select user_name_key as key, id from scim_user where tenant_id = ? and deleted_at is null and user_name_key = any(?::text[])',
      [ctx.tenant.id, [...new Set(keyOf.values())]],
    );
    const byKey = new Map<string, string | null>();
    for (const r of rows) byKey.set(r.key, byKey.has(r.key) ? null : r.id);
    const ids = new Map<string, string>();
    for (const [name, key] of keyOf) {
      const id = byKey.get(key);
      if (id) ids.set(name, id);
    }
    return ids;
  }

  /** RFC 7644 §3.4.1. Tombstoned users are not found. */
  async get(ctx: RequestContext, id: string): Promise<UserRecord> {
    if (!isUuid(id)) throw this.notFound(id);
    const rows = await sqlPrepared<UserRow>(this.raw, 'provisio_user_get', `${SELECT} where r.id = ? and r.tenant_id = ? and r.deleted_at is null`, [id, ctx.tenant.id]);
    if (!rows[0]) throw this.notFound(id);
    return fromRow(rows[0]);
  }

  /** RFC 7644 §3.4.2: filtered in SQL, then paged (see pageOf). */
  async list(ctx: RequestContext, query: ListQuery): Promise<ListResult<UserRecord>> {
    const { total, rows, ...cursors } = await pageOf<UserRow>(
      this.raw,
      { rt: await this.catalogue.resourceType(ctx, 'User'), storage: userStorage, table: 'scim_user', select: SELECT, where: 'r.tenant_id = ? and r.deleted_at is null', params: [ctx.tenant.id], counted: { tenantId: ctx.tenant.id, resource: 'User' } },
      { ...query, leniency: ctx.leniency ?? query.leniency },
    );
    return { totalResults: total, startIndex: query.startIndex, items: rows.map(fromRow), ...cursors };
  }

  /** RFC 7644 §3.5.1: the body replaces every writable attribute. */
  async replace(ctx: RequestContext, id: string, body: unknown, options?: WriteOptions): Promise<UserRecord> {
    const rt = await this.catalogue.resourceType(ctx, 'User');
    const { doc } = normalizeResource(body, rt, { requireRequired: true, leniency: ctx.leniency, unknown: ctx.health?.unknown });
    const bodyId = (body as { id?: unknown }).id;
    if (bodyId !== undefined && bodyId !== null && bodyId !== id) throw new InvalidValueError('id in the body does not match the URL');
    const region = await this.phoneRegions.of(ctx.tenant.id);
    const replaced = await this.write(async (em) => {
      const user = await this.lock(em, ctx, id, options);
      const before = user.attributes;
      project(user, replaceDocument(user.attributes, doc, rt));
      await this.checkManager(em, ctx, before, user.attributes);
      user.version += 1;
      user.updatedAt = new Date();
      await em.flush();
      await this.events.record(em, ctx, withPhones(userChangeEvents(userResourceType, user.id, user.version, before, user.attributes), user.attributes, region));
      return this.reload(em, user.id);
    }, doc.userName as string);
    ctx.health?.user(replaced.id, replaced.doc, region);
    return replaced;
  }

  /** RFC 7644 §3.5.2: all operations apply, or none. A PATCH that changes nothing keeps the version. */
  async patch(ctx: RequestContext, id: string, operations: unknown, options?: WriteOptions): Promise<{ user: UserRecord; changed: string[] }> {
    const rt = await this.catalogue.resourceType(ctx, 'User');
    let renamedTo: string | undefined;
    const region = await this.phoneRegions.of(ctx.tenant.id);
    const patched = await this.write(async (em) => {
      const user = await this.lock(em, ctx, id, options);
      const result = applyPatch(user.attributes, operations, rt, { leniency: ctx.leniency, unknown: ctx.health?.unknown });
      renamedTo = result.doc.userName as string;
      if (result.changed.length > 0) {
        const before = user.attributes;
        await this.checkManager(em, ctx, before, result.doc);
        project(user, result.doc);
        user.version += 1;
        user.updatedAt = new Date();
        await em.flush();
        await this.events.record(em, ctx, withPhones(userChangeEvents(userResourceType, user.id, user.version, before, user.attributes), user.attributes, region));
      }
      return { user: await this.reload(em, user.id), changed: result.changed };
    }, () => renamedTo); // a rename onto a taken userName names the name (RFC 7644 §3.12 uniqueness)
    ctx.health?.user(patched.user.id, patched.user.doc, region);
    return patched;
  }

  /**
   * RFC 7644 §3.6: the user is 404 from now on, whatever the policy of the connection that sent
   * the DELETE. Under `delete` (and for any actor that is not a SCIM connection) the row stays as
   * an inactive tombstone, its memberships are removed (each group it left gets a new version and
   * `group.members_removed`) and downstream gets `user.deleted`. Under `deactivate` see deactivate().
   */
  async delete(ctx: RequestContext, id: string, options?: WriteOptions): Promise<void> {
    await this.write(async (em) => {
      const user = await this.lock(em, ctx, id, options);
      const policy = await this.deletePolicy(em, ctx);
      if (ctx.audit) ctx.audit.note = `deletePolicy=${policy}`;
      if (policy === 'deactivate') return this.deactivate(em, ctx, user);
      const left = await sql<{ id: string; version: number }>(
        em,
        `with gone as (delete from group_member where member_id = ? returning group_id)
         update scim_group set version = version + 1, updated_at = now() where id in (select group_id from gone) returning id, version`,
        [user.id],
      );
      user.deletedAt = new Date();
      user.active = false;
      user.version += 1;
      user.updatedAt = user.deletedAt;
      await em.flush();
      await this.events.record(em, ctx, [
        ...left.flatMap((g) => memberEvents('group.members_removed', g.id, g.version, [user.id], { cause: 'user.deleted' })),
        userDeletedEvent(user.id, user.version, user.attributes),
      ]);
    });
  }

  /** The delete policy of the SCIM connection acting (read in the transaction: a change applies at once). */
  private async deletePolicy(em: EntityManager, ctx: RequestContext): Promise<DeletePolicy> {
    if (ctx.actor.kind !== 'scim') return 'delete';
    const [row] = await sql<{ delete_policy: DeletePolicy }>(em, 'select delete_policy from scim_connection where id = ?', [ctx.actor.connectionId]);
    return row?.delete_policy ?? 'delete';
  }

  /**
   * A DELETE under the `deactivate` policy. Over SCIM the user is gone as RFC 7644 §3.6 requires
   * (404, its userName free again); downstream it is only deactivated: one `user.deactivated`, no
   * membership event. Its memberships move to held_membership, hidden from every SCIM read and
   * filter; each of those groups gets a new version (its member list, as SCIM shows it, changed)
   * without an event, since for downstream the membership is kept.
   */
  private async deactivate(em: EntityManager, ctx: RequestContext, user: ScimUser): Promise<void> {
    await sql(
      em,
      `with gone as (delete from group_member where member_id = ? returning group_id, member_id, created_at),
            held as (insert into held_membership (group_id, member_id, created_at) select group_id, member_id, created_at from gone
                     on conflict do nothing)
       update scim_group set version = version + 1, updated_at = now() where id in (select group_id from gone)`,
      [user.id],
    );
    const before = user.attributes;
    user.deletedAt = new Date();
    user.deactivatedAt = user.deletedAt;
    user.attributes = { ...before, active: false };
    user.active = false;
    user.version += 1;
    user.updatedAt = user.deletedAt;
    await em.flush();
    const base = { resourceType: 'User', id: user.id, version: user.version, userName: user.userName, externalId: user.externalId ?? null };
    // a user already inactive still gets the event: for downstream, this DELETE is the deprovisioning
    await this.events.record(em, ctx, [{ type: 'user.deactivated', subject: user.id, data: { ...base, cause: 'delete' }, changed: ['active'] }]);
  }

  /**
   * Brings back a user deactivated by a DELETE (a re-POST with its userName or externalId, or an
   * admin restore): under its old id, with `doc` as its document, and with its held memberships
   * back in the groups that still exist. Those groups get a new version, without an event (for
   * downstream the membership never ended). Events: `user.updated` when attributes other than
   * `active` changed, then `user.reactivated` (with the group ids) when the user is active.
   */
  private async reactivate(em: EntityManager, ctx: RequestContext, user: ScimUser, doc: Document): Promise<UserRecord> {
    const before = user.attributes;
    const groups = await sql<{ id: string }>(
      em,
      `with back as (delete from held_membership where member_id = ? returning group_id, member_id, created_at),
            ins as (insert into group_member (group_id, member_id, created_at) select group_id, member_id, created_at from back
                    on conflict do nothing returning group_id)
       update scim_group set version = version + 1, updated_at = now() where id in (select group_id from ins) returning id`,
      [user.id],
    );
    user.deletedAt = null;
    user.deactivatedAt = null;
    user.version += 1;
    user.updatedAt = new Date();
    project(user, doc);
    await em.flush();
    const drafts = userChangeEvents(userResourceType, user.id, user.version, before, user.attributes).map((d) =>
      d.type === 'user.reactivated' ? { ...d, data: { ...d.data, groups: groups.map((g) => g.id).sort() } } : d,
    );
    await this.events.record(em, ctx, drafts);
    return this.reload(em, user.id);
  }

  /** Reads a user back inside the write's transaction, as the edges will show it. */
  private async reload(em: EntityManager, id: string): Promise<UserRecord> {
    const rows = await sql<UserRow>(em, `${SELECT} where r.id = ?`, [id]);
    return fromRow(rows[0]);
  }

  /** Locks a live user for a write; `options.ifVersion` is checked under the lock (RFC 7644 §3.14). */
  private async lock(em: EntityManager, ctx: RequestContext, id: string, options?: WriteOptions): Promise<ScimUser> {
    const user = isUuid(id)
      ? await em.findOne(ScimUser, { id, tenant: ctx.tenant.id, deletedAt: null }, { lockMode: LockMode.PESSIMISTIC_WRITE })
      : null;
    if (!user) throw this.notFound(id);
    assertVersion(user.version, options, `User "${id}"`);
    return user;
  }

  /** One transaction per write; a unique-index violation (a concurrent create) becomes a 409. */
  /** `userName`: the name a uniqueness conflict reports; a function when only the transaction learns it (restore). */
  private async write<T>(work: (em: EntityManager) => Promise<T>, userName?: string | (() => string | undefined)): Promise<T> {
    try {
      // a deadlock or serialisation failure reruns the whole transaction (see retryTransaction)
      return await retryTransaction(() => this.em().transactional(work));
    } catch (e) {
      if (e instanceof UniqueConstraintViolationException) throw this.taken((typeof userName === 'function' ? userName() : userName) ?? '');
      throw e;
    }
  }

  /**
   * RFC 7643 §4.3: the enterprise manager.value is "the id of the SCIM resource representing the
   * User's manager". A new or changed manager naming no live user of the tenant is invalidValue for
   * a strict client; a lenient one's is stored as sent (the manager may be provisioned later) and
   * counted in the connection's mapping health.
   */
  private async checkManager(em: EntityManager, ctx: RequestContext, before: Document | undefined, after: Document): Promise<void> {
    const manager = managerOf(after);
    if (manager === undefined || manager === (before && managerOf(before))) return;
    const found = isUuid(manager)
      ? await sql(em, 'select 1 from scim_user where id = ? and tenant_id = ? and deleted_at is null', [manager, ctx.tenant.id])
      : [];
    if (found.length > 0) return;
    if (ctx.leniency?.danglingManager === false) throw new InvalidValueError(`the enterprise manager "${manager}" names no user of this tenant (RFC 7643 §4.3 manager.value)`);
    if (ctx.health) ctx.health.unknownManager = true;
  }

  private taken(userName: string): UniquenessError {
    return new UniquenessError(`userName "${userName}" is already taken in this tenant`);
  }

  private notFound(id: string): NotFoundError {
    return new NotFoundError(`User "${id}" not found`);
  }

  /** Deleted users (tombstones) of the tenant, filtered and paged like list(): what purge and restore act on. */
  async listDeleted(ctx: RequestContext, query: ListQuery): Promise<ListResult<UserRecord>> {
    const rt = await this.catalogue.resourceType(ctx, 'User');
    const { total, rows, ...cursors } = await pageOf<UserRow>(
      this.em(),
      { rt, storage: userStorage, table: 'scim_user', select: SELECT, where: 'r.tenant_id = ? and r.deleted_at is not null', params: [ctx.tenant.id] },
      query,
    );
    return { totalResults: total, startIndex: query.startIndex, items: rows.map(fromRow), ...cursors };
  }

  /**
   * Erasure of a deleted user (GDPR art. 17): its tombstone row goes for good, and with it every row
   * that references it (memberships cascade); audit filters that named it are redacted. A live user must be deleted by its IdP first, which stays
   * the source of truth: purging one is refused (preconditionFailed).
   */
  async purge(ctx: RequestContext, id: string): Promise<void> {
    await this.write(async (em) => {
      await useKind(em, 'admin'); // redacting a long audit trail may outlast the request timeout
      const rows = isUuid(id)
        ? await sql<{ deleted: boolean; version: number }>(em, 'select deleted_at is not null as deleted, version from scim_user where id = ? and tenant_id = ? for update', [id, ctx.tenant.id])
        : [];
      if (!rows[0]) throw this.notFound(id);
      if (!rows[0].deleted) throw new DomainError('preconditionFailed', `User "${id}" is not deleted: only a deleted user can be purged`);
      await redactAuditFilters(em, ctx.tenant.id, id); // filters naming the user (see erasure.ts)
      await sql(em, 'delete from group_member where member_id = ?', [id]);
      await sql(em, 'delete from scim_user where id = ?', [id]);
      // Erasure reaches the event stream too: the user's earlier events still in the outbox (not yet
      // delivered, held, or kept for pollers until retention) lose their personal data and keep only
      // what identifies the change; a user.purged event (the id, nothing else) tells consumers to erase theirs.
      await sql(
        em,
        `update event_outbox set data = jsonb_build_object('resourceType', 'User', 'id', subject, 'version', data->'version', 'redacted', true)
          where tenant_id = ? and subject = ? and type like 'user.%'`,
        [ctx.tenant.id, id],
      );
      await this.events.record(em, ctx, [{ type: 'user.purged', subject: id, data: { resourceType: 'User', id, version: Number(rows[0].version) + 1 } }]);
    });
  }

  /**
   * Undoes a delete: the tombstone becomes the user it was, under its old id and with its old document
   * (active as the document says), without group memberships (they went with the delete). Refused
   * (uniqueness) when a live user has taken its userName meanwhile.
   */
  async restore(ctx: RequestContext, id: string): Promise<UserRecord> {
    let userName: string | undefined; // the tombstone's, for the uniqueness error
    return this.write(async (em) => {
      const user = isUuid(id) ? await em.findOne(ScimUser, { id, tenant: ctx.tenant.id }, { lockMode: LockMode.PESSIMISTIC_WRITE }) : null;
      if (!user) throw this.notFound(id);
      userName = user.userName;
      if (!user.deletedAt) throw new DomainError('preconditionFailed', `User "${id}" is not deleted`);
      if (user.deactivatedAt) return this.reactivate(em, ctx, user, { ...user.attributes, active: true });
      user.deletedAt = null;
      user.active = user.attributes.active !== false;
      user.version += 1;
      user.updatedAt = new Date();
      await em.flush();
      await this.events.record(em, ctx, [userSnapshotEvent(userResourceType, 'user.restored', user.id, user.version, user.attributes)]);
      return this.reload(em, user.id);
    }, () => userName);
  }
}
