/**
 * Protocol-neutral domain errors. Each edge maps them once: SCIM to an RFC 7644 §3.12 Error body
 * (status and scimType), GraphQL to extensions.code. The codes mirror RFC 7644 Table 9 where one applies.
 */
export type DomainErrorCode =
  | 'notFound'
  | 'uniqueness'
  | 'invalidValue'
  | 'invalidSyntax'
  | 'invalidFilter'
  | 'invalidPath'
  | 'noTarget'
  | 'mutability'
  | 'tooMany'
  | 'invalidVersion'
  | 'invalidCursor'
  | 'preconditionFailed'
  | 'unauthenticated'
  | 'forbidden'
  | 'unavailable';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  constructor(message = 'Resource not found') {
    super('notFound', message);
  }
}

export class UniquenessError extends DomainError {
  constructor(message: string) {
    super('uniqueness', message);
  }
}

export class InvalidValueError extends DomainError {
  constructor(message: string) {
    super('invalidValue', message);
  }
}

export class InvalidSyntaxError extends DomainError {
  constructor(message: string) {
    super('invalidSyntax', message);
  }
}

export class InvalidFilterError extends DomainError {
  constructor(message: string) {
    super('invalidFilter', message);
  }
}

/** RFC 9865 §2.2: a paging cursor that is malformed, tampered with, or belongs to another query. */
export class InvalidCursorError extends DomainError {
  constructor(message: string) {
    super('invalidCursor', message);
  }
}

export class InvalidPathError extends DomainError {
  constructor(message: string) {
    super('invalidPath', message);
  }
}

export class NoTargetError extends DomainError {
  constructor(message: string) {
    super('noTarget', message);
  }
}

export class MutabilityError extends DomainError {
  constructor(message: string) {
    super('mutability', message);
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(message = 'Authentication required') {
    super('unauthenticated', message);
  }
}

/**
 * A bearer token that is genuine but may not be used now: its connection is disabled or deleted,
 * or its tenant is deleted. Still 401 (RFC 6750 §3.1 invalid_token); `reason` goes to the audit
 * trail, and `actor` says whose token it was, so the refusal is filed under its connection.
 */
export class RefusedTokenError extends UnauthenticatedError {
  constructor(
    message: string,
    readonly reason: 'connection_disabled' | 'connection_deleted' | 'tenant_deleted',
    readonly refused: { tenantId: string; actor: { kind: 'scim'; connectionId: string; tokenId: string; idp: string } },
  ) {
    super(message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'Forbidden') {
    super('forbidden', message);
  }
}

/** The resource changed since the version the client named (RFC 7644 §3.14, RFC 7232 §4.2 412). */
export class PreconditionFailedError extends DomainError {
  constructor(message: string) {
    super('preconditionFailed', message);
  }
}

/**
 * The write could not be completed now, through no fault of the request (e.g. it kept losing to
 * concurrent writes): the client should send it again after `retryAfterSeconds` (RFC 9110 §15.6.4
 * 503, §10.2.3 Retry-After).
 */
export class UnavailableError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds = 1,
  ) {
    super('unavailable', message);
  }
}
