import { InvalidSyntaxError } from '../domain/errors';
import { ScimHttpError } from './scim-error';

export const BULK_REQUEST_URN = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const BULK_RESPONSE_URN = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';

/** One operation of a BulkRequest (RFC 7644 §3.7), as sent; each is validated when it runs. */
export interface BulkOperation {
  /** position in the request: results are reported in request order */
  index: number;
  method: unknown;
  bulkId?: string;
  version?: unknown;
  path: unknown;
  data: unknown;
}

export interface BulkRequest {
  /** RFC 7644 §3.7: stop once this many operations have failed; undefined runs them all. */
  failOnErrors?: number;
  operations: BulkOperation[];
}

/** A member of a JSON object by case-insensitive name (RFC 7643 §2.1: attribute names are case-insensitive). */
function member(obj: Record<string, unknown>, name: string): unknown {
  const lower = name.toLowerCase();
  const key = Object.keys(obj).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : obj[key];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parses an RFC 7644 §3.7 BulkRequest. What makes the whole request meaningless is a 400
 * invalidSyntax: not an object, a `schemas` without the BulkRequest URN, no Operations array, a
 * failOnErrors that is not a positive integer, an operation that is not an object, a bulkId that is
 * not a non-empty string, or the same bulkId on two POSTs (§3.7.2: unique within the request, so
 * references to it would be ambiguous). More than `maxOperations` operations -> 413 (§3.7.4, the
 * limit named in the detail). A single operation's own mistakes (method, path, data) fail only
 * that operation, when it runs.
 */
export function parseBulkRequest(body: unknown, maxOperations: number): BulkRequest {
  if (!isObject(body)) throw new InvalidSyntaxError('a BulkRequest must be a JSON object');
  const schemas = member(body, 'schemas');
  if (schemas !== undefined && !(Array.isArray(schemas) && schemas.some((s) => typeof s === 'string' && s.toLowerCase() === BULK_REQUEST_URN.toLowerCase()))) {
    throw new InvalidSyntaxError(`a BulkRequest's schemas must include "${BULK_REQUEST_URN}"`);
  }
  const list = member(body, 'Operations');
  if (!Array.isArray(list)) throw new InvalidSyntaxError('a BulkRequest needs an "Operations" array');
  if (list.length > maxOperations) {
    throw new ScimHttpError(413, `the bulk request has ${list.length} operations, more than maxOperations (${maxOperations})`);
  }
  const failOnErrors = member(body, 'failOnErrors');
  if (failOnErrors !== undefined && failOnErrors !== null && !(Number.isInteger(failOnErrors) && (failOnErrors as number) >= 1)) {
    throw new InvalidSyntaxError('failOnErrors must be a positive integer');
  }
  const posted = new Set<string>();
  const operations = list.map((op, index): BulkOperation => {
    if (!isObject(op)) throw new InvalidSyntaxError(`Operations[${index}] is not an object`);
    const method = member(op, 'method');
    const bulkId = member(op, 'bulkId');
    if (bulkId !== undefined && bulkId !== null && (typeof bulkId !== 'string' || bulkId === '')) {
      throw new InvalidSyntaxError(`Operations[${index}].bulkId must be a non-empty string`);
    }
    if (typeof bulkId === 'string' && typeof method === 'string' && method.toUpperCase() === 'POST') {
      if (posted.has(bulkId)) throw new InvalidSyntaxError(`bulkId "${bulkId}" is used by more than one POST`);
      posted.add(bulkId);
    }
    return { index, method, bulkId: typeof bulkId === 'string' ? bulkId : undefined, version: member(op, 'version'), path: member(op, 'path'), data: member(op, 'data') };
  });
  return { failOnErrors: typeof failOnErrors === 'number' ? failOnErrors : undefined, operations };
}
