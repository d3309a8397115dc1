import DataLoader from 'dataloader';
import { Arg, Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { LastRequest } from '../../domain/admin/stats.service';
import { GqlContext, tenantContext } from '../context';
import { pageSize } from '../cursor';
import { DateTime } from '../types/scalars';
import { AuditEntryConnection, AuditEntryType, AuditFilter, LastRequestType, RequestOutcomeCount } from '../types/audit.types';
import { TenantType } from '../types/directory.types';
import { pagedComplexity, PageArgs } from '../types/relay';
import { ScimConnectionType } from '../types/scim-connection.types';
import { Stats } from '../types/stats.types';
import { COUNT_COST, dbCost, LOOKUP_COST } from '../cost';

const MAX_ENTRIES = 1000; // AuditService.query's own cap
const DAY_MS = 86_400_000;

/**
 * Issue 8 §5 (the audit trail, queryable) and issue 7 §2 (requests by outcome, last request per
 * connection), all read from the audit trail through the domain services.
 */
@Resolver(() => TenantType)
export class TenantAuditResolver {
  @FieldResolver(() => AuditEntryConnection, { description: 'the audit trail, newest first', complexity: pagedComplexity })
  async auditEntries(
    @Root() t: TenantType,
    @Args() page: PageArgs,
    @Ctx() ctx: GqlContext,
    @Arg('filter', () => AuditFilter, { nullable: true }) filter?: AuditFilter | null,
  ): Promise<AuditEntryConnection> {
    tenantContext(ctx, t);
    const limit = pageSize(page.first, MAX_ENTRIES);
    const f = filter ?? {};
    const result =
      limit === 0
        ? { entries: [], next: null }
        : await ctx.services.audit.query(t.id, {
            ...(f.from ? { from: f.from } : {}),
            ...(f.to ? { to: f.to } : {}),
            ...(f.actorKind ? { actorKind: f.actorKind } : {}),
            ...(f.actorId ? { actor: f.actorId } : {}),
            ...(f.resourceId ? { resourceId: f.resourceId } : {}),
            ...(f.operation ? { operation: f.operation } : {}),
            ...(f.outcome ? { outcome: f.outcome } : {}),
            ...(page.after ? { cursor: page.after } : {}),
            limit,
          });
    // AuditService's keyset cursor is the base64url of an entry id: every edge gets its own
    const edges = result.entries.map((e) => ({ cursor: Buffer.from(e.id).toString('base64url'), node: AuditEntryType.from(e) }));
    return {
      edges,
      nodes: edges.map((e) => e.node),
      pageInfo: {
        hasNextPage: result.next !== null,
        hasPreviousPage: Boolean(page.after),
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges[edges.length - 1]?.cursor ?? null,
      },
    };
  }
}

@Resolver(() => Stats)
export class StatsAuditResolver {
  @FieldResolver(() => [RequestOutcomeCount], { description: 'requests per tenant, actor and outcome in [since, until) (default: the last 24 hours)', complexity: dbCost(COUNT_COST) })
  async requestsByOutcome(
    @Root() s: Stats,
    @Ctx() ctx: GqlContext,
    @Arg('since', () => DateTime, { nullable: true }) since?: Date | null,
    @Arg('until', () => DateTime, { nullable: true }) until?: Date | null,
  ): Promise<RequestOutcomeCount[]> {
    const to = until ?? new Date();
    const from = since ?? new Date(to.getTime() - DAY_MS);
    return (await ctx.services.stats.requestsByOutcome(s.scope ?? null, from, to)).map(RequestOutcomeCount.from);
  }
}

const lastRequestLoaders = new WeakMap<GqlContext, DataLoader<string, LastRequest | null>>();

@Resolver(() => ScimConnectionType)
export class ConnectionAuditResolver {
  @FieldResolver(() => LastRequestType, { nullable: true, description: 'the last request, from the audit trail (exact time and outcome)', complexity: dbCost(LOOKUP_COST) })
  async lastRequest(@Root() c: ScimConnectionType, @Ctx() ctx: GqlContext): Promise<LastRequestType | null> {
    let loader = lastRequestLoaders.get(ctx);
    if (!loader) {
      loader = new DataLoader(async (ids) => {
        const found = await ctx.services.stats.lastRequests(ids);
        return ids.map((id) => found.get(id) ?? null);
      });
      lastRequestLoaders.set(ctx, loader);
    }
    const last = await loader.load(c.id);
    return last ? LastRequestType.from(last) : null;
  }
}
