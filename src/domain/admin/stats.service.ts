import { MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../db/sql';
import type { IdpKind } from '../connection/scim-connection.entity';
import { isUuid } from '../ids';

export interface DirectoryCounts {
  usersActive: number;
  usersInactive: number;
  /** tombstones: deleted over SCIM, restorable or purgeable */
  usersDeleted: number;
  groups: number;
  memberships: number;
}

export interface ConnectionActivity {
  connectionId: string;
  tenantId: string;
  idp: IdpKind;
  name: string;
  /** the last request any of the connection's tokens authenticated (minute precision, see ConnectionService) */
  lastRequestAt: Date | null;
  activeTokens: number;
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

  /** The figures of one tenant (every tenant: null) with the activity of its SCIM connections. */
  async summary(tenantId: string | null): Promise<DirectoryCounts & { connections: ConnectionActivity[] }> {
    const [counts, connections] = await Promise.all([this.counts(tenantId), this.connectionActivity(tenantId === null ? null : [tenantId])]);
    return { ...counts, connections };
  }

  /** Every SCIM connection of the tenants given (all tenants: null), with its last request. */
  async connectionActivity(tenantIds: string[] | null): Promise<ConnectionActivity[]> {
    const ids = tenantIds === null ? null : `{${tenantIds.filter(isUuid).join(',')}}`;
    const rows = await sql<{ id: string; tenant_id: string; idp: IdpKind; name: string; last: string | null; active: number }>(
      this.em(),
      `select c.id, c.tenant_id, c.idp, c.name, max(t.last_used_at) as last,
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
}
