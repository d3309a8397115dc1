import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../ids';
import { Tenant } from '../tenant/tenant.entity';

/**
 * A provisioned group (RFC 7643 §4.2). Members are rows of group_member, never an array in this row,
 * so membership changes are set operations whose cost follows the members they name.
 */
@Entity({ tableName: 'scim_group' })
// displayName is not unique (RFC 7643 §4.2: uniqueness none; directory group names repeat, Entra
// matches groups on externalId): a plain index serves `displayName eq` lookups
@Index({
  name: 'scim_group_tenant_display_name_idx',
  expression: 'create index "scim_group_tenant_display_name_idx" on "scim_group" ("tenant_id", lower("display_name"))',
})
@Index({ name: 'scim_group_tenant_external_id_idx', properties: ['tenant', 'externalId'] })
// co/sw/ew on displayName (issue 3 query indexes)
@Index({
  name: 'scim_group_display_name_trgm_idx',
  expression: 'create index "scim_group_display_name_trgm_idx" on "scim_group" using gin (lower("display_name") gin_trgm_ops)',
})
export class ScimGroup {
  [OptionalProps]?: 'attributes' | 'version' | 'createdAt' | 'updatedAt' | 'externalId';

  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @ManyToOne(() => Tenant, { deleteRule: 'cascade' })
  tenant!: Tenant;

  @Property({ type: 'text' })
  displayName!: string;

  @Property({ type: 'text', nullable: true })
  externalId?: string | null;

  /** The SCIM document without members (kept in group_member). */
  @Property({ type: 'jsonb' })
  attributes: Record<string, unknown> = {};

  /** Incremented on every change, membership changes included (RFC 7644 §3.14). */
  @Property({ type: 'integer', default: 1 })
  version: number = 1;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}
