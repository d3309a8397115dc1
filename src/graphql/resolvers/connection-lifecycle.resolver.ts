import { Arg, Ctx, Field, ID, InputType, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import { NotFoundError } from '../../domain/errors';
import { GqlContext, resolveTenant } from '../context';
import { DateTime } from '../types/scalars';
import { DeletePolicyGql, ScimConnectionType } from '../types/scim-connection.types';

@InputType({ description: 'Fields of a SCIM connection an admin may change (absent: unchanged)' })
class UpdateScimConnectionInput {
  @Field(() => String, { nullable: true, description: 'a human name, e.g. "Entra ID production"' })
  name?: string | null;

  @Field(() => DeletePolicyGql, { nullable: true, description: 'applies to DELETEs from the next request on' })
  deletePolicy?: DeletePolicyGql | null;
}

@ObjectType({ description: 'A deleted tenant and what its deletion purged (see docs/connections.md)' })
export class DeletedTenant {
  @Field(() => ID)
  id!: string;

  @Field()
  slug!: string;

  @Field()
  name!: string;

  @Field(() => DateTime)
  deletedAt!: Date;

  @Field(() => Int)
  purgedUsers!: number;

  @Field(() => Int)
  purgedGroups!: number;

  @Field(() => Int)
  purgedCustomAttributes!: number;

  @Field(() => Int)
  purgedEvents!: number;

  @Field(() => Int, { description: 'connections deleted with the tenant (their tokens revoked)' })
  connectionsDeleted!: number;
}

/** The connection as the admin API shows it, after a change (with its activity figures). */
async function connectionView(ctx: GqlContext, tenantId: string, id: string): Promise<ScimConnectionType> {
  const found = (await ctx.services.stats.connectionActivity([tenantId])).find((c) => c.connectionId === id);
  if (!found) throw new NotFoundError(`SCIM connection "${id}" not found`);
  return ScimConnectionType.from(found);
}

/** Connection and tenant lifecycle (issue 12 §4): each mutation is one domain call, audited by the global middleware. */
@Resolver()
export class ConnectionLifecycleResolver {
  @Mutation(() => ScimConnectionType, { description: 'renames a SCIM connection or changes its delete policy' })
  async updateScimConnection(
    @Arg('tenant', () => String) tenant: string,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateScimConnectionInput) input: UpdateScimConnectionInput,
    @Ctx() ctx: GqlContext,
  ): Promise<ScimConnectionType> {
    const rctx = await resolveTenant(ctx, tenant, true);
    await ctx.services.connections.updateConnection(rctx, id, {
      ...(input.name != null ? { name: input.name } : {}),
      ...(input.deletePolicy != null ? { deletePolicy: input.deletePolicy } : {}),
    });
    return connectionView(ctx, rctx.tenant.id, id);
  }

  @Mutation(() => ScimConnectionType, { description: 'its tokens answer 401 (audited as connection_disabled) until enableScimConnection' })
  async disableScimConnection(@Arg('tenant', () => String) tenant: string, @Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext): Promise<ScimConnectionType> {
    const rctx = await resolveTenant(ctx, tenant, true);
    await ctx.services.connections.disableConnection(rctx, id);
    return connectionView(ctx, rctx.tenant.id, id);
  }

  @Mutation(() => ScimConnectionType, { description: 'its tokens that are neither revoked nor expired work again at once' })
  async enableScimConnection(@Arg('tenant', () => String) tenant: string, @Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext): Promise<ScimConnectionType> {
    const rctx = await resolveTenant(ctx, tenant, true);
    await ctx.services.connections.enableConnection(rctx, id);
    return connectionView(ctx, rctx.tenant.id, id);
  }

  @Mutation(() => ScimConnectionType, { description: 'revokes every token of the connection; it stays, as deleted, for the audit trail and events. Cannot be undone' })
  async deleteScimConnection(@Arg('tenant', () => String) tenant: string, @Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext): Promise<ScimConnectionType> {
    const rctx = await resolveTenant(ctx, tenant, true);
    await ctx.services.connections.deleteConnection(rctx, id);
    return connectionView(ctx, rctx.tenant.id, id);
  }

  @Mutation(() => DeletedTenant, {
    description: 'deletes a tenant: its users, groups, custom attributes and events are purged, its tokens revoked, its audit trail kept. `confirm` must repeat the slug. Cannot be undone',
  })
  async deleteTenant(
    @Arg('tenant', () => String, { description: 'slug or id' }) tenant: string,
    @Arg('confirm', () => String, { description: "the tenant's slug, again" }) confirm: string,
    @Ctx() ctx: GqlContext,
  ): Promise<DeletedTenant> {
    const rctx = await resolveTenant(ctx, tenant, true);
    const d = await ctx.services.tenants.delete(rctx, { confirm });
    ctx.loaders.tenant.clearAll();
    return Object.assign(new DeletedTenant(), {
      ...d.tenant,
      purgedUsers: d.purged.users,
      purgedGroups: d.purged.groups,
      purgedCustomAttributes: d.purged.customAttributes,
      purgedEvents: d.purged.events,
      connectionsDeleted: d.connectionsDeleted,
    });
  }
}
