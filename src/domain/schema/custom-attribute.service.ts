import { MikroORM, UniqueConstraintViolationException } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../db/sql';
import type { RequestContext } from '../context';
import { InvalidValueError, NotFoundError, UniquenessError } from '../errors';
import { Tenant } from '../tenant/tenant.entity';
import { retryTransaction } from '../retry';
import { EventRecorder } from '../event/event-recorder';
import { groupEvents, userChangeEvents } from '../event/changes';
import type { EventDraft } from '../event/event-types';
import { AttributeDef, AttributeType, Mutability, Returned } from './attribute';
import { groupResourceType, URN, userResourceType } from './core-schemas';
import { CustomAttribute } from './custom-attribute.entity';
import { RESOURCE_TYPE_NAMES, ResourceTypeName, TenantCatalogue } from './tenant-catalogue';

/** The channel on which define and remove announce, at commit, a tenant whose catalogue changed. */
export const CATALOGUE_CHANGED_CHANNEL = 'provisio_catalogue_changed';

/** What an administrator sends to define one custom attribute (RFC 7643 §7 characteristics). */
export interface CustomAttributeInput {
  /** "User" or "Group" (any case) */
  resourceType: string;
  /** extension schema URN; default urn:ietf:params:scim:schemas:extension:<tenant slug>:2.0:<User|Group> */
  schema?: string;
  name: string;
  type: string;
  multiValued?: boolean;
  description?: string;
  required?: boolean;
  caseExact?: boolean;
  mutability?: string;
  returned?: string;
  uniqueness?: string;
  canonicalValues?: string[];
  referenceTypes?: string[];
  /** for type "complex": its simple sub-attributes */
  subAttributes?: Omit<CustomAttributeInput, 'resourceType' | 'schema' | 'subAttributes'>[];
}

/** A defined custom attribute. */
export interface CustomAttributeInfo {
  id: string;
  resourceType: ResourceTypeName;
  schema: string;
  attribute: AttributeDef;
  createdAt: Date;
}

const TYPES: readonly AttributeType[] = ['string', 'boolean', 'integer', 'decimal', 'dateTime', 'reference', 'binary', 'complex'];
/** Values clients write: readOnly would be unwritable, writeOnly is never stored (RFC 7643 §2.2). */
const MUTABILITIES: readonly Mutability[] = ['readWrite', 'immutable'];
/** `request` and `never` would need every response path to honour them; not offered yet. */
const RETURNED: readonly Returned[] = ['default', 'always'];
/** RFC 7643 §2.1 ATTRNAME, capped. */
const NAME_RE = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
/** A URN (RFC 8141) of characters that are safe in paths, filters and SQL literals. */
const URN_RE = /^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}(:[A-Za-z0-9._-]+)+$/;
const RESERVED_URN_PREFIXES = ['urn:ietf:params:scim:schemas:core:', 'urn:ietf:params:scim:api:'];
const RESERVED_URNS = [URN.enterpriseUser, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User'].map((u) => u.toLowerCase());
/** Caps that keep every tenant's catalogue small enough to resolve on each request. */
export const MAX_CUSTOM_ATTRIBUTES = 100;
const MAX_SUB_ATTRIBUTES = 20;
const MAX_CANONICAL_VALUES = 100;
/** Events per outbox statement when a removal rewrites many resources (bounded bind size, few round trips). */
const EVENTS_PER_BATCH = 1000;
/** Resources one statement of an attribute removal rewrites (one progress step). */
const STRIP_BATCH = 5000;

/** One resource that lost a removed attribute's value: what its update event needs. */
interface StrippedRow {
  id: string;
  version: number;
  live: boolean;
  old: unknown;
  user_name: unknown;
  display_name: unknown;
  external_id: unknown;
}

function bool(value: unknown, key: string, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw new InvalidValueError(`"${key}" must be true or false`);
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], key: string, fallback: T): T {
  if (value === undefined || value === null) return fallback;
  const found = allowed.find((a) => typeof value === 'string' && a.toLowerCase() === value.toLowerCase());
  if (!found) throw new InvalidValueError(`"${key}" must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  return found;
}

function strings(value: unknown, key: string, max: number): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length > max || !value.every((v) => typeof v === 'string' && v.length > 0 && v.length <= 256)) {
    throw new InvalidValueError(`"${key}" must be a list of at most ${max} non-empty strings`);
  }
  return value.length > 0 ? [...value] : undefined;
}

/**
 * Checks one definition against RFC 7643 §2.2/§7 and turns it into a catalogue AttributeDef.
 * Sub-attributes are simple and single-valued (RFC 7643 §2.3.8: complex attributes do not nest).
 */
export function toAttributeDef(input: Omit<CustomAttributeInput, 'resourceType' | 'schema'>, within?: string): AttributeDef {
  const label = within ? `${within}.${input.name}` : input.name;
  if (typeof input.name !== 'string' || !NAME_RE.test(input.name)) {
    throw new InvalidValueError(`attribute name ${JSON.stringify(input.name)} must start with a letter and hold only letters, digits, "-" and "_" (RFC 7643 §2.1), at most 64`);
  }
  const type = oneOf(input.type, TYPES, `${label}: type`, undefined as never);
  if (type === undefined) throw new InvalidValueError(`"${label}": type is required (${TYPES.join(', ')})`);
  const multiValued = bool(input.multiValued, `${label}: multiValued`, false);
  if (within && (type === 'complex' || multiValued)) throw new InvalidValueError(`"${label}": sub-attributes must be simple and single-valued (RFC 7643 §2.3.8)`);
  const uniqueness = oneOf(input.uniqueness, ['none'] as const, `${label}: uniqueness`, 'none');
  const description = input.description ?? '';
  if (typeof description !== 'string' || description.length > 1024) throw new InvalidValueError(`"${label}": description must be a string of at most 1024 characters`);
  const canonicalValues = strings(input.canonicalValues, `${label}: canonicalValues`, MAX_CANONICAL_VALUES);
  if (canonicalValues && type !== 'string') throw new InvalidValueError(`"${label}": canonicalValues apply to string attributes`);
  const referenceTypes = type === 'reference' ? (strings(input.referenceTypes, `${label}: referenceTypes`, 10) ?? ['external']) : undefined;
  const def: AttributeDef = {
    name: input.name,
    type,
    multiValued,
    description,
    required: bool(input.required, `${label}: required`, false),
    caseExact: bool(input.caseExact, `${label}: caseExact`, false),
    mutability: oneOf(input.mutability, MUTABILITIES, `${label}: mutability`, 'readWrite'),
    returned: oneOf(input.returned, RETURNED, `${label}: returned`, 'default'),
    uniqueness,
    ...(canonicalValues ? { canonicalValues } : {}),
    ...(referenceTypes ? { referenceTypes } : {}),
  };
  if (type !== 'complex') {
    if (input.subAttributes?.length) throw new InvalidValueError(`"${label}": only complex attributes have sub-attributes`);
    return def;
  }
  const subs = input.subAttributes;
  if (!Array.isArray(subs) || subs.length === 0 || subs.length > MAX_SUB_ATTRIBUTES) {
    throw new InvalidValueError(`"${label}": a complex attribute needs 1 to ${MAX_SUB_ATTRIBUTES} sub-attributes`);
  }
  const subAttributes = subs.map((s) => toAttributeDef(s, label));
  const names = new Set(subAttributes.map((s) => s.name.toLowerCase()));
  if (names.size !== subAttributes.length) throw new InvalidValueError(`"${label}": sub-attribute names must differ (case-insensitively)`);
  return { ...def, subAttributes };
}

function resourceTypeOf(value: unknown): ResourceTypeName {
  return oneOf(value, RESOURCE_TYPE_NAMES, 'resourceType', undefined as never) ?? (() => {
    throw new InvalidValueError(`resourceType is required (${RESOURCE_TYPE_NAMES.join(' or ')})`);
  })();
}

/** The default extension URN of a tenant: urn:ietf:params:scim:schemas:extension:<slug>:2.0:<User|Group>. */
export function defaultSchemaUrn(slug: string, resourceType: ResourceTypeName): string {
  return `urn:ietf:params:scim:schemas:extension:${slug}:2.0:${resourceType}`;
}

function checkUrn(urn: string): string {
  const lower = urn.toLowerCase();
  if (urn.length > 256 || !URN_RE.test(urn)) throw new InvalidValueError(`schema ${JSON.stringify(urn)} must be a URN of letters, digits, ".", "-", "_" and ":" (RFC 8141)`);
  if (RESERVED_URNS.includes(lower) || RESERVED_URN_PREFIXES.some((p) => lower.startsWith(p))) {
    throw new InvalidValueError(`schema "${urn}" is reserved by RFC 7643; choose another URN`);
  }
  return urn;
}

function info(row: CustomAttribute): CustomAttributeInfo {
  return {
    id: row.id,
    resourceType: row.resourceType as ResourceTypeName,
    schema: row.schemaUrn,
    attribute: { name: row.name, ...(row.definition as Omit<AttributeDef, 'name'>) },
    createdAt: row.createdAt,
  };
}

/**
 * A tenant's own attributes (RFC 7643 §3.3 schema extensions): define, list, remove. Shared by
 * the CLI and the admin API. The values live in each resource's document under the schema URN,
 * like the enterprise extension's, so the normaliser, PATCH, filters, sorting and projection
 * serve them through the tenant's catalogue (TenantCatalogue), which these writes invalidate.
 */
export class CustomAttributeService {
  constructor(
    private readonly orm: MikroORM,
    readonly catalogue: TenantCatalogue,
    private readonly events = new EventRecorder(),
  ) {}

  private em(): EntityManager {
    return this.orm.em.fork() as EntityManager;
  }

  /**
   * Defines one attribute. Its schema URN must not be reserved, nor used by the tenant for the
   * other resource type; its name is unique in the schema (case-insensitively, else Uniqueness).
   */
  async define(ctx: RequestContext, input: CustomAttributeInput): Promise<CustomAttributeInfo> {
    if (typeof input !== 'object' || input === null) throw new InvalidValueError('an attribute definition must be an object');
    const resourceType = resourceTypeOf(input.resourceType);
    const schema = checkUrn(input.schema ?? defaultSchemaUrn(ctx.tenant.slug, resourceType));
    const def = toAttributeDef(input);
    const { name, ...definition } = def;
    try {
      // its own transaction again after a deadlock with concurrent writes (see retryTransaction)
      const row = await retryTransaction(() => this.em().transactional(async (em) => {
        const existing = await em.find(CustomAttribute, { tenant: ctx.tenant.id });
        if (existing.length >= MAX_CUSTOM_ATTRIBUTES) throw new InvalidValueError(`a tenant has at most ${MAX_CUSTOM_ATTRIBUTES} custom attributes`);
        const sameSchema = existing.filter((e) => e.schemaUrn.toLowerCase() === schema.toLowerCase());
        if (sameSchema.some((e) => e.resourceType !== resourceType)) {
          throw new InvalidValueError(`schema "${schema}" already extends ${sameSchema[0].resourceType}, not ${resourceType}`);
        }
        if (sameSchema.some((e) => e.name.toLowerCase() === name.toLowerCase())) throw this.taken(name, schema);
        if (def.required) await this.assertNoResources(em, ctx, resourceType);
        // one spelling per schema: the first definition's
        const created = em.create(CustomAttribute, {
          tenant: em.getReference(Tenant, ctx.tenant.id),
          resourceType,
          schemaUrn: sameSchema[0]?.schemaUrn ?? schema,
          name,
          definition: definition as unknown as Record<string, unknown>,
        });
        await em.flush();
        await this.announce(em, ctx);
        return created;
      }));
      return info(row);
    } catch (e) {
      if (e instanceof UniqueConstraintViolationException) throw this.taken(name, schema);
      throw e;
    } finally {
      this.catalogue.invalidate(ctx.tenant.id);
    }
  }

  /** The tenant's custom attributes in definition order, optionally of one resource type. */
  async list(ctx: RequestContext, filter: { resourceType?: string } = {}): Promise<CustomAttributeInfo[]> {
    const where = filter.resourceType ? { tenant: ctx.tenant.id, resourceType: resourceTypeOf(filter.resourceType) } : { tenant: ctx.tenant.id };
    const rows = await this.em().find(CustomAttribute, where, { orderBy: { createdAt: 'asc', id: 'asc' } });
    return rows.map(info);
  }

  /**
   * Removes an attribute definition and, in the same transaction, its stored values from every
   * resource of the tenant (tombstones included): a value nobody can read, filter or write any
   * more must not linger, and a later definition of the same name with another type must not
   * meet old values. Each live resource that lost a value gets a new version and its
   * `user.updated` / `group.updated` event (old value, new null) in the same transaction, so the
   * event stream reflects the change and its versions have no gaps. Tombstones keep their version
   * and get no event: they are gone for consumers, and a restore sends the whole document.
   * Returns how many resources lost a value.
   *
   * One transaction (all or nothing), worked in batches of STRIP_BATCH resources: the resources
   * holding a value are locked first (so their count is known and none changes under the removal),
   * then each batch is one UPDATE plus its outbox events. `onProgress(done, total)` is called after
   * each batch (the CLI's progress bar); a retry after a deadlock counts again from 0.
   */
  async remove(
    ctx: RequestContext,
    input: { resourceType: string; name: string; schema?: string },
    options: { onProgress?: (done: number, total: number) => void } = {},
  ): Promise<{ removed: CustomAttributeInfo; resourcesChanged: number }> {
    const resourceType = resourceTypeOf(input.resourceType);
    try {
      // it rewrites every resource of the tenant: it may deadlock with their writes, and then runs again
      return await retryTransaction(() => this.em().transactional(async (em) => {
        const rows = (await em.find(CustomAttribute, { tenant: ctx.tenant.id, resourceType })).filter(
          (r) => r.name.toLowerCase() === String(input.name).toLowerCase() && (!input.schema || r.schemaUrn.toLowerCase() === input.schema.toLowerCase()),
        );
        if (rows.length === 0) throw new NotFoundError(`no custom ${resourceType} attribute "${input.name}"${input.schema ? ` in ${input.schema}` : ''}`);
        if (rows.length > 1) throw new InvalidValueError(`"${input.name}" is defined in several schemas: name one with schema`);
        const row = rows[0];
        const ids = await this.holders(em, ctx, resourceType, row);
        options.onProgress?.(0, ids.length);
        let changed = 0;
        for (let i = 0; i < ids.length; i += STRIP_BATCH) {
          const stripped = await this.strip(em, resourceType, row, ids.slice(i, i + STRIP_BATCH));
          await this.recordRemoval(em, ctx, resourceType, row.schemaUrn, row.name, stripped);
          changed += stripped.length;
          options.onProgress?.(Math.min(i + STRIP_BATCH, ids.length), ids.length);
        }
        em.remove(row);
        await em.flush();
        await this.announce(em, ctx);
        return { removed: info(row), resourcesChanged: changed };
      }));
    } finally {
      this.catalogue.invalidate(ctx.tenant.id);
    }
  }

  /**
   * The ids of the tenant's resources holding a value of the attribute, locked (FOR UPDATE reads
   * their latest committed version and keeps them unchanged until the removal commits).
   */
  private async holders(em: EntityManager, ctx: RequestContext, resourceType: ResourceTypeName, row: CustomAttribute): Promise<string[]> {
    const table = resourceType === 'User' ? 'scim_user' : 'scim_group';
    const held = await sql<{ id: string }>(
      em,
      `select id from ${table} where tenant_id = ? and (attributes -> ? -> ?) is not null order by id for update`,
      [ctx.tenant.id, row.schemaUrn, row.name],
    );
    return held.map((h) => h.id);
  }

  /**
   * Drops the value from a batch of locked resources, in one statement; the extension object goes
   * too when it was its last member. The old values it returns are exactly the ones removed (the
   * rows are locked by `holders`).
   */
  private async strip(em: EntityManager, resourceType: ResourceTypeName, row: CustomAttribute, ids: string[]): Promise<StrippedRow[]> {
    const user = resourceType === 'User';
    const table = user ? 'scim_user' : 'scim_group';
    const live = user ? 't.deleted_at is null' : 'true';
    return sql<StrippedRow>(
      em,
      `with held as (select id, attributes -> ? -> ? as old from ${table} where id = any(?::uuid[]))
       update ${table} t set
         attributes = case when (t.attributes -> ?) - ? = '{}'::jsonb then t.attributes - ?
                           else jsonb_set(t.attributes, array[?], (t.attributes -> ?) - ?) end,
         version = t.version + case when ${live} then 1 else 0 end,
         updated_at = case when ${live} then now() else t.updated_at end
       from held where t.id = held.id and held.old is not null
       returning t.id, t.version, ${live} as live, held.old, t.attributes -> 'userName' as user_name,
                 t.attributes -> 'displayName' as display_name, t.attributes -> 'externalId' as external_id`,
      [row.schemaUrn, row.name, `{${ids.join(',')}}`, row.schemaUrn, row.name, row.schemaUrn, row.schemaUrn, row.schemaUrn, row.name],
    );
  }

  /**
   * One update event per live resource that lost the value (the same drafts a PATCH removing it
   * would write), through the outbox in batches: a tenant with many resources costs one
   * statement per EVENTS_PER_BATCH, not one per resource. The recorder also reports the ids and
   * the attribute to the request's audit notes (an admin mutation's audit row).
   */
  private async recordRemoval(em: EntityManager, ctx: RequestContext, resourceType: ResourceTypeName, urn: string, name: string, rows: StrippedRow[]): Promise<void> {
    let batch: EventDraft[] = [];
    for (const r of rows) {
      if (!r.live) continue;
      const keys = resourceType === 'User'
        ? { userName: r.user_name, ...(r.external_id != null ? { externalId: r.external_id } : {}) }
        : { displayName: r.display_name, ...(r.external_id != null ? { externalId: r.external_id } : {}) };
      const before = { ...keys, [urn]: { [name]: r.old } };
      batch.push(...(resourceType === 'User'
        ? userChangeEvents(userResourceType, r.id, r.version, before, keys)
        : groupEvents(groupResourceType, 'updated', r.id, r.version, keys, before)));
      if (batch.length >= EVENTS_PER_BATCH) {
        await this.events.record(em, ctx, batch);
        batch = [];
      }
    }
    await this.events.record(em, ctx, batch);
  }

  /**
   * A required attribute can only be defined while the tenant has no live resource of that type:
   * afterwards every resource lacking it would fail each PATCH and PUT (RFC 7643 §2.2), and an IdP
   * that does not send it would see all its updates refused.
   */
  private async assertNoResources(em: EntityManager, ctx: RequestContext, resourceType: ResourceTypeName): Promise<void> {
    const live = resourceType === 'User' ? 'select 1 from scim_user where tenant_id = ? and deleted_at is null limit 1' : 'select 1 from scim_group where tenant_id = ? limit 1';
    if ((await sql(em, live, [ctx.tenant.id])).length > 0) {
      throw new InvalidValueError(`a required ${resourceType} attribute can only be defined before the tenant has ${resourceType.toLowerCase()}s; define it as optional`);
    }
  }

  /** Tells other processes (pg_notify is sent at commit, and not at all on rollback). */
  private async announce(em: EntityManager, ctx: RequestContext): Promise<void> {
    await sql(em, 'select pg_notify(?, ?)', [CATALOGUE_CHANGED_CHANNEL, ctx.tenant.id]);
  }

  private taken(name: string, schema: string): UniquenessError {
    return new UniquenessError(`attribute "${name}" is already defined in ${schema}`);
  }
}
