import { Arg, Args, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { assertTenantAccess, assertTenantReachable } from '../../domain/admin/admin-principal';
import { InvalidValueError } from '../../domain/errors';
import { scimBaseUrl } from '../../scim/urls';
import { GqlContext, resolveTenant, tenantContext } from '../context';
import { GroupConnection, GroupType, TenantType, UserConnection, UserType } from '../types/directory.types';
import { Connection, ListArgs, pagedComplexity, toConnection } from '../types/relay';
import { ScimConnectionType, ScimTokenType } from '../types/scim-connection.types';
import { Stats } from '../types/stats.types';
import { listQuery } from './args';
import { COUNT_COST, dbCost, LOOKUP_COST } from '../cost';

/** Tenants and everything read under one: users, groups, SCIM connections, tokens, figures. */
@Resolver(() => TenantType)
export class TenantResolver {
  @Query(() => [TenantType], { description: 'every tenant the key sees (a key limited to a tenant: that one)', complexity: ({ childComplexity }) => LOOKUP_COST + childComplexity * 10 })
  async tenants(@Ctx() ctx: GqlContext): Promise<TenantType[]> {
    const all = ctx.principal.tenant ? [await ctx.loaders.tenant.load(ctx.principal.tenant.id)] : await ctx.services.tenants.list();
    return all.map((t) => TenantType.from(t, scimBaseUrl(ctx.config, t.slug)));
  }

  @Query(() => TenantType, { description: 'one tenant, by slug or id', complexity: dbCost(LOOKUP_COST) })
  async tenant(
    @Ctx() ctx: GqlContext,
    @Arg('slug', () => String, { nullable: true }) slug?: string | null,
    @Arg('id', () => ID, { nullable: true }) id?: string | null,
  ): Promise<TenantType> {
    const ref = slug ?? id;
    if (!ref || (slug && id)) throw new InvalidValueError('give exactly one of slug and id');
    assertTenantReachable(ctx.principal, ref);
    const t = await ctx.loaders.tenant.load(ref);
    assertTenantAccess(ctx.principal, t.id);
    return TenantType.from(t, scimBaseUrl(ctx.config, t.slug));
  }

  @FieldResolver(() => UserConnection, { description: 'live users, filtered with the SCIM filter language', complexity: pagedComplexity })
  async users(@Root() t: TenantType, @Args() args: ListArgs, @Ctx() ctx: GqlContext): Promise<Connection<UserType>> {
    const rctx = tenantContext(ctx, t);
    const query = listQuery(ctx, args);
    const page = await ctx.services.users.list(rctx, query);
    return toConnection(page.items.map((u) => UserType.from(u, rctx)), page);
  }

  @FieldResolver(() => UserConnection, { description: 'deleted users (tombstones), for restoreUser and purgeUser', complexity: pagedComplexity })
  async deletedUsers(@Root() t: TenantType, @Args() args: ListArgs, @Ctx() ctx: GqlContext): Promise<Connection<UserType>> {
    const rctx = tenantContext(ctx, t);
    const query = listQuery(ctx, args);
    const page = await ctx.services.users.listDeleted(rctx, query);
    return toConnection(page.items.map((u) => UserType.from(u, rctx)), page);
  }

  @FieldResolver(() => GroupConnection, { description: 'groups, filtered with the SCIM filter language', complexity: pagedComplexity })
  async groups(@Root() t: TenantType, @Args() args: ListArgs, @Ctx() ctx: GqlContext): Promise<Connection<GroupType>> {
    const rctx = tenantContext(ctx, t);
    const query = listQuery(ctx, args);
    const page = await ctx.services.groups.list(rctx, query, { members: false });
    return toConnection(page.items.map((g) => GroupType.from(g, rctx)), page);
  }

  @FieldResolver(() => UserType, { description: 'a live user by id', complexity: dbCost(LOOKUP_COST) })
  async user(@Root() t: TenantType, @Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext): Promise<UserType> {
    const rctx = tenantContext(ctx, t);
    return UserType.from(await ctx.services.users.get(rctx, id), rctx);
  }

  @FieldResolver(() => GroupType, { description: 'a group by id', complexity: dbCost(LOOKUP_COST) })
  async group(@Root() t: TenantType, @Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext): Promise<GroupType> {
    const rctx = tenantContext(ctx, t);
    return GroupType.from(await ctx.services.groups.get(rctx, id, { members: false }), rctx);
  }

  @FieldResolver(() => [ScimConnectionType], { complexity: ({ childComplexity }) => LOOKUP_COST + childComplexity * 10 })
  async scimConnections(
    @Root() t: TenantType,
    @Ctx() ctx: GqlContext,
    @Arg('includeDeleted', () => Boolean, { defaultValue: false, description: 'deleted connections too (kept for history)' }) includeDeleted: boolean,
  ): Promise<ScimConnectionType[]> {
    tenantContext(ctx, t);
    return (await ctx.loaders.connectionActivity.load(t.id)).filter((c) => includeDeleted || c.status !== 'deleted').map(ScimConnectionType.from);
  }

  @FieldResolver(() => [ScimTokenType], { description: 'token metadata, newest first (never a secret)', complexity: ({ childComplexity }) => LOOKUP_COST + childComplexity * 10 })
  async scimTokens(@Root() t: TenantType, @Ctx() ctx: GqlContext): Promise<ScimTokenType[]> {
    tenantContext(ctx, t);
    return (await ctx.loaders.tokens.load(t.id)).map((tok) => ScimTokenType.from(tok));
  }

  @FieldResolver(() => Stats, { complexity: dbCost(COUNT_COST) })
  async stats(@Root() t: TenantType, @Ctx() ctx: GqlContext): Promise<Stats> {
    tenantContext(ctx, t);
    const { connections, ...counts } = await ctx.loaders.summary.load(t.id);
    return { ...counts, connections: connections.map(ScimConnectionType.from), scope: t.id };
  }
}

/** Figures across tenants. */
@Resolver()
export class StatsResolver {
  @Query(() => Stats, { description: 'figures of one tenant (slug or id), or of every tenant the key sees', complexity: dbCost(COUNT_COST) })
  async stats(@Ctx() ctx: GqlContext, @Arg('tenant', () => String, { nullable: true }) tenant?: string | null): Promise<Stats> {
    const scope = tenant ? (await resolveTenant(ctx, tenant)).tenant.id : (ctx.principal.tenant?.id ?? null);
    const { connections, ...counts } = await ctx.loaders.summary.load(scope ?? '');
    return { ...counts, connections: connections.map(ScimConnectionType.from), scope };
  }
}
