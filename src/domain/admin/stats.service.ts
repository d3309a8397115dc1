import { MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../db/sql';
import type { DeletePolicy, IdpKind } from '../connection/scim-connection.entity';
import { InvalidValueError } from '../errors';
import { ID_CLOCK_SLACK_MS, isUuid, uuidv7Bound } from '../ids';

export interface DirectoryCounts {
  usersActive: number;
  usersInactive: number;
  /** tombstones: deleted over SCIM, restorable or purgeable */
  usersDeleted: number;
  groups: number;
  memberships: number;
}

/** A tenant's (or every tenant's) counts with the activity of its SCIM connections. */
export type TenantSummary = DirectoryCounts & { connections: ConnectionActivity[] };

export interface ConnectionActivity {
  connectionId: string;
  tenantId: string;
  idp: IdpKind;
  name: string;
  /** the last request any of the connection's tokens authenticated (minute precision, see ConnectionService) */
  lastRequestAt: Date | null;
  activeTokens: number;
  deletePolicy: DeletePolicy;
  status: 'active' | 'disabled' | 'deleted';
  createdAt: Date;
  disabledAt: Date | null;
  deletedAt: Date | null;
}

/** Requests of one tenant and actor with one outcome over a time window (from the audit trail). */
export interface OutcomeCount {
  tenantId: string;
  actorKind: string;
  connectionId: string | null;
  /** `2xx`, `4xx`, … */
  statusClass: string;
  scimType: string | null;
  count: number;
}

/** A SCIM connection's last audited request. */
export interface LastRequest {
  connectionId: string;
  time: Date;
  operation: string;
  status: number;
  scimType: string | null;
}

/** A tenant's SCIM traffic: its last request, and its requests and failures over a window. */
export interface TenantActivity {
  tenantId: string;
  since: Date;
  /** the last SCIM request of any of its connections (exact, from the audit trail) */
  lastRequestAt: Date | null;
  /** SCIM requests since `since` */
  requests: number;
  /** of which answered 4xx or 5xx */
  failedRequests: number;
  /** failedRequests / requests (null when there was no request) */
  errorRate: number | null;
}

export interface EventFigures {
  heldEvents: number;
  openHolds: number;
  unpublishedEvents: number;
}

/**
 * Read-only figures for dashboards: counts over a tenant (or every tenant) and the activity of SCIM
 * connections. Aggregates run in SQL, one statement each, whatever the size of the directory.
 */
export class StatsService {
  constructor(private readonly orm: MikroORM) {}

  private em(): EntityManager {
    return this.orm.em.fork() as EntityManager;
  }

  /** Counts of one tenant, or of every tenant when `tenantId` is null. */
  async counts(tenantId: string | null): Promise<DirectoryCounts> {
    const t = '(?::uuid is null or tenant_id = ?::uuid)';
    const p = [tenantId, tenantId];
    const [row] = await sql<Record<keyof DirectoryCounts, number>>(
      this.em(),
      `select
         (select count(*) from scim_user where ${t} and deleted_at is null and active)::int as "usersActive",
         (select count(*) from scim_user where ${t} and deleted_at is null and not active)::int as "usersInactive",
         (select count(*) from scim_user where ${t} and deleted_at is not null)::int as "usersDeleted",
         (select count(*) from scim_group where ${t})::int as "groups",
         (select count(*) from group_member m join scim_group g on g.id = m.group_id where ${t.replace(/tenant_id/g, 'g.tenant_id')})::int as "memberships"`,
      [...p, ...p, ...p, ...p, ...p],
    );
    return row;
  }

  /**
   * The counts of each tenant given, in one statement: what `counts` gives for one tenant, so that a
   * GraphQL query asking the figures of many tenants (aliases of `stats`, `tenants { stats }`) is one
   * round trip, not one per tenant.
   */
  async countsOf(tenantIds: readonly string[]): Promise<Map<string, DirectoryCounts>> {
    const ids = [...new Set(tenantIds.filter(isUuid))];
    if (ids.length === 0) return new Map();
    const rows = await sql<DirectoryCounts & { tenant_id: string }>(
      this.em(),
      `select t.id as tenant_id,
         (select count(*) from scim_user u where u.tenant_id = t.id and u.deleted_at is null and u.active)::int as "usersActive",
         (select count(*) from scim_user u where u.tenant_id = t.id and u.deleted_at is null and not u.active)::int as "usersInactive",
         (select count(*) from scim_user u where u.tenant_id = t.id and u.deleted_at is not null)::int as "usersDeleted",
         (select count(*) from scim_group g where g.tenant_id = t.id)::int as "groups",
         (select count(*) from group_member m join scim_group g on g.id = m.group_id where g.tenant_id = t.id)::int as "memberships"
         from unnest(?::uuid[]) as t(id)`,
      [`{${ids.join(',')}}`],
    );
    return new Map(rows.map(({ tenant_id, ...counts }) => [tenant_id, counts]));
  }

  /** The figures of one tenant (every tenant: null) with the activity of its SCIM connections. */
  async summary(tenantId: string | null): Promise<TenantSummary> {
    const [counts, connections] = await Promise.all([this.counts(tenantId), this.connectionActivity(tenantId === null ? null : [tenantId])]);
    return { ...counts, connections };
  }

  /** Every SCIM connection of the tenants given (all tenants: null), with its last request. */
  async connectionActivity(tenantIds: string[] | null): Promise<ConnectionActivity[]> {
    const ids = tenantIds === null ? null : `{${tenantIds.filter(isUuid).join(',')}}`;
    const rows = await sql<{
      id: string;
      tenant_id: string;
      idp: IdpKind;
      name: string;
      last: string | null;
      active: number;
      delete_policy: DeletePolicy;
      created_at: string;
      disabled_at: string | null;
      deleted_at: string | null;
    }>(
      this.em(),
      `select c.id, c.tenant_id, c.idp, c.name, max(t.last_used_at) as last,
              c.delete_policy, c.created_at, c.disabled_at, c.deleted_at,
              count(t.id) filter (where t.revoked_at is null and t.expires_at > now())::int as active
         from scim_connection c left join scim_token t on t.connection_id = c.id
        where ?::uuid[] is null or c.tenant_id = any(?::uuid[])
        group by c.id order by c.created_at, c.id`,
      [ids, ids],
    );
    return rows.map((r) => ({
      connectionId: r.id,
      tenantId: r.tenant_id,
      idp: r.idp,
      name: r.name,
      lastRequestAt: r.last ? new Date(r.last) : null,
      activeTokens: r.active,
      deletePolicy: r.delete_policy,
      status: r.deleted_at ? 'deleted' : r.disabled_at ? 'disabled' : 'active',
      createdAt: new Date(r.created_at),
      disabledAt: r.disabled_at ? new Date(r.disabled_at) : null,
      deletedAt: r.deleted_at ? new Date(r.deleted_at) : null,
    }));
  }

  /** Member counts of groups of a tenant, by group id (0 for unknown ids): one statement for any number. */
  async memberCounts(tenantId: string, groupIds: readonly string[]): Promise<Map<string, number>> {
    const ids = groupIds.filter(isUuid);
    const rows = ids.length
      ? await sql<{ id: string; n: number }>(
          this.em(),
          `select g.id, count(m.member_id)::int as n from scim_group g left join group_member m on m.group_id = g.id
            where g.tenant_id = ? and g.id = any(?::uuid[]) group by g.id`,
          [tenantId, `{${ids.join(',')}}`],
        )
      : [];
    const counts = new Map(groupIds.map((id) => [id, 0]));
    for (const r of rows) counts.set(r.id, r.n);
    return counts;
  }

  /**
   * Requests by outcome in [since, until) from the audit trail (issue 7 §2), grouped per tenant,
   * actor kind, SCIM connection, status class and scimType: one statement, the counting in SQL.
   */
  async requestsByOutcome(tenantId: string | null, since: Date, until: Date): Promise<OutcomeCount[]> {
    if (!(until > since)) throw new InvalidValueError('until must be after since');
    const rows = await sql<{ tenant_id: string; actor_kind: string; connection_id: string | null; class: number; scim_type: string | null; n: number }>(
      this.em(),
      `select tenant_id, actor_kind, connection_id, status / 100 as class, scim_type, count(*)::int as n
         from audit_entry
        where (?::uuid is null or tenant_id = ?::uuid) and time >= ? and time < ? and id >= ?::uuid and id < ?::uuid
        group by 1, 2, 3, 4, 5 order by 1, 2, 3 nulls first, 4, 5 nulls first`,
      [tenantId, tenantId, since, until, uuidv7Bound(since.getTime() - ID_CLOCK_SLACK_MS), uuidv7Bound(until.getTime() + ID_CLOCK_SLACK_MS)],
    );
    return rows.map((r) => ({ tenantId: r.tenant_id, actorKind: r.actor_kind, connectionId: r.connection_id, statusClass: `${r.class}xx`, scimType: r.scim_type, count: r.n }));
  }

  /**
   * Each connection's last audited request (exact time and outcome; tokens' last_used_at is kept
   * at minute precision). One statement for any number of connections: a backward walk of the
   * tenant's (time-ordered) audit index per connection, stopping at its first entry.
   */
  async lastRequests(connectionIds: readonly string[]): Promise<Map<string, LastRequest>> {
    const ids = connectionIds.filter(isUuid);
    const rows = ids.length
      ? await sql<{ id: string; time: string; operation: string; status: number; scim_type: string | null }>(
          this.em(),
          `select c.id, a.time, a.operation, a.status, a.scim_type
             from scim_connection c
             cross join lateral (select time, operation, status, scim_type from audit_entry e
                                  where e.tenant_id = c.tenant_id and e.connection_id = c.id order by e.id desc limit 1) a
            where c.id = any(?::uuid[])`,
          [`{${ids.join(',')}}`],
        )
      : [];
    return new Map(rows.map((r) => [r.id, { connectionId: r.id, time: new Date(r.time), operation: r.operation, status: r.status, scimType: r.scim_type }]));
  }

  /**
   * Each tenant's SCIM traffic since `since` (the audit trail's `scim` entries): the last request,
   * the count and the failed (4xx/5xx) count. One statement for any number of tenants: per tenant a
   * backward walk of its (time-ordered) audit index for the last one, and a range scan for the window.
   */
  async tenantActivity(tenantIds: readonly string[], since: Date): Promise<Map<string, TenantActivity>> {
    if (Number.isNaN(since.getTime())) throw new InvalidValueError('since must be a valid time');
    const ids = tenantIds.filter(isUuid);
    const rows = ids.length
      ? await sql<{ id: string; last: string | null; n: number; failed: number }>(
          this.em(),
          `select t.id,
                  (select e.time from audit_entry e where e.tenant_id = t.id and e.actor_kind = 'scim' order by e.id desc limit 1) as last,
                  w.n, w.failed
             from tenant t
             cross join lateral (select count(*)::int as n, count(*) filter (where e.status >= 400)::int as failed
                                   from audit_entry e
                                  where e.tenant_id = t.id and e.actor_kind = 'scim' and e.time >= ? and e.id >= ?::uuid) w
            where t.id = any(?::uuid[])`,
          [since, uuidv7Bound(since.getTime() - ID_CLOCK_SLACK_MS), `{${ids.join(',')}}`],
        )
      : [];
    return new Map(
      rows.map((r) => [
        r.id,
        { tenantId: r.id, since, lastRequestAt: r.last ? new Date(r.last) : null, requests: r.n, failedRequests: r.failed, errorRate: r.n ? r.failed / r.n : null },
      ]),
    );
  }

  /** Held events, open holds and the outbox backlog of one tenant (every tenant: null). */
  async eventFigures(tenantId: string | null): Promise<EventFigures> {
    const t = '(?::uuid is null or tenant_id = ?::uuid)';
    const [row] = await sql<EventFigures>(
      this.em(),
      `select (select count(*) from event_outbox where ${t} and state = 'held')::int as "heldEvents",
              (select count(*) from event_hold where ${t} and state = 'open')::int as "openHolds",
              (select count(*) from event_outbox where ${t} and state = 'ready' and published_at is null)::int as "unpublishedEvents"`,
      [tenantId, tenantId, tenantId, tenantId, tenantId, tenantId],
    );
    return row;
  }
}
