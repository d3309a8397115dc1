import type { RequestContext } from '../domain/context';
import { AuditNotes } from '../domain/audit/audit-notes';
import { InvalidPathError, InvalidSyntaxError, InvalidValueError, NotFoundError } from '../domain/errors';
import { BULK_RESPONSE_URN, BulkOperation, BulkRequest } from './bulk-request';
import { planBulk, referencedBulkId, splitCircular, substituteBulkIds } from './bulk-plan';
import { patchAnswersNoContent, type IdpProfile } from './idp-profile';
import { etag } from './meta';
import type { Projection } from './projection';
import type { ResourceEndpoint } from './resource.routes';
import { patchOperations, writeOptions } from './resource.routes';
import { errorBody, ScimErrorBody, ScimHttpError, toScimError } from './scim-error';

/** One entry of a BulkResponse's Operations (RFC 7644 §3.7.3). */
export interface BulkOperationResult {
  method: string;
  bulkId?: string;
  version?: string;
  location?: string;
  status: string;
  response?: ScimErrorBody;
}

export interface BulkResponse {
  schemas: [typeof BULK_RESPONSE_URN];
  Operations: BulkOperationResult[];
}

type AnyEndpoint = ResourceEndpoint<{ id: string; version: number }>;

const METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;
type Method = (typeof METHODS)[number];

/** Bulk results carry no resource bodies, so groups never load their members for one. */
const NO_MEMBERS: Projection = { excluded: ['members'] };

/** What every operation of one bulk request shares. */
interface BulkRun {
  ctx: RequestContext;
  endpoints: AnyEndpoint[];
  baseUrl: string;
  /** bulkId -> id of the resource its POST created */
  created: Map<string, string>;
  onUnexpected: (err: unknown) => void;
  /** the request's IdP profile: a PATCH answers 204 or 200 as it would outside /Bulk */
  idp?: IdpProfile;
  audit?: BulkAudit;
}

/**
 * How /Bulk operations are audited, one entry each (RFC 7644 §3.7, bulkId included): `describe`
 * names an operation as an entry does (method, path, operation); `record` stores the entry of an
 * operation that committed nothing (it failed, or changed nothing). An operation that commits a
 * change has its entry written in its own transaction (see EventRecorder).
 */
export interface BulkAudit {
  describe(method: string, path: string): { path: string; operation: string };
  /** may return the write's promise, for a caller that must wait for it (the CLI, before it closes the database) */
  record(ctx: RequestContext, notes: AuditNotes, status: number, scimType: string | null): void | Promise<void>;
}

/**
 * Runs an RFC 7644 §3.7 bulk request: each operation through the same endpoint calls, hence the
 * same domain service methods, as its single-resource route, so each is one transaction, atomic on
 * its own; the request as a whole is not (§3.7: "not atomic"). Operations run in the order of
 * `planBulk` (a POST before the operations that reference its bulkId); `bulkId:X` in a path or
 * anywhere in data becomes the id X's POST created (§3.7.2). A reference that cannot be resolved —
 * no POST declares it, or that POST failed — fails its operation with 409. Circular references are
 * resolved as §3.7.1 describes (see runCycle). An operation's `version` acts as If-Match (§3.14).
 * Processing stops once `failOnErrors` operations have failed; the response lists the operations
 * that ran, in request order. `onUnexpected` receives errors that are not the client's, answered 500.
 */
export async function runBulk(
  ctx: RequestContext,
  request: BulkRequest,
  endpoints: AnyEndpoint[],
  baseUrl: string,
  onUnexpected: (err: unknown) => void,
  idp?: IdpProfile,
  audit?: BulkAudit,
): Promise<BulkResponse> {
  const plan = planBulk(request.operations);
  const run: BulkRun = { ctx, endpoints, baseUrl, created: new Map(), onUnexpected, idp, audit };
  const results: (BulkOperationResult | undefined)[] = new Array(request.operations.length);
  let errors = 0;
  for (const step of plan.steps) {
    if (request.failOnErrors !== undefined && errors >= request.failOnErrors) break;
    const done = step.circular
      ? await runCycle(run, step.ops.map((i) => request.operations[i]))
      : [await runOperation(run, request.operations[step.ops[0]], plan.references[step.ops[0]] !== undefined)];
    for (const [n, result] of done.entries()) {
      if (Number(result.status) >= 400) errors++;
      results[step.ops[n]] = result;
    }
  }
  return { schemas: [BULK_RESPONSE_URN], Operations: results.filter((r): r is BulkOperationResult => r !== undefined) };
}

/** Where an operation acts: its endpoint, and the resource id unless it is a POST. */
interface Target {
  endpoint: AnyEndpoint;
  id?: string;
}

const headOf = (op: BulkOperation, method: string) => ({ method, ...(op.bulkId !== undefined ? { bulkId: op.bulkId } : {}) });

/** A failed operation's result: its status and an RFC 7644 §3.12 Error as `response` (§3.7.3). */
function failed(run: BulkRun, op: BulkOperation, method: string, location: string | undefined, err: unknown): BulkOperationResult {
  let mapped = toScimError(err);
  if (!mapped) {
    run.onUnexpected(err);
    mapped = { status: 500, body: errorBody(500, 'internal server error') };
  }
  // each failed operation counts in the connection's mapping health, as a single request would
  run.ctx.health?.errors.push({ status: mapped.status, scimType: mapped.body.scimType ?? null, detail: mapped.body.detail ?? '', method: `Bulk ${method}`, path: location ?? String(op.path ?? '') });
  return { ...headOf(op, method), ...(location ? { location } : {}), status: String(mapped.status), response: mapped.body };
}

function succeeded(run: BulkRun, op: BulkOperation, method: string, target: Target, status: number, r?: { id: string; version: number }): BulkOperationResult {
  const id = r?.id ?? target.id;
  return {
    ...headOf(op, method),
    ...(id !== undefined ? { location: `${run.baseUrl}${target.endpoint.rt.endpoint}/${id}` } : {}),
    ...(r ? { version: etag(r.version) } : {}),
    status: String(status),
  };
}

/** `bulkId` -> the id its POST created; 409 when there is none (never declared, or its POST failed). */
function resolver(run: BulkRun): (bulkId: string) => string {
  return (bulkId) => {
    const id = run.created.get(bulkId);
    if (id === undefined) throw new ScimHttpError(409, `bulkId "${bulkId}" cannot be resolved: no POST in this request created it`);
    return id;
  };
}

/**
 * The context of one operation: the request's, with audit notes of its own, so that the operation's
 * transaction writes the operation's entry (bulkId, its own status and path).
 */
function operationContext(run: BulkRun, op: BulkOperation, method: string, status: number): RequestContext {
  if (!run.audit || !run.ctx.audit) return run.ctx;
  const notes = new AuditNotes();
  const { path, operation } = run.audit.describe(method, typeof op.path === 'string' ? op.path : '');
  notes.request = { method, path, operation, status, startedAt: process.hrtime.bigint(), bulkId: typeof op.bulkId === 'string' ? op.bulkId : null };
  return { ...run.ctx, audit: notes };
}

/** Folds an operation's notes into the request's, and records its entry unless its transaction did. */
function audited(run: BulkRun, opCtx: RequestContext, result: BulkOperationResult): BulkOperationResult {
  const notes = opCtx.audit;
  if (!run.audit || !notes || notes === run.ctx.audit) return result;
  for (const id of notes.resourceIds) run.ctx.audit?.touched(id, []);
  for (const name of notes.changed) run.ctx.audit?.changed.add(name);
  if (notes.holdId && run.ctx.audit) run.ctx.audit.holdId = notes.holdId;
  const status = Number(result.status);
  if (status >= 400 || notes.inTransaction === 0) run.audit.record(opCtx, notes, status, result.response?.scimType ?? null);
  return result;
}

const SUCCESS_STATUS: Record<string, number> = { POST: 201, PUT: 200, PATCH: 200, DELETE: 204 };

async function runOperation(run: BulkRun, op: BulkOperation, shallow: boolean): Promise<BulkOperationResult> {
  const method = typeof op.method === 'string' ? op.method.toUpperCase() : String(op.method ?? '');
  const ctx = operationContext(run, op, method, SUCCESS_STATUS[method] ?? 200);
  return audited(run, ctx, await runOperationIn(run, ctx, op, method, shallow));
}

async function runOperationIn(run: BulkRun, ctx: RequestContext, op: BulkOperation, method: string, shallow: boolean): Promise<BulkOperationResult> {
  let location: string | undefined;
  try {
    if (!METHODS.includes(method as Method)) throw new InvalidValueError(`method must be one of ${METHODS.join(', ')}`);
    if (!shallow) throw new InvalidValueError('data is nested too deeply');
    const resolve = resolver(run);
    const target = parsePath(op.path, method as Method, run.endpoints, resolve);
    if (target.id !== undefined) location = `${run.baseUrl}${target.endpoint.rt.endpoint}/${target.id}`;
    const data = substituteBulkIds(op.data, resolve);
    if (op.version !== undefined && op.version !== null && typeof op.version !== 'string') throw new InvalidValueError('version must be an ETag such as W/"3"');
    const options = writeOptions(typeof op.version === 'string' ? op.version : undefined);
    switch (method as Method) {
      case 'POST': {
        if (op.bulkId === undefined) throw new InvalidValueError('bulkId is required for POST (RFC 7644 §3.7)');
        const r = await target.endpoint.create(ctx, requireData(data), NO_MEMBERS);
        run.created.set(op.bulkId, r.id);
        return succeeded(run, op, method, target, 201, r);
      }
      case 'PUT':
        return succeeded(run, op, method, target, 200, await target.endpoint.replace(ctx, target.id!, requireData(data), NO_MEMBERS, options));
      case 'PATCH': {
        const status = patchAnswersNoContent(run.idp, target.endpoint) ? 204 : 200;
        if (ctx.audit?.request) ctx.audit.request.status = status;
        const r = await target.endpoint.patch(ctx, target.id!, patchOperations(requireData(data)), NO_MEMBERS, options);
        return succeeded(run, op, method, target, status, r);
      }
      case 'DELETE':
        await target.endpoint.delete(ctx, target.id!, options);
        return succeeded(run, op, method, target, 204);
    }
  } catch (err) {
    return failed(run, op, method, location, err);
  }
}

/**
 * The POSTs of a reference cycle (RFC 7644 §3.7.1: the service provider "MUST try to resolve
 * circular cross-references between resources in a single bulk job but MAY stop after a failed
 * attempt and instead return HTTP status code 409"). First each is created without the
 * attributes that reference a member of the cycle not created yet (splitCircular); then each is
 * completed with one PATCH of those attributes, now resolvable. A POST whose completion fails (a
 * member of its cycle could not be created: 409) is deleted again, so no resource is left half
 * made, and reports that failure. Each create and each PATCH is one transaction.
 */
async function runCycle(run: BulkRun, ops: BulkOperation[]): Promise<BulkOperationResult[]> {
  const pending = new Set(ops.map((op) => op.bulkId!));
  const resolve = resolver(run);
  const made: ({ target: Target; later: unknown[]; record: { id: string; version: number } } | BulkOperationResult)[] = [];
  const contexts = ops.map((op) => operationContext(run, op, 'POST', 201));
  for (const [n, op] of ops.entries()) {
    try {
      const target = parsePath(op.path, 'POST', run.endpoints, resolve);
      const { initial, later } = splitCircular(requireData(op.data) as Record<string, unknown>, pending);
      const r = await target.endpoint.create(contexts[n], substituteBulkIds(initial, resolve), NO_MEMBERS);
      run.created.set(op.bulkId!, r.id);
      pending.delete(op.bulkId!);
      made.push({ target: { endpoint: target.endpoint, id: r.id }, later, record: r });
    } catch (err) {
      made.push(failed(run, op, 'POST', undefined, err));
    }
  }
  const results: BulkOperationResult[] = [];
  for (const [n, op] of ops.entries()) {
    const step = made[n];
    if ('status' in step) {
      results.push(audited(run, contexts[n], step));
      continue;
    }
    const { endpoint, id } = step.target;
    try {
      // a POST whose cycle partners were all created before it has nothing to complete
      const r = step.later.length > 0 ? await endpoint.patch(contexts[n], id!, substituteBulkIds(step.later, resolve), NO_MEMBERS) : step.record;
      results.push(audited(run, contexts[n], succeeded(run, op, 'POST', step.target, 201, r)));
    } catch (err) {
      run.created.delete(op.bulkId!);
      await endpoint.delete(contexts[n], id!).catch(run.onUnexpected);
      results.push(audited(run, contexts[n], failed(run, op, 'POST', undefined, err)));
    }
  }
  return results;
}

function requireData(data: unknown): unknown {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new InvalidSyntaxError('data must be a JSON object');
  return data;
}

/**
 * An operation's `path` (RFC 7644 §3.7): the endpoint for POST (`/Users`), a resource for the other
 * methods (`/Users/{id}` or `/Groups/bulkId:g1`). Endpoint names match case-insensitively, like the
 * routes; an endpoint this service does not serve is 404.
 */
function parsePath(path: unknown, method: Method, endpoints: AnyEndpoint[], resolve: (bulkId: string) => string): Target {
  if (typeof path !== 'string' || !path.startsWith('/')) throw new InvalidPathError('path must be a resource path such as "/Users" or "/Users/{id}"');
  const segments = path.slice(1).split('/');
  if (segments.length > 2 || segments.some((s) => s === '')) throw new InvalidPathError(`"${path}" is not a resource path`);
  const endpoint = endpoints.find((e) => e.rt.endpoint.toLowerCase() === `/${segments[0].toLowerCase()}`);
  if (!endpoint) throw new NotFoundError(`no resource endpoint "/${segments[0]}"`);
  if (method === 'POST') {
    if (segments.length !== 1) throw new InvalidPathError('POST goes to a resource endpoint such as "/Users", without an id');
    return { endpoint };
  }
  if (segments.length !== 2) throw new InvalidPathError(`${method} needs a resource id in its path, e.g. "${endpoint.rt.endpoint}/{id}"`);
  const bulkId = referencedBulkId(segments[1]);
  return { endpoint, id: bulkId === undefined ? segments[1] : resolve(bulkId) };
}
