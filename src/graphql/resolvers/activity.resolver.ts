import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { InvalidValueError } from '../../domain/errors';
import { GqlContext, tenantContext } from '../context';
import { COUNT_COST, dbCost, LIST_COST } from '../cost';
import { TenantType, UserType } from '../types/directory.types';
import { EventType } from '../types/event.types';
import { TenantActivityType } from '../types/stats.types';

const MAX_HOURS = 24 * 90;

/** A tenant's SCIM traffic for dashboards (the console's tenant list), computed by the stats service. */
@Resolver(() => TenantType)
export class TenantActivityResolver {
  @FieldResolver(() => TenantActivityType, {
    description: 'SCIM traffic: the last request, and requests and their error rate over the last `hours` (default 24, at most 2160)',
    complexity: dbCost(COUNT_COST),
  })
  async activity(@Root() t: TenantType, @Ctx() ctx: GqlContext, @Arg('hours', () => Int, { nullable: true }) hours?: number | null): Promise<TenantActivityType> {
    tenantContext(ctx, t);
    const h = hours ?? 24;
    if (!(Number.isInteger(h) && h >= 1 && h <= MAX_HOURS)) throw new InvalidValueError(`hours must be between 1 and ${MAX_HOURS}`);
    return TenantActivityType.from(await ctx.loaders.tenantActivity(h).load(t.id));
  }
}

/** A user's own events (its history in the tenant's event stream). */
@Resolver(() => UserType)
export class UserEventsResolver {
  @FieldResolver(() => [EventType], {
    description: "the user's latest events, newest first (held and discarded events never appear)",
    complexity: ({ args, childComplexity }) => LIST_COST + Math.max(1, childComplexity) * (args.first ?? 20),
  })
  async events(@Root() u: UserType, @Ctx() ctx: GqlContext, @Arg('first', () => Int, { nullable: true, description: 'how many (default 20, at most 200)' }) first?: number | null): Promise<EventType[]> {
    const n = first ?? 20;
    if (!(Number.isInteger(n) && n >= 1 && n <= 200)) throw new InvalidValueError('first must be between 1 and 200');
    return (await ctx.services.events.ofSubject(u.tenantCtx.tenant.id, u.id, n)).map(EventType.from);
  }
}
