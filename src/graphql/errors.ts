import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { DomainError, DomainErrorCode, RateLimitedError, UnavailableError } from '../domain/errors';
import { asUnavailable } from '../db/faults';

/** Domain error -> GraphQL `extensions.code` (the one mapping of the admin API; SCIM has its own). */
const CODES: Record<DomainErrorCode, string> = {
  notFound: 'NOT_FOUND',
  uniqueness: 'CONFLICT',
  preconditionFailed: 'CONFLICT',
  invalidValue: 'BAD_USER_INPUT',
  invalidSyntax: 'BAD_USER_INPUT',
  invalidFilter: 'BAD_USER_INPUT',
  invalidPath: 'BAD_USER_INPUT',
  noTarget: 'BAD_USER_INPUT',
  mutability: 'BAD_USER_INPUT',
  tooMany: 'BAD_USER_INPUT',
  invalidVersion: 'BAD_USER_INPUT',
  invalidCursor: 'BAD_USER_INPUT',
  unauthenticated: 'UNAUTHENTICATED',
  forbidden: 'FORBIDDEN',
  unavailable: 'SERVICE_UNAVAILABLE',
  rateLimited: 'RATE_LIMITED',
};

/** A GraphQL error with a code the client can act on, raised by the admin API itself (auth, limits). */
export function codedError(message: string, code: string, httpStatus?: number, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra, ...(httpStatus ? { http: { status: httpStatus } } : {}) } });
}

/** True for an error nobody meant to show a client: logged with the request id, answered as a bare INTERNAL_SERVER_ERROR. */
export function isUnexpected(error: unknown): boolean {
  const original = asUnavailable(unwrapResolverError(error));
  if (original instanceof DomainError) return false;
  if (original instanceof GraphQLError) {
    const code = original.extensions?.code;
    // graphql-js's own errors (parse, validation, coercion) are GraphQLErrors without an originalError
    return code === undefined ? original.originalError !== undefined && !(original.originalError instanceof GraphQLError) : code === 'INTERNAL_SERVER_ERROR';
  }
  return true;
}

/**
 * Apollo's formatError: domain errors get their code and message; errors of GraphQL itself
 * (syntax, validation, variables) stay as Apollo coded them; anything else becomes a bare
 * INTERNAL_SERVER_ERROR. Never a stack trace (includeStacktraceInErrorResponses is off too).
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = asUnavailable(unwrapResolverError(error)); // a database fault is SERVICE_UNAVAILABLE, not INTERNAL
  const where = { ...(formatted.locations ? { locations: formatted.locations } : {}), ...(formatted.path ? { path: formatted.path } : {}) };
  if (original instanceof DomainError) {
    const retry = original instanceof UnavailableError || original instanceof RateLimitedError ? { retryAfter: original.retryAfterSeconds } : {};
    return { message: original.message, ...where, extensions: { code: CODES[original.code], reason: original.code, ...retry } };
  }
  if (isUnexpected(error)) return { message: 'Internal server error', ...where, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  const { stacktrace: _drop, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
  return { ...formatted, extensions };
}

/** The extensions.code an error is answered with (what formatError will say), for the audit trail. */
export function errorCode(error: unknown): string {
  const original = asUnavailable(unwrapResolverError(error));
  if (original instanceof DomainError) return CODES[original.code];
  if (original instanceof GraphQLError && typeof original.extensions?.code === 'string') return original.extensions.code;
  return 'INTERNAL_SERVER_ERROR';
}
