import type { AuditService } from '../domain/audit/audit.service';
import { AuditNotes } from '../domain/audit/audit-notes';
import { isUuid } from '../domain/ids';
import type { Actor } from '../domain/context';
import { RefusedTokenError } from '../domain/errors';
import type { ScimContext, ScimMiddleware } from '../scim/state';
import { errorOutcome } from './request-context';

/** A Map, not an object literal: a path segment such as `constructor` must not find Object's members. */
const RESOURCES = new Map<string, string>([
  ['users', 'User'],
  ['groups', 'Group'],
  ['serviceproviderconfig', 'ServiceProviderConfig'],
  ['serviceconfiguration', 'ServiceProviderConfig'],
  ['schemas', 'Schema'],
  ['resourcetypes', 'ResourceType'],
  ['bulk', 'Bulk'],
  ['me', 'Me'],
]);

/** `User.create`, `Group.patch`, `User.search`, … from the method and the path below the tenant. */
export function scimOperation(method: string, rest: string[]): string {
  const resource = RESOURCES.get((rest[0] ?? '').toLowerCase()) ?? (rest[0] ? rest[0] : 'root');
  if (rest[1] === '.search') return `${resource}.search`;
  const one = rest.length > 1;
  switch (method) {
    case 'POST':
      return `${resource}.create`;
    case 'GET':
      return `${resource}.${one ? 'get' : 'list'}`;
    case 'PUT':
      return `${resource}.replace`;
    case 'PATCH':
      return `${resource}.patch`;
    case 'DELETE':
      return `${resource}.delete`;
    default:
      return `${resource}.${method.toLowerCase()}`;
  }
}

/** What a successful write answers (a PATCH route that answers 204 says so on the notes). */
const SUCCESS: Record<string, number> = { POST: 201, PUT: 200, PATCH: 200, DELETE: 204 };

/**
 * Audits every SCIM request of a tenant (mounted before authentication, so a refused token is
 * recorded too, when the URL names an existing tenant). A write that commits a change has its entry
 * written in its own transaction, with its outbox events (the notes' `request` tells the services
 * how: see EventRecorder), so no committed change lacks its entry, even through a crash. Every
 * other request is recorded once the outcome is known — the answer's status, or the status the
 * error will be mapped to: a failed write is answered only once its entry is stored; a read (GET,
 * or a POST .search), a request refused before authentication (401) or for load (429, 503) is
 * answered without waiting: its entry is queued for a grouped INSERT that starts within 5 ms
 * (AuditService.record), which keeps the hot read path at one round trip (a crash can lose the
 * reads of the last milliseconds; graceful shutdown drains the queue). The resource ids and
 * changed attribute names come from the services (AuditNotes), never from parsing bodies; nothing
 * of a body, a token or a password is recorded. A failing audit write is reported, never turned
 * into a failed request.
 */
export function scimAudit(audit: AuditService): ScimMiddleware {
  const refusals = new RefusalCoalescer(audit);
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    const notes = new AuditNotes();
    ctx.state.audit = notes;
    const rest = ctx.path.split('/').filter(Boolean).slice(3); // scim, v2, tenant
    const operation = scimOperation(ctx.method, rest);
    if (!isRead(ctx.method, operation) && SUCCESS[ctx.method]) {
      notes.request = { method: ctx.method, path: ctx.path, operation, status: SUCCESS[ctx.method], startedAt: started };
    }
    let error: unknown;
    try {
      await next();
    } catch (e) {
      error = e;
    }
    const outcome = error ? errorOutcome(error) : { status: ctx.status, scimType: undefined };
    // committed with its entry (a request that failed after a commit is recorded again, as it ended)
    if (!error && notes.inTransaction > 0) return;
    // a genuine token refused because of its connection or tenant: filed under it, with the reason
    if (error instanceof RefusedTokenError) notes.note = error.reason;
    const record = entry(ctx, notes, outcome, Number(process.hrtime.bigint() - started) / 1e6, error);
    if (outcome.status === 429) {
      refusals.add(record, (e) => void ctx.app.emit('error', e, ctx));
      if (error) throw error;
      return;
    }
    // anonymous floods and a failing database must not cost a synchronous INSERT each
    const shed = outcome.status === 503;
    const waits = !isRead(ctx.method, record.operation) && ctx.state.scim && !shed;
    const stored = audit.record(record, waits ? 'now' : 'soon').catch((e: unknown) => void ctx.app.emit('error', e, ctx));
    if (waits) await stored;
    if (error) throw error;
  };
}

type AuditInput = Parameters<AuditService['record']>[0];
/** One key's refusals of the current second, beyond its first. */
type Pending = { second: number; more: number; last: AuditInput; onError: (e: unknown) => void; timer?: NodeJS.Timeout };

/**
 * Refused-for-load (429) entries, coalesced: a client looping past its rate limit would otherwise
 * cost an audit row per refusal, as many as the requests it is refused for. Per connection (or, for
 * a request without one, per tenant and actor kind) and per second, the first refusal is recorded
 * as it is; the others of that second are counted, and recorded once, when the second is over, as
 * one row like the last of them with the note `N more refused (429) in this second`. Counts still
 * pending are recorded when the audit queue is drained (graceful shutdown), before it is awaited.
 */
class RefusalCoalescer {
  private readonly open = new Map<string, Pending>();
  constructor(private readonly audit: AuditService) {
    audit.onDrain(() => {
      for (const [key, state] of [...this.open]) this.flush(key, state);
    });
  }

  add(record: AuditInput, onError: (e: unknown) => void, now = Date.now()): void {
    const actor = record.actor as { kind: string; connectionId?: string };
    const key = `${record.tenantId ?? record.tenantSlug ?? ''} ${actor.kind} ${actor.connectionId ?? ''}`;
    const second = Math.floor(now / 1000);
    const current = this.open.get(key);
    if (current && current.second === second) {
      current.more++;
      current.last = record;
      current.onError = onError;
      current.timer ??= setTimeout(() => this.flush(key, current), (second + 1) * 1000 - now).unref();
      return;
    }
    if (current) this.flush(key, current);
    this.open.set(key, { second, more: 0, last: record, onError });
    this.audit.record(record, 'soon').catch(onError);
  }

  private flush(key: string, state: Pending): void {
    if (state.timer) clearTimeout(state.timer);
    if (this.open.get(key) === state) this.open.delete(key);
    if (state.more === 0) return;
    const more = state.more;
    state.more = 0;
    this.audit.record({ ...state.last, note: `${more} more refused (429) in this second` }, 'soon').catch(state.onError);
  }
}

function isRead(method: string, operation: string): boolean {
  return method === 'GET' || method === 'HEAD' || operation.endsWith('.search');
}

function entry(ctx: ScimContext, notes: AuditNotes, outcome: { status: number; scimType?: string }, latencyMs: number, error?: unknown) {
  const scim = ctx.state.scim;
  const refused = !scim && error instanceof RefusedTokenError ? error.refused : undefined;
  const rest = ctx.path.split('/').filter(Boolean).slice(3); // scim, v2, tenant
  const ids = new Set<string>();
  if (rest[1] && isUuid(rest[1])) ids.add(rest[1].toLowerCase());
  for (const id of notes.resourceIds) ids.add(id);
  const ok = outcome.status < 400;
  return {
    tenantId: scim?.tenant.id ?? refused?.tenantId,
    tenantSlug: ctx.params.tenant,
    actor: scim?.actor ?? (refused?.actor as Actor | undefined) ?? { kind: 'anonymous' as const },
    method: ctx.method,
    path: ctx.path,
    operation: scimOperation(ctx.method, rest),
    filter: notes.filter ?? (typeof ctx.query.filter === 'string' ? ctx.query.filter : null),
    status: outcome.status,
    scimType: outcome.scimType ?? null,
    latencyMs: Math.round(latencyMs * 100) / 100,
    requestId: ctx.state.requestId,
    resourceIds: ids,
    changed: ok ? notes.changed : [],
    holdId: notes.holdId,
    note: notes.note,
  };
}
