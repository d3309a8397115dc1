import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { newId } from '../ids';

/** A customer of the SaaS: its users and groups are provisioned by its identity provider(s). */
@Entity({ tableName: 'tenant' })
export class Tenant {
  [OptionalProps]?: 'createdAt' | 'updatedAt' | 'deletedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Property({ type: 'text' })
  name!: string;

  /** URL-safe, unique; the tenant's SCIM base URL is `{PUBLIC_URL}/scim/v2/{slug}`. */
  @Property({ type: 'text' })
  @Unique({ name: 'tenant_slug_uq' })
  slug!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  /**
   * Set once the tenant is deleted: its directory and events are purged, the row stays (slug
   * reserved) so that its audit trail is kept. See docs/connections.md "Tenant deletion".
   */
  @Property({ type: 'timestamptz', nullable: true })
  deletedAt?: Date | null;
}
