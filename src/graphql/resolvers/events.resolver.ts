import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { DomainError, InvalidValueError } from '../../domain/errors';
import { MAX_WAIT_SECONDS } from '../../domain/event/long-poll';
import { GqlContext, resolveTenant, takeWait, tenantContext } from '../context';
import { pageSize } from '../cursor';
import { TenantType } from '../types/directory.types';
import { EventFigures, EventHoldType, EventPage, EventType, HoldStateGql } from '../types/event.types';
import { Stats } from '../types/stats.types';
import { COUNT_COST, dbCost, LIST_COST, LOOKUP_COST } from '../cost';

/** Opaque cursor of the event feed: the per-tenant sequence number of the last event read. */
const PREFIX = 'e:';
const MAX_EVENTS = 1000; // EventService.list's own cap
/** Cost of each second an `events` field may wait: a 30 s long poll costs 30,000 of the default 100,000. */
export const WAIT_COST_PER_SECOND = 1000;

export function encodeEventCursor(sequence: number): string {
  return Buffer.from(`${PREFIX}${sequence}`, 'utf8').toString('base64url');
}

export function decodeEventCursor(cursor: string | null | undefined): number {
  if (cursor === undefined || cursor === null || cursor === '') return 0;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const n = text.startsWith(PREFIX) ? Number(text.slice(PREFIX.length)) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw new DomainError('invalidCursor', `invalid cursor "${cursor}"`);
  return n;
}

/**
 * Issue 8 §3 and §6 over GraphQL: the event feed for polling consumers (no broker needed), the
 * mass-deprovisioning guard's holds with release/discard, and the stream's figures in `stats`.
 */
@Resolver()
export class EventsResolver {
  @Query(() => EventPage, {
    description:
      "a tenant's events after a cursor, in sequence order (held and discarded events never appear); poll with endCursor. With `wait`, an empty page long-polls: it is answered as soon as an event commits, or after `wait` seconds",
    complexity: ({ args, childComplexity }) => LIST_COST + Math.max(1, childComplexity) * (args.first ?? 100) + Math.max(Number(args.wait ?? 0), 0) * WAIT_COST_PER_SECOND,
  })
  async events(
    @Ctx() ctx: GqlContext,
    @Arg('tenant', () => String, { description: 'slug or id' }) tenant: string,
    @Arg('after', () => String, { nullable: true, description: 'endCursor of the previous page; none: from the start of the retained stream' }) after?: string | null,
    @Arg('types', () => [String], { nullable: true, description: 'short (user.deleted) or CloudEvents (com.provisio.user.deleted) types; none: all' }) types?: string[] | null,
    @Arg('first', () => Int, { nullable: true, description: 'page size (default 100, at most 1000)' }) first?: number | null,
    @Arg('subject', () => ID, { nullable: true, description: 'only the events of this user or group id' }) subject?: string | null,
    @Arg('wait', () => Int, {
      nullable: true,
      description: `seconds (0 to ${MAX_WAIT_SECONDS}) an empty page may wait for the next event (long poll). One operation waits at most ${MAX_WAIT_SECONDS} s in all, each second costs ${WAIT_COST_PER_SECOND} in the query cost, and past the server's cap on waiting polls the page is answered at once`,
    })
    wait?: number | null,
  ): Promise<EventPage> {
    if (wait != null && !(Number.isInteger(wait) && wait >= 0 && wait <= MAX_WAIT_SECONDS)) throw new InvalidValueError(`wait must be a number of seconds between 0 and ${MAX_WAIT_SECONDS}`);
    const rctx = await resolveTenant(ctx, tenant);
    const limit = first == null ? 100 : pageSize(first, MAX_EVENTS);
    const from = decodeEventCursor(after);
    const options = { after: from, limit, ...(types ? { types } : {}), ...(subject != null ? { subject } : {}) };
    const page =
      limit === 0
        ? { events: [], next: from }
        : wait
          ? (ctx.leaveGate?.(), await ctx.services.events.listWaiting(rctx.tenant.id, options, { waitMs: takeWait(ctx, wait), gone: ctx.clientGone }))
          : await ctx.services.events.list(rctx.tenant.id, options);
    return { nodes: page.events.map(EventType.from), endCursor: encodeEventCursor(page.next), hasNextPage: limit > 0 && page.events.length === limit };
  }

  @Mutation(() => EventHoldType, { description: 'publishes a hold’s events (after everything already published, in their original order)' })
  async releaseHold(@Arg('tenant', () => String) tenant: string, @Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext): Promise<EventHoldType> {
    const rctx = await resolveTenant(ctx, tenant, true);
    return EventHoldType.from(await ctx.services.events.releaseHold(rctx, id));
  }

  @Mutation(() => EventHoldType, { description: 'drops a hold’s events: never published nor listed' })
  async discardHold(@Arg('tenant', () => String) tenant: string, @Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext): Promise<EventHoldType> {
    const rctx = await resolveTenant(ctx, tenant, true);
    return EventHoldType.from(await ctx.services.events.discardHold(rctx, id));
  }
}

@Resolver(() => TenantType)
export class TenantEventsResolver {
  @FieldResolver(() => [EventHoldType], { description: "the mass-deprovisioning guard's holds, newest first", complexity: ({ childComplexity }) => LOOKUP_COST + childComplexity * 10 })
  async eventHolds(@Root() t: TenantType, @Ctx() ctx: GqlContext, @Arg('state', () => HoldStateGql, { nullable: true }) state?: HoldStateGql | null): Promise<EventHoldType[]> {
    tenantContext(ctx, t);
    return (await ctx.services.events.holds(t.id, state ?? undefined)).map(EventHoldType.from);
  }
}

@Resolver(() => Stats)
export class StatsEventsResolver {
  @FieldResolver(() => EventFigures, { description: 'held events, open guard holds and the outbox backlog', complexity: dbCost(COUNT_COST) })
  async events(@Root() s: Stats, @Ctx() ctx: GqlContext): Promise<EventFigures> {
    return ctx.services.stats.eventFigures(s.scope ?? null);
  }
}
