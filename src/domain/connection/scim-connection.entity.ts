import { Entity, OptionalProps, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../ids';
import { Tenant } from '../tenant/tenant.entity';

/**
 * The identity provider kinds Provisio has compatibility profiles for; `strict` is RFC 7643/7644
 * as written, for conformance testing (docs/idp-profiles.md).
 */
export const IDP_KINDS = ['entra', 'okta', 'jumpcloud', 'generic', 'strict'] as const;
export type IdpKind = (typeof IDP_KINDS)[number];

/** One IdP's SCIM client configuration for a tenant; it owns the bearer tokens that IdP uses. */
@Entity({ tableName: 'scim_connection' })
@Index({ name: 'scim_connection_tenant_idx', properties: ['tenant'] })
export class ScimConnection {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @ManyToOne(() => Tenant, { deleteRule: 'cascade' })
  tenant!: Tenant;

  @Enum({ items: () => IDP_KINDS, nativeEnumName: undefined })
  idp!: IdpKind;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
