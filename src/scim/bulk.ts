import type { RequestContext } from '../domain/context';
import { InvalidPathError, InvalidSyntaxError, InvalidValueError, NotFoundError } from '../domain/errors';
import { BULK_RESPONSE_URN, BulkOperation, BulkRequest } from './bulk-request';
import { planBulk, referencedBulkId, substituteBulkIds } from './bulk-plan';
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

/**
 * Runs an RFC 7644 §3.7 bulk request: each operation through the same endpoint calls, hence the
 * same domain service methods, as its single-resource route, so each is one transaction, atomic on
 * its own; the request as a whole is not (§3.7: "not atomic"). Operations run in the order of
 * `planBulk` (a POST before the operations that reference its bulkId); `bulkId:X` in a path or
 * anywhere in data becomes the id X's POST created (§3.7.2). A reference that cannot be resolved —
 * no POST declares it, or that POST failed — fails its operation with 409; so do the operations of
 * a reference cycle (§3.7.1: the service provider "MAY stop after a failed attempt and instead
 * return HTTP status code 409"). An operation's `version` acts as If-Match (§3.14). Processing
 * stops once `failOnErrors` operations have failed; the response lists the operations that ran,
 * in request order. `onUnexpected` receives errors that are not the client's, answered 500.
 */
export async function runBulk(
  ctx: RequestContext,
  request: BulkRequest,
  endpoints: AnyEndpoint[],
  baseUrl: string,
  onUnexpected: (err: unknown) => void,
): Promise<BulkResponse> {
  const plan = planBulk(request.operations);
  const created = new Map<string, string>();
  const results: (BulkOperationResult | undefined)[] = new Array(request.operations.length);
  let errors = 0;
  for (const i of plan.order) {
    if (request.failOnErrors !== undefined && errors >= request.failOnErrors) break;
    const op = request.operations[i];
    const result = await runOperation(ctx, op, plan.circular.has(i), plan.references[i] !== undefined, created, endpoints, baseUrl, onUnexpected);
    if (Number(result.status) >= 400) errors++;
    results[i] = result;
  }
  return { schemas: [BULK_RESPONSE_URN], Operations: results.filter((r): r is BulkOperationResult => r !== undefined) };
}

/** Where an operation acts: its endpoint, and the resource id unless it is a POST. */
interface Target {
  endpoint: AnyEndpoint;
  id?: string;
}

async function runOperation(
  ctx: RequestContext,
  op: BulkOperation,
  circular: boolean,
  shallow: boolean,
  created: Map<string, string>,
  endpoints: AnyEndpoint[],
  baseUrl: string,
  onUnexpected: (err: unknown) => void,
): Promise<BulkOperationResult> {
  const method = typeof op.method === 'string' ? op.method.toUpperCase() : String(op.method ?? '');
  const head = { method, ...(op.bulkId !== undefined ? { bulkId: op.bulkId } : {}) };
  let location: string | undefined;
  try {
    if (!METHODS.includes(method as Method)) throw new InvalidValueError(`method must be one of ${METHODS.join(', ')}`);
    if (!shallow) throw new InvalidValueError('data is nested too deeply');
    if (circular) throw new ScimHttpError(409, 'the operation is part of a circular bulkId reference, which this service does not resolve');
    const resolve = (bulkId: string): string => {
      const id = created.get(bulkId);
      if (id === undefined) throw new ScimHttpError(409, `bulkId "${bulkId}" cannot be resolved: no POST in this request created it`);
      return id;
    };
    const target = parsePath(op.path, method as Method, endpoints, resolve);
    const endpointUrl = `${baseUrl}${target.endpoint.rt.endpoint}`;
    if (target.id !== undefined) location = `${endpointUrl}/${target.id}`;
    const data = substituteBulkIds(op.data, resolve);
    const options = writeOptions(typeof op.version === 'string' ? op.version : undefined);
    const ok = (status: number, r?: { id: string; version: number }): BulkOperationResult => ({
      ...head,
      location: r ? `${endpointUrl}/${r.id}` : location,
      ...(r ? { version: etag(r.version) } : {}),
      status: String(status),
    });
    switch (method as Method) {
      case 'POST': {
        if (op.bulkId === undefined) throw new InvalidValueError('bulkId is required for POST (RFC 7644 §3.7)');
        const r = await target.endpoint.create(ctx, requireData(data), NO_MEMBERS);
        created.set(op.bulkId, r.id);
        return ok(201, r);
      }
      case 'PUT':
        return ok(200, await target.endpoint.replace(ctx, target.id!, requireData(data), NO_MEMBERS, options));
      case 'PATCH':
        return ok(target.endpoint.patchNoContent ? 204 : 200, await target.endpoint.patch(ctx, target.id!, patchOperations(requireData(data)), NO_MEMBERS, options));
      case 'DELETE':
        await target.endpoint.delete(ctx, target.id!, options);
        return ok(204);
    }
  } catch (err) {
    let mapped = toScimError(err);
    if (!mapped) {
      onUnexpected(err);
      mapped = { status: 500, body: errorBody(500, 'internal server error') };
    }
    return { ...head, ...(location ? { location } : {}), status: String(mapped.status), response: mapped.body };
  }
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
