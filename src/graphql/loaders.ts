import DataLoader from 'dataloader';
import type { ConnectionActivity, TenantActivity, TenantSummary } from '../domain/admin/stats.service';
import type { TokenInfo } from '../domain/connection/connection.service';
import type { RequestContext } from '../domain/context';
import type { GroupRecord } from '../domain/group/group.service';
import type { Tenant } from '../domain/tenant/tenant.entity';
import type { Services } from '../services';

/**
 * Per-request DataLoaders: whatever a query nests (users with their groups, groups with member
 * counts, tenants with their connections), each kind of record costs a fixed number of statements
 * per request level, never one per item.
 */
export interface Loaders {
  tenant: DataLoader<string, Tenant>;
  /** groups of one tenant by id (null: not a group of that tenant) */
  groups(ctx: RequestContext): DataLoader<string, GroupRecord | null>;
  memberCounts(ctx: RequestContext): DataLoader<string, number>;
  tokens: DataLoader<string, TokenInfo[]>;
  connectionActivity: DataLoader<string, ConnectionActivity[]>;
  /**
   * `stats` of a scope (a tenant id, or '' for every tenant the key sees): the scopes asked in one
   * tick cost two statements together, however many aliases ask them. Batched, not cached: a
   * mutation's later fields see its writes.
   */
  summary: DataLoader<string, TenantSummary>;
  /** each tenant's SCIM traffic over the last `hours` (one statement per window asked for) */
  tenantActivity(hours: number): DataLoader<string, TenantActivity>;
}

function perTenant<V>(make: (ctx: RequestContext) => DataLoader<string, V>): (ctx: RequestContext) => DataLoader<string, V> {
  const byTenant = new Map<string, DataLoader<string, V>>();
  return (ctx) => {
    let loader = byTenant.get(ctx.tenant.id);
    if (!loader) byTenant.set(ctx.tenant.id, (loader = make(ctx)));
    return loader;
  };
}

export function createLoaders(services: Services): Loaders {
  const activity = new Map<number, DataLoader<string, TenantActivity>>();
  return {
    tenantActivity: (hours) => {
      let loader = activity.get(hours);
      if (!loader) {
        const since = new Date(Date.now() - hours * 3_600_000);
        activity.set(
          hours,
          (loader = new DataLoader(async (ids) => {
            const byId = await services.stats.tenantActivity(ids, since);
            return ids.map((id) => byId.get(id) ?? { tenantId: id, since, lastRequestAt: null, requests: 0, failedRequests: 0, errorRate: null });
          })),
        );
      }
      return loader;
    },
    tenant: new DataLoader(async (refs) => services.tenants.getMany(refs)),
    groups: perTenant(
      (ctx) =>
        new DataLoader(async (ids) => {
          const byId = new Map((await services.groups.getMany(ctx, ids, { members: false })).map((g) => [g.id, g]));
          return ids.map((id) => byId.get(id) ?? null);
        }),
    ),
    memberCounts: perTenant(
      (ctx) =>
        new DataLoader(async (ids) => {
          const counts = await services.stats.memberCounts(ctx.tenant.id, ids);
          return ids.map((id) => counts.get(id) ?? 0);
        }),
    ),
    tokens: new DataLoader(async (tenantIds) => Promise.all(tenantIds.map((id) => services.connections.listTokens(id)))),
    summary: new DataLoader(
      async (scopes) => {
        const ids = [...new Set(scopes.filter((s) => s !== ''))];
        const [counts, connections, everyTenant] = await Promise.all([
          services.stats.countsOf(ids),
          ids.length > 0 ? services.stats.connectionActivity(ids) : [],
          scopes.includes('') ? services.stats.summary(null) : undefined,
        ]);
        const byTenant = new Map<string, ConnectionActivity[]>(ids.map((id) => [id, []]));
        for (const c of connections) byTenant.get(c.tenantId)?.push(c);
        return scopes.map((s) => (s === '' ? everyTenant! : { ...counts.get(s)!, connections: byTenant.get(s)! }));
      },
      { cache: false },
    ),
    connectionActivity: new DataLoader(async (tenantIds) => {
      const all = await services.stats.connectionActivity([...tenantIds]);
      return tenantIds.map((id) => all.filter((c) => c.tenantId === id));
    }),
  };
}
