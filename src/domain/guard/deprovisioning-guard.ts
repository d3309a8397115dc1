import type { EntityManager } from '@mikro-orm/postgresql';
import type { RequestContext } from '../context';
import { newId } from '../ids';
import { sql } from '../../db/sql';

export interface GuardConfig {
  /** Share of the tenant's active users (0..1) one connection may deprovision within the window. */
  share: number;
  windowSeconds: number;
  /** Below this many deprovisioned users in the window the guard never trips (small tenants). */
  minUsers: number;
}

export const DEFAULT_GUARD: GuardConfig = { share: 0.2, windowSeconds: 600, minUsers: 10 };

/**
 * Mass-deprovisioning guard. When one SCIM connection deactivates or deletes more than `share`
 * of a tenant's active users within the window — and at least `minUsers` of them, so that a
 * five-person tenant removing two people is not "mass" — the change still commits and the IdP
 * gets its 2xx (it would otherwise retry or quarantine the app), but the events are held: not
 * published nor listed until an admin releases or discards the hold. Once a hold is open every
 * further deprovisioning by that connection joins it.
 *
 * Runs inside the writing transaction after taking the tenant's event_sequence row lock, so
 * concurrent deprovisionings of one tenant are counted one after the other and cannot all slip
 * under the threshold together. Only deprovisioning pays for it; the active-user count is read
 * only once the cheap window count has reached `minUsers`.
 */
export class DeprovisioningGuard {
  constructor(readonly config: GuardConfig = DEFAULT_GUARD) {}

  /** The hold this deprovisioning of `subject` joins, or null when it may be published. */
  async check(em: EntityManager, ctx: RequestContext, subject: string): Promise<string | null> {
    if (ctx.actor.kind !== 'scim' || this.config.share >= 1) return null;
    const tenantId = ctx.tenant.id;
    const connectionId = ctx.actor.connectionId;
    await sql(em, `insert into event_sequence (tenant_id, value) values (?, 0) on conflict (tenant_id) do update set value = event_sequence.value`, [tenantId]);
    const [state] = await sql<{ open: string | null; n: number }>(
      em,
      `select (select id from event_hold where tenant_id = ? and connection_id = ? and state = 'open' order by created_at limit 1) as open,
              (select count(distinct subject)::int from event_outbox
                where tenant_id = ? and connection_id = ? and type in ('user.deactivated', 'user.deleted') and subject <> ?
                  and time > greatest(now() - make_interval(secs => ?),
                                      coalesce((select max(resolved_at) from event_hold where tenant_id = ? and connection_id = ?), '-infinity'))) as n`,
      [tenantId, connectionId, tenantId, connectionId, subject, this.config.windowSeconds, tenantId, connectionId],
    );
    if (state.open) return state.open;
    const deprovisioned = state.n + 1;
    if (deprovisioned < this.config.minUsers) return null;
    const [{ active }] = await sql<{ active: number }>(em, 'select count(*)::int as active from scim_user where tenant_id = ? and deleted_at is null and active', [tenantId]);
    // the users deprovisioned in the window (this one included, already written) were active at its start
    const base = active + deprovisioned;
    if (deprovisioned <= this.config.share * base) return null;
    const id = newId();
    const reason =
      `connection ${connectionId} deprovisioned ${deprovisioned} of ${base} active users within ${Math.round(this.config.windowSeconds / 60)} min ` +
      `(limit ${Math.round(this.config.share * 100)}%)`;
    await sql(em, `insert into event_hold (id, tenant_id, connection_id, state, reason, created_at) values (?, ?, ?, 'open', ?, now())`, [id, tenantId, connectionId, reason]);
    return id;
  }
}
