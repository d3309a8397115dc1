import { LockMode, MikroORM, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { RequestContext } from '../context';
import type { ConnectionService } from '../connection/connection.service';
import { EventRecorder } from '../event/event-recorder';
import { InvalidValueError, NotFoundError, UniquenessError } from '../errors';
import { isUuid } from '../ids';
import { sql, sqlRun } from '../../db/sql';
import { Tenant } from './tenant.entity';

/** What deleting a tenant removed (counts of rows purged). */
export interface TenantDeletion {
  tenant: { id: string; slug: string; name: string; deletedAt: Date };
  purged: { users: number; groups: number; customAttributes: number; events: number };
  connectionsDeleted: number;
}

const SLUG_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Lower-case ASCII letters, digits and single hyphens: safe in a URL path segment. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/g, '');
  return slug || 'tenant';
}

/** The one answer for a tenant a caller cannot reach, whether it exists or not (no existence oracle). */
export function tenantNotFound(slugOrId: string): NotFoundError {
  return new NotFoundError(`tenant "${slugOrId}" not found`);
}

export class TenantService {
  constructor(
    private readonly orm: MikroORM,
    private readonly connections?: ConnectionService,
    private readonly events = new EventRecorder(),
  ) {}

  /**
   * Creates a tenant. An explicit slug must be free (else Uniqueness); a slug derived from the
   * name gets a numeric suffix when taken.
   */
  async create(input: { name: string; slug?: string }): Promise<Tenant> {
    const name = input.name?.trim();
    if (!name) throw new InvalidValueError('tenant name is required');
    if (input.slug !== undefined && !SLUG_RE.test(input.slug)) {
      throw new InvalidValueError('slug must be 1-63 lower-case letters, digits or hyphens, not starting or ending with a hyphen');
    }
    const base = input.slug ?? slugify(name);
    for (let n = 1; n < 1000; n++) {
      const slug = n === 1 ? base : `${base.slice(0, 58)}-${n}`;
      const em = this.orm.em.fork();
      const tenant = em.create(Tenant, { name, slug });
      try {
        await em.persistAndFlush(tenant);
        return tenant;
      } catch (e) {
        if (!(e instanceof UniqueConstraintViolationException)) throw e;
        if (input.slug !== undefined) throw new UniquenessError(`a tenant with slug "${slug}" already exists`);
      }
    }
    throw new UniquenessError(`no free slug for "${name}"`);
  }

  async list(): Promise<Tenant[]> {
    return this.orm.em.fork().find(Tenant, { deletedAt: null }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  }

  /** Every tenant ever created, deleted ones too (a database that had tenants is not a fresh one). */
  async count(): Promise<number> {
    return this.orm.em.fork().count(Tenant, {});
  }

  /**
   * Finds a tenant by slug or id; NotFound otherwise. A deleted tenant is not found, unless
   * `includeDeleted` (reading its kept audit trail).
   */
  async get(slugOrId: string, options: { includeDeleted?: boolean } = {}): Promise<Tenant> {
    const where = isUuid(slugOrId) ? { $or: [{ id: slugOrId }, { slug: slugOrId }] } : { slug: slugOrId };
    const tenant = await this.orm.em.fork().findOne(Tenant, { ...where, ...(options.includeDeleted ? {} : { deletedAt: null }) });
    if (!tenant) throw tenantNotFound(slugOrId);
    return tenant;
  }

  /**
   * `get` of many references (slugs or ids) in one statement: each reference's tenant, or the error
   * `get` would throw for it (the GraphQL tenant loader: aliases over many tenants cost one lookup).
   */
  async getMany(refs: readonly string[]): Promise<(Tenant | Error)[]> {
    const ids = [...new Set(refs.filter(isUuid).map((r) => r.toLowerCase()))];
    const slugs = [...new Set(refs)];
    const found = await this.orm.em.fork().find(Tenant, { $or: [...(ids.length > 0 ? [{ id: { $in: ids } }] : []), { slug: { $in: slugs } }], deletedAt: null });
    const byRef = new Map<string, Tenant>();
    for (const t of found) byRef.set(t.slug, t);
    for (const t of found) byRef.set(t.id, t); // an id wins over a slug spelled like one, as in get
    return refs.map((r) => byRef.get(isUuid(r) ? r.toLowerCase() : r) ?? byRef.get(r) ?? tenantNotFound(r));
  }

  /**
   * Renames a tenant. The slug is not changeable: it is part of the SCIM URL that every IdP of the
   * tenant is configured with.
   */
  async update(id: string, input: { name?: string }): Promise<Tenant> {
    const em = this.orm.em.fork();
    return em.transactional(async (tx) => {
      const tenant = isUuid(id) ? await tx.findOne(Tenant, { id, deletedAt: null }) : null;
      if (!tenant) throw new NotFoundError(`tenant "${id}" not found`);
      if (input.name !== undefined) {
        const name = input.name.trim();
        if (!name) throw new InvalidValueError('tenant name must not be empty');
        tenant.name = name;
      }
      await tx.flush();
      return tenant;
    });
  }

  /**
   * Deletes a tenant, in one transaction, once `confirm` repeats its slug. Purged: its users (with
   * their tombstones), groups, memberships (held ones too), custom attributes and every event still
   * stored (held ones and their holds too). Kept: the tenant row (marked deleted; its slug stays
   * reserved), its connections (marked deleted) and token metadata (revoked: 401 at once, in
   * every process), and its whole audit trail. A last `tenant.deleted` event tells downstream to
   * drop the tenant's data. See docs/connections.md "Tenant deletion and retention".
   */
  async delete(ctx: RequestContext, options: { confirm?: string }): Promise<TenantDeletion> {
    return this.orm.em.fork().transactional(async (tx) => {
      const em = tx as EntityManager;
      const tenant = await em.findOne(Tenant, { id: ctx.tenant.id, deletedAt: null }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!tenant) throw new NotFoundError(`tenant "${ctx.tenant.slug}" not found`);
      if (options.confirm !== tenant.slug) {
        throw new InvalidValueError(`deleting a tenant cannot be undone: confirm with the tenant's slug ("${tenant.slug}")`);
      }
      const now = new Date();
      const count = (text: string) => sqlRun(em, text, [tenant.id]);
      // memberships (held ones too) go with their users and groups (foreign keys cascade)
      const users = await count('delete from scim_user where tenant_id = ?');
      const groups = await count('delete from scim_group where tenant_id = ?');
      const customAttributes = await count('delete from custom_attribute where tenant_id = ?');
      const events = await count('delete from event_outbox where tenant_id = ?');
      await count('delete from event_hold where tenant_id = ?');
      const connections = await sql<{ n: number }>(em, 'select count(*)::int as n from scim_connection where tenant_id = ? and deleted_at is null', [tenant.id]);
      if (this.connections) await this.connections.deleteAllOfTenant(em, tenant.id, now);
      else await sqlRun(em, 'update scim_token set revoked_at = ? where tenant_id = ? and revoked_at is null', [now, tenant.id]);
      tenant.deletedAt = now;
      await em.flush();
      await this.events.record(em, ctx, [
        { type: 'tenant.deleted', subject: tenant.id, data: { resourceType: 'Tenant', id: tenant.id, slug: tenant.slug, name: tenant.name } },
      ]);
      ctx.audit?.touched(tenant.id, ['deletedAt']);
      if (ctx.audit) ctx.audit.note = `purged users=${users} groups=${groups} events=${events}`;
      return {
        tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name, deletedAt: now },
        purged: { users, groups, customAttributes, events },
        connectionsDeleted: connections[0].n,
      };
    });
  }
}
