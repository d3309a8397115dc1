import type { Actor, RequestContext } from '../context';
import { newId } from '../ids';

/**
 * Text as PostgreSQL can store it, whatever the client sent: a lone UTF-16 surrogate becomes
 * U+FFFD (jsonb and text refuse it), so does NUL (text cannot hold it), and the length is capped.
 * An audit row must never fail on what it quotes (and take other rows of its batch with it).
 */
const LONE_SURROGATE_OR_NUL = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\u0000/g;

export function storableText(value: string, max: number): string {
  const capped = value.length > max ? value.slice(0, max) : value;
  return capped.replace(LONE_SURROGATE_OR_NUL, '\uFFFD');
}

function storable(value: string | null | undefined, max: number): string | null {
  return typeof value === 'string' ? storableText(value, max) : null;
}

/** The request an audit row describes, as the edge knows it before the service runs. */
export interface AuditRequest {
  method: string;
  path: string;
  operation: string;
  filter?: string | null;
  /** the status the edge answers when the write succeeds (201, 200, 204) */
  status: number;
  /** process.hrtime.bigint() at the start of the request */
  startedAt: bigint;
  /** the bulkId of a /Bulk operation */
  bulkId?: string | null;
}

/**
 * The columns of one audit row, as the INSERT statements read them (jsonb_to_recordset): who, what,
 * how it ended. Never a body, a password or a token.
 */
export interface AuditRowInput {
  /** The tenant's id, or else its slug (a request refused before authentication names only the slug). */
  tenantId?: string | null;
  tenantSlug?: string | null;
  actor: Actor | { kind: 'anonymous' };
  method: string;
  path: string;
  operation: string;
  filter?: string | null;
  status: number;
  scimType?: string | null;
  latencyMs: number;
  requestId: string;
  resourceIds?: Iterable<string>;
  changed?: Iterable<string>;
  holdId?: string | null;
  /** the bulkId of a /Bulk operation */
  bulkId?: string | null;
  /** what the operation alone does not say (a delete policy, why a token was refused) */
  note?: string | null;
}

/** One audit row, every text field storable (see storableText). */
export function auditRow(input: AuditRowInput): Record<string, unknown> {
  const a = input.actor;
  return {
    id: newId(),
    tenant_id: input.tenantId ?? null,
    tenant_slug: input.tenantId ? null : storable(input.tenantSlug, 256),
    time: new Date(),
    actor_kind: a.kind,
    connection_id: a.kind === 'scim' ? a.connectionId : null,
    token_id: a.kind === 'scim' ? a.tokenId : null,
    admin_key_id: a.kind === 'admin' ? storable(a.keyId, 256) : null,
    idp: a.kind === 'scim' ? storable(a.idp, 64) : null,
    method: storableText(input.method, 16),
    path: storableText(input.path, 2048),
    operation: storableText(input.operation, 256),
    filter: storable(input.filter, 4096),
    status: input.status,
    scim_type: storable(input.scimType, 64),
    latency_ms: Number.isFinite(input.latencyMs) ? input.latencyMs : 0,
    request_id: storableText(input.requestId, 128),
    resource_ids: [...(input.resourceIds ?? [])].map((id) => storableText(id, 64)),
    changed_attributes: [...(input.changed ?? [])].map((n) => storableText(n, 256)).sort(),
    hold_id: input.holdId ?? null,
    bulk_id: storable(input.bulkId, 256),
    note: storable(input.note, 200),
  };
}

export const AUDIT_COLUMNS = `id, tenant_id, time, actor_kind, connection_id, token_id, admin_key_id, idp, method, path, operation, filter,
  status, scim_type, latency_ms, request_id, resource_ids, changed_attributes, hold_id, bulk_id, note`;

/** jsonb_to_recordset's column list for auditRow's rows. */
export const AUDIT_RECORDSET = `r(id uuid, tenant_id uuid, tenant_slug text, time timestamptz, actor_kind text,
  connection_id uuid, token_id uuid, admin_key_id text, idp text, method text, path text, operation text, filter text,
  status int, scim_type text, latency_ms float8, request_id text, resource_ids jsonb, changed_attributes jsonb, hold_id uuid, bulk_id text, note text)`;

/**
 * The audit row of a committed write, inserted by the write's own statement or transaction (see
 * EventRecorder): a CTE to append to the outbox CTEs (`, <cte>`), one bind parameter (a JSON array
 * of zero or one auditRow). Its hold_id falls back to the hold the outbox insert joined (ev_out).
 * `condition` (SQL) makes the row conditional, like the write it records.
 */
export function auditWriteCte(condition = 'true'): string {
  return `au as (insert into audit_entry (${AUDIT_COLUMNS})
   select r.id, r.tenant_id, r.time, r.actor_kind, r.connection_id, r.token_id, r.admin_key_id, r.idp, r.method, r.path, r.operation,
          r.filter, r.status, r.scim_type, r.latency_ms, r.request_id, r.resource_ids, r.changed_attributes,
          coalesce(r.hold_id, (select o.hold_id from ev_out o where o.hold_id is not null limit 1)), r.bulk_id, r.note
     from jsonb_to_recordset(?::jsonb) as ${AUDIT_RECORDSET}
    where ${condition})`;
}

/**
 * The audit row for a write of `ctx` that is about to commit, when its edge asked for
 * transactional audit (ctx.audit.request); `undefined` otherwise. Resource ids and changed
 * attribute names: what the request's notes hold so far plus this change's.
 */
export function writeAuditRow(ctx: RequestContext, touched: { subject: string; changed?: string[] }[], holdId: string | null): Record<string, unknown> | undefined {
  const notes = ctx.audit;
  const request = notes?.request;
  if (!notes || !request) return undefined;
  const ids = new Set(notes.resourceIds);
  const changed = new Set(notes.changed);
  for (const t of touched) {
    ids.add(t.subject);
    for (const name of t.changed ?? []) changed.add(name);
  }
  return auditRow({
    tenantId: ctx.tenant.id,
    actor: ctx.actor,
    method: request.method,
    path: request.path,
    operation: request.operation,
    filter: request.filter,
    status: request.status,
    latencyMs: Math.round((Number(process.hrtime.bigint() - request.startedAt) / 1e6) * 100) / 100,
    requestId: ctx.requestId,
    resourceIds: ids,
    changed,
    holdId: holdId ?? notes.holdId,
    bulkId: request.bulkId,
    note: notes.note,
  });
}
