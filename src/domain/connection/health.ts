import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, sqlPrepared } from '../../db/sql';
import type { Actor, TenantRef } from '../context';
import { InvalidValueError } from '../errors';
import { newId, uuidv7Bound } from '../ids';
import { URN } from '../schema/core-schemas';
import { isPlainObject, type Document } from '../schema/normalize';
import { unparsablePhones } from '../user/phone';

/**
 * Mapping health of a SCIM connection, from its live traffic: the troubleshooting checklist of the
 * Entra and Okta setup guides as data. The services note what they see while they serve a request
 * (HealthNotes); the SCIM edge hands the notes and the request's error, if any, to HealthService,
 * which stores them as mapping_observation rows without holding up the answer, and reports them
 * over a recent window (docs/idp-profiles.md#mapping-health).
 */

/** The attributes Entra's SCIM guide marks mandatory for a user, as reported. */
export const MANDATORY_USER_ATTRIBUTES = ['emails[type eq "work"]', 'name.givenName', 'name.familyName', 'externalId'] as const;

/** One user as it arrived (after the write): what its mapping lacked or carried in vain. */
export interface UserObservation {
  user: string;
  /** mandatory attributes it lacks (MANDATORY_USER_ATTRIBUTES) */
  missing: string[];
  unparsablePhones: number;
  /** attributes of the request that no schema of the tenant defines, ignored */
  unknownAttributes: string[];
  /** the enterprise manager names no user of the tenant (accepted as sent, lenient clients only) */
  unknownManager: boolean;
}

/** One group as written: the attributes of its request no schema of the tenant defines, ignored. */
export interface GroupObservation {
  group: string;
  unknownAttributes: string[];
}

/** What the services saw of one request, for the connection's mapping health. */
export class HealthNotes {
  readonly users: UserObservation[] = [];
  readonly groups: GroupObservation[] = [];
  /** unknown attribute names met by the normaliser or the PATCH engine in the current write */
  readonly unknown = new Set<string>();
  unknownManager = false;
  /** failed operations inside the request (a /Bulk request's), noted by the edge */
  readonly errors: RequestError[] = [];

  /** Records a user written by this request, with the unknown names and manager noted so far; resets them. */
  user(id: string, doc: Document, region: string | null): void {
    this.users.push({
      user: id,
      missing: missingMandatory(doc),
      unparsablePhones: unparsablePhones(doc, region),
      unknownAttributes: [...this.unknown].slice(0, 50),
      unknownManager: this.unknownManager,
    });
    this.unknown.clear();
    this.unknownManager = false;
  }

  /** Records a group written by this request, with the unknown names noted so far; resets them. */
  group(id: string): void {
    this.groups.push({ group: id, unknownAttributes: [...this.unknown].slice(0, 50) });
    this.unknown.clear();
  }
}

const text = (v: unknown): boolean => typeof v === 'string' && v.trim() !== '';

/** The Entra-mandatory attributes a user document lacks (a work email, givenName, familyName, externalId). */
export function missingMandatory(doc: Document): string[] {
  const emails = Array.isArray(doc.emails) ? doc.emails.filter(isPlainObject) : [];
  const name = isPlainObject(doc.name) ? doc.name : {};
  const missing: string[] = [];
  if (!emails.some((e) => typeof e.type === 'string' && e.type.toLowerCase() === 'work' && text(e.value))) missing.push(MANDATORY_USER_ATTRIBUTES[0]);
  if (!text(name.givenName)) missing.push(MANDATORY_USER_ATTRIBUTES[1]);
  if (!text(name.familyName)) missing.push(MANDATORY_USER_ATTRIBUTES[2]);
  if (!text(doc.externalId)) missing.push(MANDATORY_USER_ATTRIBUTES[3]);
  return missing;
}

/** The enterprise manager id of a user document (RFC 7643 §4.3 manager.value), if any. */
export function managerOf(doc: Document): string | undefined {
  const ext = doc[URN.enterpriseUser];
  const manager = isPlainObject(ext) ? ext.manager : undefined;
  return isPlainObject(manager) && typeof manager.value === 'string' ? manager.value : undefined;
}

/** A refused request, as the health report lists it. */
export interface RequestError {
  status: number;
  scimType: string | null;
  detail: string;
  method: string;
  path: string;
}

export interface HealthReport {
  connectionId: string;
  from: Date;
  to: Date;
  /** user writes (create, replace, patch) and the distinct users they wrote */
  userWrites: number;
  /** group writes (create, replace, patch) */
  groupWrites: number;
  users: number;
  /** users lacking at least one mandatory attribute, and per attribute */
  usersMissingMandatory: number;
  missing: { attribute: string; users: number }[];
  unparsablePhones: number;
  usersWithUnparsablePhones: number;
  /** unknown attributes ignored, most frequent first, with how many user and group writes carried each */
  unknownAttributes: { attribute: string; count: number }[];
  /** writes whose enterprise manager named no user of the tenant (accepted as sent) */
  unknownManagers: number;
  /** refused requests in the window */
  errors: number;
  /** the last 10 distinct errors (status, scimType, detail), newest first */
  recentErrors: (RequestError & { count: number; lastSeen: Date })[];
}

/** Observations older than this are deleted: the longest window a report may ask for, plus a day. */
export const MAX_WINDOW_HOURS = 7 * 24;
const RETENTION_MS = (MAX_WINDOW_HOURS + 24) * 3_600_000;
const PRUNE_EVERY_MS = 10 * 60_000;

interface Row {
  id: string;
  tenant_id: string;
  connection_id: string;
  time: Date;
  kind: 'user' | 'group' | 'error';
  data: Record<string, unknown>;
}

/**
 * Stores and reports mapping health. Recording is off the request path: observations queue and
 * go to the database in grouped INSERTs committed asynchronously (as audit entries are); a crash
 * can lose the last instants of health data, which is telemetry, never a change.
 */
export class HealthService {
  private queue: Row[] = [];
  private flushing = false;
  private lastPrune = 0;

  constructor(private readonly orm: MikroORM) {}

  private em(): EntityManager {
    return this.orm.em.fork() as EntityManager;
  }

  /** Queues what one SCIM request showed; only requests of a SCIM connection count. */
  observe(scope: { tenant: TenantRef; actor: Actor }, notes: HealthNotes | undefined, error?: RequestError): void {
    if (scope.actor.kind !== 'scim') return;
    const base = { tenant_id: scope.tenant.id, connection_id: scope.actor.connectionId, time: new Date() };
    for (const u of notes?.users ?? []) this.queue.push({ ...base, id: newId(), kind: 'user', data: { ...u } });
    for (const g of notes?.groups ?? []) this.queue.push({ ...base, id: newId(), kind: 'group', data: { ...g } });
    for (const e of [...(notes?.errors ?? []), ...(error ? [error] : [])]) {
      this.queue.push({ ...base, id: newId(), kind: 'error', data: { ...e, detail: e.detail.slice(0, 1000), path: e.path.slice(0, 512) } });
    }
    if (this.queue.length > 0) void this.flush();
  }

  /** Resolves once every queued observation is stored (tests, graceful shutdown). */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.flushing) await new Promise((r) => setTimeout(r, 5));
  }

  private async flush(): Promise<void> {
    if (this.flushing || this.queue.length === 0) return;
    this.flushing = true;
    const batch = this.queue.splice(0, 500);
    try {
      await sqlPrepared(
        this.em(),
        'provisio_health_insert',
        `insert into mapping_observation (id, tenant_id, connection_id, time, kind, data)
         select r.id, r.tenant_id, r.connection_id, r.time, r.kind, r.data
           from jsonb_to_recordset(?::jsonb) as r(id uuid, tenant_id uuid, connection_id uuid, time timestamptz, kind text, data jsonb)
           join scim_connection c on c.id = r.connection_id
           cross join (select set_config('synchronous_commit', 'off', true)) as async_commit`,
        [JSON.stringify(batch)],
      );
      if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
        this.lastPrune = Date.now();
        await sql(this.em(), 'delete from mapping_observation where id < ?::uuid', [uuidv7Bound(Date.now() - RETENTION_MS)]);
      }
    } catch {
      // health is telemetry: a failed write loses these observations, never a request
    } finally {
      this.flushing = false;
      if (this.queue.length > 0) void this.flush();
    }
  }

  /**
   * The mapping health of a tenant's connection over the last `hours` (1 to 168, default 24):
   * users without Entra's mandatory attributes, unparsable phone numbers, unknown attributes
   * ignored, managers naming no user, and the last 10 distinct errors with their detail.
   */
  async report(tenantId: string, connectionId: string, hours = 24): Promise<HealthReport> {
    if (!Number.isInteger(hours) || hours < 1 || hours > MAX_WINDOW_HOURS) throw new InvalidValueError(`the health window must be 1 to ${MAX_WINDOW_HOURS} hours`);
    const to = new Date();
    const from = new Date(to.getTime() - hours * 3_600_000);
    const em = this.em();
    const scope = `from mapping_observation o where o.connection_id = ? and o.tenant_id = ? and o.id >= ?::uuid and o.time >= ?`;
    const params = [connectionId, tenantId, uuidv7Bound(from.getTime() - 60_000), from];
    const [users] = await sql<Record<string, number>>(
      em,
      `select count(*)::int as writes, count(distinct o.data->>'user')::int as users,
              count(distinct o.data->>'user') filter (where jsonb_array_length(o.data->'missing') > 0)::int as incomplete,
              coalesce(sum((o.data->>'unparsablePhones')::int), 0)::int as phones,
              count(distinct o.data->>'user') filter (where (o.data->>'unparsablePhones')::int > 0)::int as phone_users,
              count(*) filter (where (o.data->>'unknownManager')::boolean)::int as managers
         ${scope} and o.kind = 'user'`,
      params,
    );
    const missing = await sql<{ attribute: string; users: number }>(
      em,
      `select m.value as attribute, count(distinct o.data->>'user')::int as users
         from mapping_observation o cross join lateral jsonb_array_elements_text(o.data->'missing') as m(value)
        where o.connection_id = ? and o.tenant_id = ? and o.id >= ?::uuid and o.time >= ? and o.kind = 'user'
        group by m.value order by users desc, attribute`,
      params,
    );
    const unknown = await sql<{ attribute: string; count: number }>(
      em,
      `select a.value as attribute, count(*)::int as count
         from mapping_observation o cross join lateral jsonb_array_elements_text(o.data->'unknownAttributes') as a(value)
        where o.connection_id = ? and o.tenant_id = ? and o.id >= ?::uuid and o.time >= ? and o.kind in ('user', 'group')
        group by a.value order by count desc, attribute limit 50`,
      params,
    );
    const [counts] = await sql<{ errors: number; groups: number }>(
      em,
      `select count(*) filter (where o.kind = 'error')::int as errors, count(*) filter (where o.kind = 'group')::int as groups ${scope} and o.kind in ('error', 'group')`,
      params,
    );
    const recent = await sql<{ status: number; scim_type: string | null; detail: string; count: number; last_seen: string; method: string; path: string }>(
      em,
      `select (o.data->>'status')::int as status, o.data->>'scimType' as scim_type, o.data->>'detail' as detail, count(*)::int as count,
              max(o.time) as last_seen, (array_agg(o.data->>'method' order by o.id desc))[1] as method,
              (array_agg(o.data->>'path' order by o.id desc))[1] as path
         ${scope} and o.kind = 'error'
        group by 1, 2, 3 order by max(o.time) desc, max(o.id::text) desc limit 10`,
      params,
    );
    return {
      connectionId,
      from,
      to,
      userWrites: users.writes,
      groupWrites: counts.groups,
      users: users.users,
      usersMissingMandatory: users.incomplete,
      missing,
      unparsablePhones: users.phones,
      usersWithUnparsablePhones: users.phone_users,
      unknownAttributes: unknown,
      unknownManagers: users.managers,
      errors: counts.errors,
      recentErrors: recent.map((r) => ({
        status: r.status,
        scimType: r.scim_type,
        detail: r.detail,
        count: r.count,
        lastSeen: new Date(r.last_seen),
        method: r.method,
        path: r.path,
      })),
    };
  }
}
