import { Field, Int, ObjectType } from 'type-graphql';
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
