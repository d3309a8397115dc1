import { Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { newId } from '../ids';
import { Tenant } from '../tenant/tenant.entity';

/** What an admin key may do: `auditor` reads, `admin` reads and changes. */
export const ADMIN_ROLES = ['admin', 'auditor'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

/**
 * A key of the GraphQL admin API. Like SCIM tokens, only the SHA-256 of the secret is stored (256
 * random bits: a slow hash adds nothing). A key with a tenant sees that tenant only; without one it
 * sees every tenant.
 */
@Entity({ tableName: 'admin_key' })
@Index({ name: 'admin_key_tenant_idx', properties: ['tenant'] })
export class AdminKey {
  [OptionalProps]?: 'createdAt' | 'lastUsedAt' | 'revokedAt' | 'tenant';

  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Enum({ items: () => ADMIN_ROLES, nativeEnumName: undefined })
  role!: AdminRole;

  @ManyToOne(() => Tenant, { nullable: true, deleteRule: 'cascade' })
  tenant?: Tenant | null;

  /** The first characters of the key, shown in listings to recognise it. */
  @Property({ type: 'text' })
  prefix!: string;

  /** hex SHA-256 of the whole key. */
  @Property({ type: 'text' })
  @Unique({ name: 'admin_key_hash_uq' })
  hash!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  lastUsedAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt?: Date | null;
}
