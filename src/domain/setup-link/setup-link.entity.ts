import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { newId } from '../ids';
import { Tenant } from '../tenant/tenant.entity';

/**
 * A self-serve setup link: lets a customer's IT admin, without an admin key, create one SCIM
 * connection of one IdP kind for one tenant. Only the SHA-256 of the link's secret is stored.
 */
@Entity({ tableName: 'setup_link' })
@Index({ name: 'setup_link_tenant_idx', properties: ['tenant', 'createdAt'] })
export class SetupLink {
  [OptionalProps]?: 'createdAt' | 'openedAt' | 'completedAt' | 'revokedAt' | 'connectionId' | 'createdBy' | 'expiryAudited';

  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @ManyToOne(() => Tenant, { deleteRule: 'cascade' })
  tenant!: Tenant;

  /** entra | okta | jumpcloud | generic: the wizard the link opens */
  @Property({ type: 'text' })
  idp!: string;

  /** hex SHA-256 of the secret */
  @Property({ type: 'text' })
  @Unique({ name: 'setup_link_hash_uq' })
  hash!: string;

  /** The first characters of the secret, shown in listings to recognise a link. */
  @Property({ type: 'text' })
  prefix!: string;

  /** The admin key that created it. */
  @Property({ type: 'text', nullable: true })
  createdBy?: string | null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  /** First opening (each opening is audited; this keeps the first). */
  @Property({ type: 'timestamptz', nullable: true })
  openedAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  completedAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt?: Date | null;

  /** The connection the completed link created. */
  @Property({ type: 'uuid', nullable: true })
  connectionId?: string | null;

  /** Set once the expiry has been written to the audit trail. */
  @Property({ type: 'boolean', default: false })
  expiryAudited: boolean = false;
}
