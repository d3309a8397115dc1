import type { Middleware } from 'koa';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { toScimError, errorBody } from '../scim/scim-error';
import { SCIM_CONTENT_TYPE } from '../scim/media';
import { SCIM_PREFIX } from '../scim/urls';
import { DomainError, RateLimitedError, UnauthenticatedError, UnavailableError } from '../domain/errors';
import { asUnavailable } from '../db/faults';
import { errorCode as graphqlCode } from '../graphql/errors';

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Outermost middleware: a request id (the caller's X-Request-Id when sane, else a new UUID) echoed in
 * the response, one structured log line per request, and the single error mapper. Under /scim every
 * error is an RFC 7644 §3.12 body, elsewhere JSON `{ error: <domain code>, message }` (503s and 429s carry
 * Retry-After in both, RFC 9110 §10.2.3); an unexpected error is logged with the request id and answered
 * as a bare 500 that leaks nothing.
 */
export function requestContext(logger: Logger): Middleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    const incoming = ctx.get('x-request-id');
    const requestId = REQUEST_ID_RE.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    let failure: unknown;
    try {
      await next();
      if (ctx.status === 404 && ctx.body == null) notFound(ctx);
    } catch (err) {
      failure = err;
      respondWithError(ctx, err);
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    // the authenticated SCIM tenant and connection, so an operator can follow one IdP's traffic
    const scim = ctx.state.scim as { tenant?: { slug?: string }; actor?: { connectionId?: string } } | undefined;
    const line = {
      reqId: requestId,
      method: ctx.method,
      path: ctx.path,
      status: ctx.status,
      ms: Math.round(ms * 10) / 10,
      ...(scim?.tenant?.slug ? { tenant: scim.tenant.slug } : {}),
      ...(scim?.actor?.connectionId ? { connectionId: scim.actor.connectionId } : {}),
    };
    if (ctx.status >= 500) logger.error({ ...line, err: failure }, 'request failed');
    else logger.info(line, 'request');
  };
}

function isScim(path: string): boolean {
  return path.toLowerCase().startsWith(SCIM_PREFIX + '/');
}

function notFound(ctx: Parameters<Middleware>[0]): void {
  const detail = `no route for ${ctx.method} ${ctx.path}`;
  if (isScim(ctx.path)) {
    ctx.status = 404;
    ctx.type = SCIM_CONTENT_TYPE;
    ctx.body = errorBody(404, detail);
  } else {
    ctx.status = 404;
    ctx.body = { error: 'notFound', message: detail };
  }
}

/** The status and scimType an error will be answered with (the audit trail records them before the answer is written). */
export function errorOutcome(err: unknown): { status: number; scimType?: string } {
  const mapped = toScimError(err);
  // Koa's own HTTP errors (e.g. from ctx.throw) carry an expose-able status below 500.
  const httpish = err as { status?: number; expose?: boolean };
  return { status: mapped?.status ?? (httpish.expose && httpish.status && httpish.status < 500 ? httpish.status : 500), scimType: mapped?.body.scimType };
}

function respondWithError(ctx: Parameters<Middleware>[0], error: unknown): void {
  const err = asUnavailable(error);
  const mapped = toScimError(err);
  const httpish = err as { message?: string };
  const { status } = errorOutcome(err);
  const detail = mapped?.body.detail ?? (status < 500 ? httpish.message ?? 'bad request' : 'internal server error');
  ctx.status = status;
  if (err instanceof UnavailableError || err instanceof RateLimitedError) ctx.set('Retry-After', String(err.retryAfterSeconds));
  if (isScim(ctx.path)) {
    ctx.type = SCIM_CONTENT_TYPE;
    ctx.body = mapped?.body ?? errorBody(status, detail);
  } else if (ctx.path === '/graphql' && err instanceof DomainError) {
    // refused before Apollo runs (a body that is not UTF-8 JSON, bad bytes): still a GraphQL answer
    ctx.body = { errors: [{ message: detail, extensions: { code: graphqlCode(err) } }] };
  } else {
    // outside SCIM (GET /events, …): `{ error: <domain code>, message }`, the same codes GraphQL reports
    if (err instanceof UnauthenticatedError) ctx.set('WWW-Authenticate', 'Bearer realm="provisio-admin"');
    ctx.body = { error: err instanceof DomainError ? err.code : status < 500 ? 'badRequest' : 'internal', message: detail };
  }
}
