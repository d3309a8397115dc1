import { Entity, OptionalProps, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../ids';
import { Tenant } from '../tenant/tenant.entity';

/**
 * The identity provider kinds Provisio has compatibility profiles for; `strict` is RFC 7643/7644
 * as written, for conformance testing (docs/idp-profiles.md).
 */
export const IDP_KINDS = ['entra', 'okta', 'jumpcloud', 'generic', 'strict'] as const;
export type IdpKind = (typeof IDP_KINDS)[number];

/**
 * What a SCIM DELETE of a user does (RFC 7644 §3.6: the user is 404 afterwards either way).
 * `delete`: a tombstone, `user.deleted`, memberships removed. `deactivate`: a tombstone too, but
 * downstream sees `user.deactivated`, memberships are held (hidden) and a re-POST with the same
 * userName or externalId brings the user back with its groups (`user.reactivated`).
 */
export const DELETE_POLICIES = ['delete', 'deactivate'] as const;
export type DeletePolicy = (typeof DELETE_POLICIES)[number];
/** The policy of a new connection (existing connections kept `delete` through their migration). */
export const DEFAULT_DELETE_POLICY: DeletePolicy = 'deactivate';

/** One IdP's SCIM client configuration for a tenant; it owns the bearer tokens that IdP uses. */
@Entity({ tableName: 'scim_connection' })
@Index({ name: 'scim_connection_tenant_idx', properties: ['tenant'] })
export class ScimConnection {
  [OptionalProps]?: 'createdAt' | 'deletePolicy' | 'disabledAt' | 'deletedAt';

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

  @Enum({ items: () => DELETE_POLICIES, nativeEnumName: undefined, default: DEFAULT_DELETE_POLICY })
  deletePolicy: DeletePolicy = DEFAULT_DELETE_POLICY;

  /** Set while the connection is disabled: its tokens answer 401 until it is enabled again. */
  @Property({ type: 'timestamptz', nullable: true })
  disabledAt?: Date | null;

  /** Set once the connection is deleted: its tokens are revoked; the row stays for history (audit, events). */
  @Property({ type: 'timestamptz', nullable: true })
  deletedAt?: Date | null;
}
