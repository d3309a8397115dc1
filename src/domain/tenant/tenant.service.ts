import { MikroORM, UniqueConstraintViolationException } from '@mikro-orm/core';
import { InvalidValueError, NotFoundError, UniquenessError } from '../errors';
import { isUuid } from '../ids';
import { Tenant } from './tenant.entity';

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
  constructor(private readonly orm: MikroORM) {}

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
    return this.orm.em.fork().find(Tenant, {}, { orderBy: { createdAt: 'asc', id: 'asc' } });
  }

  async count(): Promise<number> {
    return this.orm.em.fork().count(Tenant, {});
  }

  /** Finds a tenant by slug or id; NotFound otherwise. */
  async get(slugOrId: string): Promise<Tenant> {
    const where = isUuid(slugOrId) ? { $or: [{ id: slugOrId }, { slug: slugOrId }] } : { slug: slugOrId };
    const tenant = await this.orm.em.fork().findOne(Tenant, where);
    if (!tenant) throw tenantNotFound(slugOrId);
    return tenant;
  }

  /**
   * Renames a tenant. The slug is not changeable: it is part of the SCIM URL that every IdP of the
   * tenant is configured with.
   */
  async update(id: string, input: { name?: string }): Promise<Tenant> {
    const em = this.orm.em.fork();
    return em.transactional(async (tx) => {
      const tenant = isUuid(id) ? await tx.findOne(Tenant, id) : null;
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
}
