import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import type { TenantActivity } from '../../domain/admin/stats.service';
import { DateTime } from './scalars';
import { ScimConnectionType } from './scim-connection.types';

@ObjectType({ description: 'Directory figures of one tenant, or of every tenant the key sees' })
export class Stats {
  @Field(() => Int)
  usersActive!: number;

  @Field(() => Int)
  usersInactive!: number;

  @Field(() => Int, { description: 'deleted over SCIM: tombstones that restoreUser or purgeUser act on' })
  usersDeleted!: number;

  @Field(() => Int)
  groups!: number;

  @Field(() => Int)
  memberships!: number;

  @Field(() => [ScimConnectionType], { description: 'every SCIM connection, with its last request' })
  connections!: ScimConnectionType[];

  /** The tenant these figures are about (null: every tenant the key sees), for the field resolvers of StatsFieldsResolver. */
  scope?: string | null;
}

@ObjectType('TenantActivity', { description: "A tenant's SCIM traffic, from the audit trail: its last request, and its requests and failures over a window" })
export class TenantActivityType {
  @Field(() => ID)
  tenantId!: string;

  @Field(() => DateTime, { description: 'start of the window the counts cover' })
  since!: Date;

  @Field(() => DateTime, { nullable: true, description: 'the last SCIM request of any of its connections (null: none yet)' })
  lastRequestAt!: Date | null;

  @Field(() => Int, { description: 'SCIM requests since `since`' })
  requests!: number;

  @Field(() => Int, { description: 'of which answered 4xx or 5xx' })
  failedRequests!: number;

  @Field(() => Float, { nullable: true, description: 'failedRequests / requests, 0 to 1 (null when there was no request)' })
  errorRate!: number | null;

  static from(a: TenantActivity): TenantActivityType {
    return Object.assign(new TenantActivityType(), a);
  }
}
