import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../db/sql';
import type { RequestContext } from '../context';
import type { AttributeDef, ResourceTypeDef, SchemaDef } from './attribute';
import { groupResourceType, userResourceType } from './core-schemas';

/** The resource types every tenant serves (RFC 7643 §6). */
export const RESOURCE_TYPE_NAMES = ['User', 'Group'] as const;
export type ResourceTypeName = (typeof RESOURCE_TYPE_NAMES)[number];

const CORE: Record<ResourceTypeName, ResourceTypeDef> = { User: userResourceType, Group: groupResourceType };

/** A stored custom attribute, as the catalogue reads it. */
export interface CustomAttributeRow {
  resource_type: string;
  schema_urn: string;
  name: string;
  definition: Omit<AttributeDef, 'name'>;
}

/** How long a tenant's catalogue is trusted without reading it again (other server instances). */
export const CATALOGUE_TTL_MS = 5_000;

/**
 * The effective resource types of a tenant: the core catalogue plus the extension schemas its
 * custom attributes form (RFC 7643 §3.3, §6 schemaExtensions), one extension per schema URN, in
 * definition order. A tenant without custom attributes gets the core objects themselves.
 */
export function buildResourceTypes(rows: CustomAttributeRow[]): Record<ResourceTypeName, ResourceTypeDef> {
  const out = { ...CORE };
  for (const name of RESOURCE_TYPE_NAMES) {
    const schemas = new Map<string, SchemaDef>();
    for (const row of rows.filter((r) => r.resource_type === name)) {
      const key = row.schema_urn.toLowerCase();
      let schema = schemas.get(key);
      if (!schema) {
        schema = { id: row.schema_urn, name: `Custom${name}`, description: `Custom ${name} attributes of this tenant`, attributes: [] };
        schemas.set(key, schema);
      }
      schema.attributes.push({ name: row.name, ...row.definition });
    }
    if (schemas.size > 0) {
      // an extension holding a required attribute is itself required (RFC 7643 §6 schemaExtensions.required):
      // otherwise a resource without the extension object would escape the attribute's requirement
      const custom = [...schemas.values()].map((schema) => ({ schema, required: schema.attributes.some((a) => a.required) }));
      out[name] = { ...CORE[name], extensions: [...CORE[name].extensions, ...custom] };
    }
  }
  return out;
}

interface Entry {
  loadedAt: number;
  types: Promise<Record<ResourceTypeName, ResourceTypeDef>>;
}

/**
 * Per-tenant resource types, cached. Define and remove in this process invalidate at once; other
 * processes (more server instances, the CLI on DATABASE_URL) are seen after at most
 * CATALOGUE_TTL_MS, when the entry is read again: one indexed query per tenant per TTL.
 */
export class TenantCatalogue {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly orm: MikroORM,
    private readonly ttlMs = CATALOGUE_TTL_MS,
    private readonly maxTenants = 10_000,
  ) {}

  /** The tenant's effective User or Group resource type. */
  async resourceType(ctx: Pick<RequestContext, 'tenant'>, name: ResourceTypeName): Promise<ResourceTypeDef> {
    return (await this.load(ctx.tenant.id))[name];
  }

  /** Every resource type the tenant serves, User first. */
  async resourceTypes(ctx: Pick<RequestContext, 'tenant'>): Promise<ResourceTypeDef[]> {
    const types = await this.load(ctx.tenant.id);
    return RESOURCE_TYPE_NAMES.map((n) => types[n]);
  }

  /** Forgets a tenant's catalogue (after define or remove). */
  invalidate(tenantId: string): void {
    this.entries.delete(tenantId);
  }

  private load(tenantId: string): Promise<Record<ResourceTypeName, ResourceTypeDef>> {
    const now = Date.now();
    const hit = this.entries.get(tenantId);
    if (hit && now - hit.loadedAt < this.ttlMs) return hit.types;
    if (this.entries.size >= this.maxTenants) this.entries.clear();
    const types = sql<CustomAttributeRow>(
      this.orm.em.fork() as EntityManager,
      'select resource_type, schema_urn, name, definition from custom_attribute where tenant_id = ? order by created_at, id',
      [tenantId],
    ).then(buildResourceTypes);
    const entry = { loadedAt: now, types };
    this.entries.set(tenantId, entry);
    // a failed read is not cached
    types.catch(() => this.entries.get(tenantId) === entry && this.entries.delete(tenantId));
    return types;
  }
}
