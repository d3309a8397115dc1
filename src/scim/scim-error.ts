import { DomainError, DomainErrorCode } from '../domain/errors';
import { URN } from '../domain/schema/core-schemas';
import { asUnavailable } from '../db/faults';

/** RFC 7644 §3.12 error response body. `status` is a string, as the RFC's JSON examples show. */
export interface ScimErrorBody {
  schemas: [typeof URN.error];
  status: string;
  scimType?: string;
  detail?: string;
}

/** An error that already knows its HTTP status and RFC 7644 Table 9 scimType. */
export class ScimHttpError extends Error {
  constructor(
    readonly status: number,
    detail: string,
    readonly scimType?: string,
  ) {
    super(detail);
  }
}

/** Domain error code -> HTTP status and scimType (RFC 7644 §3.12 Table 9; invalidCursor from RFC 9865). */
const MAPPING: Record<DomainErrorCode, { status: number; scimType?: string }> = {
  notFound: { status: 404 },
  uniqueness: { status: 409, scimType: 'uniqueness' },
  invalidValue: { status: 400, scimType: 'invalidValue' },
  invalidSyntax: { status: 400, scimType: 'invalidSyntax' },
  invalidFilter: { status: 400, scimType: 'invalidFilter' },
  invalidPath: { status: 400, scimType: 'invalidPath' },
  noTarget: { status: 400, scimType: 'noTarget' },
  mutability: { status: 400, scimType: 'mutability' },
  tooMany: { status: 400, scimType: 'tooMany' },
  invalidVersion: { status: 400, scimType: 'invalidVers' },
  invalidCursor: { status: 400, scimType: 'invalidCursor' },
  preconditionFailed: { status: 412 },
  unauthenticated: { status: 401 },
  forbidden: { status: 403 },
  unavailable: { status: 503 },
  rateLimited: { status: 429 },
};

export function errorBody(status: number, detail: string, scimType?: string): ScimErrorBody {
  return { schemas: [URN.error], status: String(status), ...(scimType ? { scimType } : {}), detail };
}

/** Maps any error to a SCIM error; `undefined` for an unexpected error, which the caller logs as a 500. */
export function toScimError(error: unknown): { status: number; body: ScimErrorBody } | undefined {
  const err = asUnavailable(error); // a database fault is a 503, not an unexpected error
  if (err instanceof ScimHttpError) return { status: err.status, body: errorBody(err.status, err.message, err.scimType) };
  if (err instanceof DomainError) {
    const { status, scimType } = MAPPING[err.code];
    return { status, body: errorBody(status, err.message, scimType) };
  }
  return undefined;
}
