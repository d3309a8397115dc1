import { Entity, OptionalProps, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../ids';
import { Tenant } from '../tenant/tenant.entity';

/**
 * A provisioned user (RFC 7643 §4.1 with extensions). The SCIM document lives in `attributes`
 * (core attributes at the top level, extension attributes under their schema URN); the attributes
 * that carry constraints or indexes are also columns. A deleted user stays as a tombstone
 * (`deletedAt` set) so that history is kept and a later POST can restore it with its old id.
 */
@Entity({ tableName: 'scim_user' })
// userName is unique among live users only: a tombstone must not block a rename, and a create that
// matches one restores it. The second index serves lookups that include tombstones.
@Index({
  name: 'scim_user_tenant_username_uq',
  expression:
    'create unique index "scim_user_tenant_username_uq" on "scim_user" ("tenant_id", lower("user_name")) where "deleted_at" is null',
})
@Index({
  name: 'scim_user_tenant_username_all_idx',
  expression: 'create index "scim_user_tenant_username_all_idx" on "scim_user" ("tenant_id", lower("user_name"))',
})
@Index({ name: 'scim_user_tenant_external_id_idx', properties: ['tenant', 'externalId'] })
// Query indexes (issue 3): keyset paging and counting of live users; pg_trgm for co/sw/ew on
// userName, displayName and email values; emails as lower-cased jsonb for value filters (see filter-sql).
@Index({
  name: 'scim_user_tenant_live_id_idx',
  expression: 'create index "scim_user_tenant_live_id_idx" on "scim_user" ("tenant_id", "id") where "deleted_at" is null',
})
// the exact totalResults of an unfiltered list: (tenant_id) alone deduplicates to a seventh of
// (tenant_id, id), so the index-only count(*) reads that much less (about 2x faster at 1M users)
@Index({
  name: 'scim_user_tenant_live_idx',
  expression: 'create index "scim_user_tenant_live_idx" on "scim_user" ("tenant_id") where "deleted_at" is null',
})
@Index({
  name: 'scim_user_username_trgm_idx',
  expression: 'create index "scim_user_username_trgm_idx" on "scim_user" using gin (lower("user_name") gin_trgm_ops)',
})
@Index({
  name: 'scim_user_display_name_trgm_idx',
  expression: 'create index "scim_user_display_name_trgm_idx" on "scim_user" using gin (lower("display_name") gin_trgm_ops)',
})
@Index({
  name: 'scim_user_emails_idx',
  expression: `create index "scim_user_emails_idx" on "scim_user" using gin ((lower(("attributes" -> 'emails')::text)::jsonb) jsonb_path_ops)`,
})
@Index({
  name: 'scim_user_emails_trgm_idx',
  expression: `create index "scim_user_emails_trgm_idx" on "scim_user" using gin (lower(("attributes" -> 'emails')::text) gin_trgm_ops)`,
})
export class ScimUser {
  [OptionalProps]?: 'active' | 'attributes' | 'version' | 'createdAt' | 'updatedAt' | 'deletedAt' | 'deactivatedAt' | 'externalId' | 'displayName';

  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @ManyToOne(() => Tenant, { deleteRule: 'cascade' })
  tenant!: Tenant;

  @Property({ type: 'text' })
  userName!: string;

  @Property({ type: 'text', nullable: true })
  externalId?: string | null;

  @Property({ type: 'text', nullable: true })
  displayName?: string | null;

  @Property({ type: 'boolean', default: true })
  active: boolean = true;

  @Property({ type: 'jsonb' })
  attributes: Record<string, unknown> = {};

  /** Incremented on every change; meta.version is W/"<version>" (RFC 7644 §3.14). */
  @Property({ type: 'integer', default: 1 })
  version: number = 1;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  deletedAt?: Date | null;

  /**
   * Set with deletedAt when the DELETE came under the `deactivate` policy: the user's memberships
   * are held (held_membership) and a re-POST brings it back with them (`user.reactivated`).
   */
  @Property({ type: 'timestamptz', nullable: true })
  deactivatedAt?: Date | null;
}
