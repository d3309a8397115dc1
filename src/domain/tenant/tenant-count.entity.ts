import { Entity, ManyToOne, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';
import { Tenant } from './tenant.entity';

/** The resource kinds a tenant's counters cover. */
export type CountedResource = 'User' | 'Group';

/**
 * How many live resources of a kind a tenant has, as the sum of its shards (issue 16 §1): the exact
 * totalResults of an unfiltered list without a count(*) over the tenant's rows. Kept by triggers on
 * scim_user and scim_group (migration Migration20261127200000), in the transaction of each write, so
 * any snapshot sees the rows and the counters agree. A write adds to the shard of its database session
 * (pg_backend_pid() mod 64): concurrent writers of one tenant update different rows instead of queueing
 * on one, and a transaction only ever locks one shard per kind (no deadlock between shards). A shard
 * may go negative (a user created through one session and deleted through another); only the sum means
 * anything. Application code never writes these rows.
 */
@Entity({ tableName: 'tenant_count' })
export class TenantCount {
  [PrimaryKeyProp]?: ['tenant', 'resourceType', 'shard'];

  @ManyToOne(() => Tenant, { primary: true, deleteRule: 'cascade' })
  tenant!: Tenant;

  /** 'User' (live users: deleted_at is null, as the SCIM list scope) or 'Group' */
  @PrimaryKey({ type: 'text' })
  resourceType!: CountedResource;

  @PrimaryKey({ type: 'smallint' })
  shard!: number;

  @Property({ type: 'integer' })
  n!: number;
}
