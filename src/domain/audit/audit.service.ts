import { MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import type { RequestContext } from '../context';
import { InvalidValueError } from '../errors';
import { ID_CLOCK_SLACK_MS, isUuid, uuidv7Bound } from '../ids';
import { DAY_MS, defaultPartitionName, dropPartitionsBefore } from '../../db/partitions';
import { sql, sqlPrepared, sqlRun } from '../../db/sql';
import { AUDIT_RECORDSET, auditRow, type AuditRowInput } from './audit-row';
import { databaseFault } from '../../db/faults';

/**
 * How long an audit entry nobody waits for (a read's, a refusal's) may wait for others to share its
 * grouped INSERT (see AuditService.record), and the most rows one INSERT takes.
 */
const AUDIT_LINGER_MS = 5;
const AUDIT_BATCH = 500;

/** One request to audit (AuditService.record): an audit row whose tenant, when named, is named by a string. */
export interface AuditInput extends AuditRowInput {
  tenantId?: string;
  tenantSlug?: string;
}

export interface AuditRecord {
  id: string;
  tenantId: string;
  time: Date;
  actorKind: string;
  connectionId: string | null;
  tokenId: string | null;
  adminKeyId: string | null;
  idp: string | null;
  method: string;
  path: string;
  operation: string;
  filter: string | null;
  status: number;
  scimType: string | null;
  latencyMs: number;
  requestId: string;
  resourceIds: string[];
  changedAttributes: string[];
  holdId: string | null;
  bulkId: string | null;
  note: string | null;
}

export interface AuditQuery {
  from?: Date;
  to?: Date;
  /** A SCIM connection id, a token id or an admin key id. */
  actor?: string;
  actorKind?: 'scim' | 'admin' | 'system' | 'anonymous';
  resourceId?: string;
  /** Exact operation, e.g. `User.patch`. */
  operation?: string;
  outcome?: 'success' | 'failure';
  /** The `next` cursor of the previous page (newest first). */
  cursor?: string;
  limit?: number;
}

export interface AuditPage {
  entries: AuditRecord[];
  next: string | null;
}

const COLUMNS = `id, tenant_id, time, actor_kind, connection_id, token_id, admin_key_id, idp, method, path, operation, filter,
  status, scim_type, latency_ms, request_id, resource_ids, changed_attributes, hold_id, bulk_id, note`;

interface Row {
  id: string;
  tenant_id: string;
  time: string;
  actor_kind: string;
  connection_id: string | null;
  token_id: string | null;
  admin_key_id: string | null;
  idp: string | null;
  method: string;
  path: string;
  operation: string;
  filter: string | null;
  status: number;
  scim_type: string | null;
  latency_ms: number;
  request_id: string;
  resource_ids: string[];
  changed_attributes: string[];
  hold_id: string | null;
  bulk_id: string | null;
  note: string | null;
}

function fromRow(r: Row): AuditRecord {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    time: new Date(r.time),
    actorKind: r.actor_kind,
    connectionId: r.connection_id,
    tokenId: r.token_id,
    adminKeyId: r.admin_key_id,
    idp: r.idp,
    method: r.method,
    path: r.path,
    operation: r.operation,
    filter: r.filter,
    status: r.status,
    scimType: r.scim_type,
    latencyMs: Number(r.latency_ms),
    requestId: r.request_id,
    resourceIds: r.resource_ids,
    changedAttributes: r.changed_attributes,
    holdId: r.hold_id,
    bulkId: r.bulk_id,
    note: r.note,
  };
}

/**
 * The audit trail: one row per SCIM request, per /Bulk operation and per admin mutation. A write
 * that commits a change writes its row in its own transaction, with its outbox events (see
 * EventRecorder and audit-row.ts). Everything else — reads, refused and failed requests, whose
 * transaction rolled back or never began — is written here, right after the response is
 * determined, in grouped INSERTs that commit asynchronously (see `insert`).
 */
export class AuditService {
  /** `lingerMs`: see record (AUDIT_LINGER_MS; tests widen it so that their grouping does not hang on a GC pause). */
  constructor(
    private readonly orm: MikroORM,
    private readonly lingerMs = AUDIT_LINGER_MS,
  ) {}

  private em(): EntityManager {
    return this.orm.em.fork() as EntityManager;
  }

  /** The grouped INSERT's EntityManager: raw statements only, one for the process (see UserService.raw). */
  private readonly raw = this.orm.em.fork() as EntityManager;

  /** Entries waiting for the next grouped INSERT (the audit queue depth metric). */
  queueDepth(): number {
    return this.queue.length;
  }

  /** `due`: when the entry's INSERT must start at the latest (Date.now() ms; 0 for an awaited entry). */
  private queue: { row: Record<string, unknown>; due: number; done: (err?: unknown) => void }[] = [];
  private flushing = false;
  /** The earliest `due` in the queue: when the next INSERT must start (0: at once). */
  private nextDue = Infinity;
  private lingerTimer: NodeJS.Timeout | undefined;
  /** drain() calls in progress: while any, nothing lingers. */
  private draining = 0;

  /**
   * Writes one entry and resolves once it is stored; with only a slug, nothing is written unless
   * that tenant exists. Entries of concurrent requests are grouped: while one INSERT runs, the
   * next entries queue and go together in the following one (group commit), so under load a
   * request shares its INSERT with the others in flight.
   *
   * `when` says whether a caller waits for the entry: `now` (a failed write answered once its entry
   * is stored, an admin mutation) starts its INSERT at once; `soon` (a read answered without
   * waiting, a refusal) may wait up to AUDIT_LINGER_MS for others to share its INSERT.
   */
  record(input: AuditInput, when: 'now' | 'soon' = 'now'): Promise<void> {
    const row = auditRow(input);
    if (!row.tenant_id && !row.tenant_slug) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const due = when === 'now' ? 0 : Date.now() + this.lingerMs;
      this.queue.push({ row, due, done: (err) => (err ? reject(err) : resolve()) });
      this.nextDue = Math.min(this.nextDue, due);
      this.schedule();
    });
  }

  /** Starts the next INSERT now (an awaited entry, a full batch, the linger over, a drain), or arms the linger timer. */
  private schedule(): void {
    if (this.flushing || this.queue.length === 0) return;
    const wait = this.draining > 0 || this.queue.length >= AUDIT_BATCH ? 0 : this.nextDue - Date.now();
    if (wait <= 0) {
      void this.flush();
      return;
    }
    this.lingerTimer ??= setTimeout(() => {
      this.lingerTimer = undefined;
      this.schedule();
    }, wait);
  }

  /** Run first by drain(): they record what they still hold back (the 429 counts of scimAudit). */
  private readonly drainHooks: (() => void)[] = [];

  /** Registers a hook that drain() runs before it waits. */
  onDrain(hook: () => void): void {
    this.drainHooks.push(hook);
  }

  /** Resolves once every entry recorded so far is stored (graceful shutdown, tests). */
  async drain(): Promise<void> {
    for (const hook of this.drainHooks) hook();
    this.draining++;
    try {
      this.schedule();
      while (this.queue.length > 0 || this.flushing) await new Promise((r) => setTimeout(r, 5));
    } finally {
      this.draining--;
    }
  }

  private async flush(): Promise<void> {
    if (this.flushing || this.queue.length === 0) return;
    this.flushing = true;
    clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    const batch = this.queue.splice(0, AUDIT_BATCH);
    this.nextDue = Infinity;
    for (const b of this.queue) this.nextDue = Math.min(this.nextDue, b.due);
    try {
      await this.insert(batch.map((b) => b.row));
      for (const b of batch) b.done();
    } catch (e) {
      // One row must not cost the others theirs: unless the database itself is failing (then each
      // row would fail the same way), the rows go again one by one, and only a bad one is lost.
      if (batch.length === 1 || databaseFault(e)) for (const b of batch) b.done(e);
      else {
        for (const b of batch) {
          try {
            await this.insert([b.row]);
            b.done();
          } catch (one) {
            b.done(one);
          }
        }
      }
    } finally {
      this.flushing = false;
      this.schedule();
    }
  }

  /**
   * One grouped INSERT. These rows record reads, refused requests and failed writes: no change
   * committed with them (a committed write's row is written in its own transaction, see
   * EventRecorder), so this statement's commit does not wait for the WAL flush (synchronous_commit
   * off for this transaction only): a database crash can lose the last fraction of a second of them.
   */
  private async insert(rows: Record<string, unknown>[]): Promise<void> {
    await sqlPrepared(
      this.raw,
      'provisio_audit_insert_v2',
      `insert into audit_entry (${COLUMNS})
       select r.id, t.id, r.time, r.actor_kind, r.connection_id, r.token_id, r.admin_key_id, r.idp, r.method, r.path, r.operation,
              r.filter, r.status, r.scim_type, r.latency_ms, r.request_id, r.resource_ids, r.changed_attributes, r.hold_id, r.bulk_id, r.note
         from jsonb_to_recordset(?::jsonb) as ${AUDIT_RECORDSET}
         join tenant t on t.id = coalesce(r.tenant_id, (select s.id from tenant s where s.slug = r.tenant_slug))
         cross join (select set_config('synchronous_commit', 'off', true)) as async_commit`,
      [JSON.stringify(rows)],
    );
  }

  /** An admin mutation (GraphQL): actor kind admin with its key id. */
  async recordAdmin(
    ctx: RequestContext,
    entry: { operation: string; status: number; errorCode?: string | null; latencyMs: number; resourceIds?: Iterable<string>; changed?: Iterable<string> },
  ): Promise<void> {
    await this.record({
      tenantId: ctx.tenant.id,
      actor: ctx.actor,
      method: 'POST',
      path: '/graphql',
      operation: entry.operation,
      status: entry.status,
      scimType: entry.errorCode ?? null,
      latencyMs: entry.latencyMs,
      requestId: ctx.requestId,
      resourceIds: entry.resourceIds ?? ctx.audit?.resourceIds,
      changed: entry.changed ?? ctx.audit?.changed,
      holdId: ctx.audit?.holdId,
      note: ctx.audit?.note,
    });
  }

  /**
   * Newest first, keyset-paginated on the (time-ordered) id. The window [from, to) also bounds the
   * UUIDv7 id (widened by ID_CLOCK_SLACK_MS), so the (tenant_id, id) index answers it instead of a
   * scan of the tenant's whole trail; the `time` conditions stay the exact ones.
   */
  async query(tenantId: string, q: AuditQuery = {}): Promise<AuditPage> {
    const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
    const { text, params } = auditQuerySql(tenantId, q, limit + 1);
    const rows = await sql<Row>(this.em(), text, params);
    const entries = rows.slice(0, limit).map(fromRow);
    return { entries, next: rows.length > limit ? Buffer.from(entries[entries.length - 1].id).toString('base64url') : null };
  }

  /** How many entries an export of `scope` will stream (for a progress bar). */
  async count(scope: AuditExportScope): Promise<number> {
    const { where, params } = exportWhere(scope);
    const [row] = await sql<{ n: number }>(this.em(), `select count(*)::int as n from audit_entry where ${where.join(' and ')}`, params);
    return row.n;
  }

  /**
   * Every entry of `scope` (one tenant or all; from `since`, before `before`), oldest first, in
   * batches read by keyset on the id (never one huge result, never an open cursor across awaits on
   * the caller's output). The window also bounds the UUIDv7 id, so only the window's partitions are
   * read: `before` alone is the archive of the partitions that retention will drop.
   */
  async *export(scope: AuditExportScope, batchSize = 1000): AsyncGenerator<AuditRecord[]> {
    let after: string | undefined;
    for (;;) {
      const { where, params } = exportWhere(scope);
      if (after) where.push('id > ?::uuid') && params.push(after);
      const rows: Row[] = await sql<Row>(this.em(), `select ${COLUMNS} from audit_entry where ${where.join(' and ')} order by id limit ?`, [...params, batchSize]);
      if (rows.length === 0) return;
      yield rows.map(fromRow);
      if (rows.length < batchSize) return;
      after = rows[rows.length - 1].id;
    }
  }

  /**
   * Retention: drops the daily partitions whose whole day is older than `retentionDays` (a DROP, not
   * millions of DELETEs), and deletes the entries older than that from the default partition (those
   * whose id fell outside every daily partition). 0 keeps everything. Archive first with
   * `provisio audit export --before`.
   */
  async prune(retentionDays: number, now = Date.now()): Promise<{ dropped: string[]; deleted: number }> {
    if (retentionDays <= 0) return { dropped: [], deleted: 0 };
    const cutoff = new Date(now - retentionDays * DAY_MS);
    const em = this.em();
    const dropped = await dropPartitionsBefore(em, 'audit_entry', cutoff);
    const deleted = await sqlRun(em, `delete from ${defaultPartitionName('audit_entry')} where time < ?`, [cutoff]);
    return { dropped, deleted };
  }
}

/** Which entries an export reads: one tenant or every tenant, from `since` (inclusive), before `before`. */
export interface AuditExportScope {
  tenantId?: string;
  since?: Date;
  before?: Date;
}

/** The window's conditions: the exact `time` ones, and the UUIDv7 id bounds (widened by the clock slack) that the indexes and partitions answer. */
export function exportWhere(scope: AuditExportScope): { where: string[]; params: unknown[] } {
  const where: string[] = ['true'];
  const params: unknown[] = [];
  if (scope.tenantId) where.push('tenant_id = ?') && params.push(scope.tenantId);
  if (scope.since) where.push('time >= ?', 'id >= ?::uuid') && params.push(scope.since, uuidv7Bound(scope.since.getTime() - ID_CLOCK_SLACK_MS));
  if (scope.before) where.push('time < ?', 'id < ?::uuid') && params.push(scope.before, uuidv7Bound(scope.before.getTime() + ID_CLOCK_SLACK_MS));
  return { where, params };
}

/** The statement of AuditService.query (exported for the EXPLAIN test): a page of `limit` rows, newest first. */
export function auditQuerySql(tenantId: string, q: AuditQuery, limit: number): { text: string; params: unknown[] } {
  const where = ['tenant_id = ?'];
  const params: unknown[] = [tenantId];
  if (q.from) {
    where.push('time >= ?', 'id >= ?::uuid');
    params.push(q.from, uuidv7Bound(q.from.getTime() - ID_CLOCK_SLACK_MS));
  }
  if (q.to) {
    where.push('time < ?', 'id < ?::uuid');
    params.push(q.to, uuidv7Bound(q.to.getTime() + ID_CLOCK_SLACK_MS));
  }
  if (q.actorKind) where.push('actor_kind = ?') && params.push(q.actorKind);
  if (q.actor) {
    where.push('(connection_id::text = ? or token_id::text = ? or admin_key_id = ?)');
    params.push(q.actor, q.actor, q.actor);
  }
  if (q.resourceId) where.push('resource_ids @> ?::jsonb') && params.push(JSON.stringify([q.resourceId]));
  if (q.operation) where.push('operation = ?') && params.push(q.operation);
  if (q.outcome) where.push(q.outcome === 'success' ? 'status < 400' : 'status >= 400');
  if (q.cursor) {
    const id = Buffer.from(q.cursor, 'base64url').toString('utf8');
    if (!isUuid(id)) throw new InvalidValueError('invalid audit cursor');
    where.push('id < ?') && params.push(id);
  }
  return { text: `select ${COLUMNS} from audit_entry where ${where.join(' and ')} order by id desc limit ?`, params: [...params, limit] };
}
