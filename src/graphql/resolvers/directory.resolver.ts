import { Args, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { GqlContext } from '../context';
import { GroupType, UserConnection, UserType } from '../types/directory.types';
import { Connection, PageArgs, pagedComplexity, toConnection } from '../types/relay';
import { ScimConnectionType, ScimTokenType } from '../types/scim-connection.types';
import { listQuery } from './args';
import { dbCost, LOOKUP_COST } from '../cost';

@Resolver(() => UserType)
export class UserResolver {
  @FieldResolver(() => [GroupType], { description: 'direct group memberships (User.groups)', complexity: ({ childComplexity }) => LOOKUP_COST + childComplexity * 10 })
  async groups(@Root() u: UserType, @Ctx() ctx: GqlContext): Promise<GroupType[]> {
    const groups = await ctx.loaders.groups(u.tenantCtx).loadMany(u.groupIds);
    // a group deleted since the user was read is simply no longer listed
    return groups.flatMap((g) => (g && !(g instanceof Error) ? [GroupType.from(g, u.tenantCtx)] : []));
  }
}

@Resolver(() => GroupType)
export class GroupResolver {
  @FieldResolver(() => Int, { complexity: dbCost(LOOKUP_COST) })
  async memberCount(@Root() g: GroupType, @Ctx() ctx: GqlContext): Promise<number> {
    return ctx.loaders.memberCounts(g.tenantCtx).load(g.id);
  }

  @FieldResolver(() => UserConnection, { description: 'members, in id order', complexity: pagedComplexity })
  async members(@Root() g: GroupType, @Args() args: PageArgs, @Ctx() ctx: GqlContext): Promise<Connection<UserType>> {
    // the users query engine's own relation filter (User.groups as group_member rows): paged in SQL
    const query = listQuery(ctx, args, `groups[value eq "${g.id}"]`);
    const page = await ctx.services.users.list(g.tenantCtx, query);
    return toConnection(page.items.map((u) => UserType.from(u, g.tenantCtx)), page);
  }
}

@Resolver(() => ScimConnectionType)
export class ScimConnectionResolver {
  @FieldResolver(() => [ScimTokenType], { description: "the connection's tokens, newest first (metadata only)", complexity: ({ childComplexity }) => LOOKUP_COST + childComplexity * 10 })
  async tokens(@Root() c: ScimConnectionType, @Ctx() ctx: GqlContext): Promise<ScimTokenType[]> {
    return (await ctx.loaders.tokens.load(c.tenantId)).filter((t) => t.connectionId === c.id).map((t) => ScimTokenType.from(t));
  }
}
