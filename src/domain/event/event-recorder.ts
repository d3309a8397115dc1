import type { EntityManager } from '@mikro-orm/postgresql';
import type { RequestContext } from '../context';
import { newId } from '../ids';
import { DEPROVISIONING_TYPES, EventDraft } from './event-types';
import { sql } from '../../db/sql';
import type { DeprovisioningGuard } from '../guard/deprovisioning-guard';

/**
 * The outbox insert, as CTEs to prepend to a statement (`with <ctes> <statement>`) or to run on
 * their own. It takes no lock: the per-tenant sequence number is assigned after commit by the
 * sequencer, in `position` order (see sequencer.ts), so a tenant's writers never queue behind
 * each other's commits. An event for a resource that has held events is held too (same hold),
 * so releasing a hold can never reorder one resource's events. Bind order: see `params`.
 */
const OUTBOX_CTES = `ev_in as (select * from jsonb_to_recordset(?::jsonb) as e(ord int, id uuid, type text, subject uuid, data jsonb)),
  ev_out as (insert into event_outbox (id, tenant_id, type, subject, time, data, connection_id, request_id, state, hold_id)
             select i.id, ?::uuid, i.type, i.subject, ?::timestamptz, i.data, ?::uuid, ?, case when h.id is null then 'ready' else 'held' end, h.id
               from ev_in i
               left join lateral (select coalesce(?::uuid, (select o.hold_id from event_outbox o
                                   where o.tenant_id = ?::uuid and o.subject = i.subject and o.state = 'held' limit 1)) as id) h on true
              order by i.ord
             returning hold_id)`;

export interface OutboxStatement {
  /** CTE text without the leading `with` */
  ctes: string;
  params: unknown[];
}

/**
 * Writes domain events into the transactional outbox, in the caller's transaction. Services call
 * `record(em, ctx, drafts)` after their change; the hot create path prepends `statement(...)` to
 * its INSERT so the change and its event are one statement. Also reports touched ids and changed
 * attribute names to the request's audit notes.
 */
export class EventRecorder {
  constructor(private readonly guard?: DeprovisioningGuard) {}

  statement(ctx: RequestContext, drafts: EventDraft[], time: Date, holdId: string | null = null): OutboxStatement {
    const rows = drafts.map((d, i) => ({ ord: i + 1, id: newId(), type: d.type, subject: d.subject, data: d.data }));
    const connectionId = ctx.actor.kind === 'scim' ? ctx.actor.connectionId : null;
    const t = ctx.tenant.id;
    return {
      ctes: OUTBOX_CTES,
      params: [JSON.stringify(rows), t, time, connectionId, ctx.requestId, holdId, t],
    };
  }

  /** Reports the drafts to the request's audit notes (call once the statement is under way). */
  noted(ctx: RequestContext, drafts: EventDraft[], holdId: string | null = null): void {
    for (const d of drafts) ctx.audit?.touched(d.subject, d.changed);
    if (holdId && ctx.audit) ctx.audit.holdId = holdId;
  }

  /**
   * Records the events of one change inside `em`'s transaction. Deprovisioning by a SCIM
   * connection first passes the guard, which may hold every event of this change.
   */
  async record(em: EntityManager, ctx: RequestContext, drafts: EventDraft[]): Promise<void> {
    if (drafts.length === 0) return;
    let holdId: string | null = null;
    const deprovisioned = drafts.find((d) => DEPROVISIONING_TYPES.includes(d.type));
    if (deprovisioned && this.guard && ctx.actor.kind === 'scim') holdId = await this.guard.check(em, ctx, deprovisioned.subject);
    const st = this.statement(ctx, drafts, new Date(), holdId);
    const out = await sql<{ hold_id: string | null }>(em, `with ${st.ctes} select hold_id from ev_out`, st.params);
    this.noted(ctx, drafts, holdId ?? out.find((r) => r.hold_id)?.hold_id ?? null);
  }
}
