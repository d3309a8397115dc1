import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../ids';
import { Tenant } from '../tenant/tenant.entity';

/**
 * One attribute of a tenant's own extension schema (RFC 7643 §3.3 schema extensions, §7 attribute
 * definitions). The characteristics are kept as the catalogue's AttributeDef (without its name) in
 * `definition`, so the tenant's effective resource type is these rows added to the core catalogue.
 */
@Entity({ tableName: 'custom_attribute' })
// Names are case-insensitive (RFC 7643 §2.1): one attribute of a name per schema and tenant.
@Index({
  name: 'custom_attribute_tenant_schema_name_uq',
  expression:
    'create unique index "custom_attribute_tenant_schema_name_uq" on "custom_attribute" ("tenant_id", lower("schema_urn"), lower("name"))',
})
export class CustomAttribute {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @ManyToOne(() => Tenant, { deleteRule: 'cascade' })
  tenant!: Tenant;

  /** "User" or "Group": the resource type whose schemaExtensions list the schema */
  @Property({ type: 'text' })
  resourceType!: string;

  @Property({ type: 'text' })
  schemaUrn!: string;

  @Property({ type: 'text' })
  name!: string;

  /** AttributeDef without `name`: type, multiValued, required, caseExact, mutability, … subAttributes */
  @Property({ type: 'jsonb' })
  definition!: Record<string, unknown>;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
