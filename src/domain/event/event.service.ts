import { MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import type { RequestContext } from '../context';
import { InvalidValueError, NotFoundError } from '../errors';
import { isUuid } from '../ids';
import { dropPartitionsBefore } from '../../db/partitions';
import { sql, sqlRun } from '../../db/sql';
import { OUTBOX_COLUMNS, OutboxRow, toCloudEvent } from './cloud-event';
import { sequencePending } from './sequencer';
import { CLOUDEVENTS_TYPE_PREFIX, CloudEvent, EVENT_TYPES, EventType } from './event-types';

export interface EventListOptions {
  /** Return events with a larger sequence number (the `next` of the previous page). */
  after?: number | string;
  /** Short (`user.created`) or CloudEvents (`com.provisio.user.created`) types; all when empty. */
  types?: string[];
  /** At most this many (default 100, at most 1000). */
  limit?: number;
}

export interface EventPage {
  events: CloudEvent[];
  /** The sequence to pass as `after` next; unchanged when the page is empty. */
  next: number;
}

export interface HoldInfo {
  id: string;
  connectionId: string | null;
  state: 'open' | 'released' | 'discarded';
  reason: string;
  createdAt: Date;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  events: number;
}

export interface EventStats {
  /** The last sequence number handed out. */
  lastSequence: number;
  /** Ready events not yet published (meaningful when a broker is configured). */
  unpublished: number;
  /** Events kept back by open holds. */
  held: number;
  openHolds: HoldInfo[];
}

/** Short event types from short or CloudEvents names; unknown names are refused. */
function eventTypes(types: string[] | undefined): EventType[] | undefined {
  if (!types || types.length === 0) return undefined;
  return types.map((t) => {
    const short = t.startsWith(CLOUDEVENTS_TYPE_PREFIX) ? t.slice(CLOUDEVENTS_TYPE_PREFIX.length) : t;
    if (!(EVENT_TYPES as readonly string[]).includes(short)) throw new InvalidValueError(`unknown event type "${t}"`);
    return short as EventType;
  });
}

function sequenceOf(after: number | string | undefined): number {
  if (after === undefined || after === null || after === '') return 0;
  const n = Number(after);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidValueError('after must be a non-negative event sequence number');
  return n;
}

/**
 * Reading a tenant's event stream (the embedded default for consumers that poll, and the feed
 * behind GraphQL `events` and `GET /events`), and the admin side of the deprovisioning guard.
 */
export class EventService {
  constructor(private readonly orm: MikroORM) {}

  private em(): EntityManager {
    return this.orm.em.fork() as EntityManager;
  }

  /**
   * Events after a sequence number, in sequence order. Held and discarded events are never
   * listed; a released hold's events get new, larger sequence numbers, so a consumer polling
   * with `after` sees them once, after everything it has already read.
   */
  async list(tenantId: string, options: EventListOptions = {}): Promise<EventPage> {
    const after = sequenceOf(options.after);
    const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
    const types = eventTypes(options.types);
    await sequencePending(this.orm, tenantId); // number what has committed since the last read (no lock when nothing has)
    const rows = await sql<OutboxRow>(
      this.em(),
      `select ${OUTBOX_COLUMNS} from event_outbox o join tenant t on t.id = o.tenant_id
        where o.tenant_id = ? and o.sequence > ? and o.state = 'ready' ${types ? 'and o.type = any(?::text[])' : ''}
        order by o.sequence limit ?`,
      types ? [tenantId, after, `{${types.join(',')}}`, limit] : [tenantId, after, limit],
    );
    const events = rows.map(toCloudEvent);
    return { events, next: events.length ? events[events.length - 1].sequence : after };
  }

  async stats(tenantId: string): Promise<EventStats> {
    await sequencePending(this.orm, tenantId);
    const em = this.em();
    const [row] = await sql<{ last: string | null; unpublished: number; held: number }>(
      em,
      `select (select value from event_sequence where tenant_id = ?) as last,
              (select count(*)::int from event_outbox where tenant_id = ? and state = 'ready' and published_at is null) as unpublished,
              (select count(*)::int from event_outbox where tenant_id = ? and state = 'held') as held`,
      [tenantId, tenantId, tenantId],
    );
    return { lastSequence: Number(row.last ?? 0), unpublished: row.unpublished, held: row.held, openHolds: await this.holds(tenantId, 'open') };
  }

  /**
   * Retention: removes events older than `retentionHours`. With a broker, only events it has
   * received (and discarded ones) go, so an outage never loses an undelivered event; without one,
   * ready events go by age. Held events are never pruned. A whole day's partition whose every
   * event may go is dropped (src/db/partitions.ts); what is left (a partition still keeping an
   * undelivered or held event, the default partition) is deleted row by row, in batches. Returns
   * how many rows went by DELETE, and the partitions dropped.
   */
  async prune(retentionHours: number, brokerConfigured: boolean, batch = 10_000): Promise<number> {
    return (await this.pruneStorage(retentionHours, brokerConfigured, batch)).deleted;
  }

  async pruneStorage(retentionHours: number, brokerConfigured: boolean, batch = 10_000): Promise<{ deleted: number; dropped: string[] }> {
    const cutoff = new Date(Date.now() - retentionHours * 3_600_000);
    const dropped = await dropPartitionsBefore(this.em(), 'event_outbox', cutoff, async (tx, partition) => {
      const [keep] = await sql<{ any: boolean }>(
        tx,
        `select exists (select 1 from ${partition} where state = 'held' or (state = 'ready' and published_at is null and ?::boolean)) as any`,
        [brokerConfigured],
      );
      return !keep.any;
    });
    return { deleted: await this.deleteExpired(cutoff, brokerConfigured, batch), dropped };
  }

  private async deleteExpired(cutoff: Date, brokerConfigured: boolean, batch: number): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await sqlRun(
        this.em(),
        `delete from event_outbox where id in (
           select id from event_outbox
            where time < ? and (state = 'discarded' or (state = 'ready' and (published_at is not null or not ?::boolean)))
            limit ?)`,
        [cutoff, brokerConfigured, batch],
      );
      total += n;
      if (n < batch) return total;
    }
  }

  /** The guard's holds of a tenant, newest first. */
  async holds(tenantId: string, state?: 'open' | 'released' | 'discarded'): Promise<HoldInfo[]> {
    const rows = await sql<{ id: string; connection_id: string | null; state: HoldInfo['state']; reason: string; created_at: string; resolved_at: string | null; resolved_by: string | null; events: number }>(
      this.em(),
      `select h.id, h.connection_id, h.state, h.reason, h.created_at, h.resolved_at, h.resolved_by,
              (select count(*)::int from event_outbox o where o.hold_id = h.id) as events
         from event_hold h where h.tenant_id = ? ${state ? 'and h.state = ?' : ''} order by h.created_at desc, h.id desc`,
      state ? [tenantId, state] : [tenantId],
    );
    return rows.map((r) => ({
      id: r.id,
      connectionId: r.connection_id,
      state: r.state,
      reason: r.reason,
      createdAt: new Date(r.created_at),
      resolvedAt: r.resolved_at ? new Date(r.resolved_at) : null,
      resolvedBy: r.resolved_by,
      events: r.events,
    }));
  }

  /**
   * Releases a hold: its events become ready, and the sequencer numbers them after everything
   * already numbered, in their original order.
   */
  async releaseHold(ctx: RequestContext, holdId: string): Promise<HoldInfo> {
    return this.resolve(ctx, holdId, 'released');
  }

  /** Discards a hold: its events are never published nor listed (kept, marked, until retention). */
  async discardHold(ctx: RequestContext, holdId: string): Promise<HoldInfo> {
    return this.resolve(ctx, holdId, 'discarded');
  }

  private async resolve(ctx: RequestContext, holdId: string, outcome: 'released' | 'discarded'): Promise<HoldInfo> {
    if (!isUuid(holdId)) throw new NotFoundError(`hold "${holdId}" not found`);
    const by = ctx.actor.kind === 'admin' ? (ctx.actor.keyId ?? 'admin') : ctx.actor.kind;
    await this.em().transactional(async (em) => {
      const [hold] = await sql<{ state: string }>(em, 'select state from event_hold where id = ? and tenant_id = ? for update', [holdId, ctx.tenant.id]);
      if (!hold || hold.state !== 'open') throw new NotFoundError(`open hold "${holdId}" not found`);
      await sql(em, `update event_outbox set state = ? where hold_id = ? and state = 'held'`, [outcome === 'released' ? 'ready' : 'discarded', holdId]);
      await sql(em, 'update event_hold set state = ?, resolved_at = now(), resolved_by = ? where id = ?', [outcome, by, holdId]);
    });
    ctx.audit?.touched(holdId);
    return (await this.holds(ctx.tenant.id)).find((h) => h.id === holdId)!;
  }
}
