import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { RateLimitedError, UnauthenticatedError, UnavailableError } from '../domain/errors';
import { asUnavailable } from '../db/faults';
import { adminBearer } from '../http/admin-bearer';
import { AdminKeyLimiter, adminKeyLimits } from '../http/limits';
import { readJson } from '../scim/media';
import type { Services } from '../services';
import { createContext, GqlContext } from './context';
import { codedError, formatError, isUnexpected } from './errors';
import { DEFAULT_LIMITS, QueryLimits, queryLimitsPlugin } from './limits';
import { adminSchema } from './schema';
import { PUBLIC_FIELDS } from './resolvers/console.resolver';
import type { AdminPrincipal } from '../domain/admin/admin-principal';

/**
 * A request without an Authorization header: it may only use the public setup page's root fields
 * (checked once the operation is parsed). Read-only and limited to a tenant that cannot exist, so
 * that even a field let through by mistake would be refused by the usual tenant checks.
 */
const ANONYMOUS: AdminPrincipal = { keyId: 'anonymous', role: 'auditor', tenant: { id: '00000000-0000-0000-0000-000000000000', slug: '', name: '' } };

/** Where a browser that opens /graphql is sent: the console's offline explorer. */
export const EXPLORER_PATH = '/admin/explorer';

export const GRAPHQL_PATH = '/graphql';

/** `Authorization: Bearer <admin key>` (RFC 6750 §2.1) to a principal; anything else is UNAUTHENTICATED (401). */
async function authenticate(services: Services, header: string): Promise<AdminPrincipal> {
  if (!header) return ANONYMOUS;
  try {
    return await adminBearer(services, header);
  } catch (e) {
    if (e instanceof UnauthenticatedError) throw codedError(e.message, 'UNAUTHENTICATED', 401);
    const fault = asUnavailable(e); // the key could not be checked: the database is down or frozen
    if (fault instanceof UnavailableError) throw codedError(fault.message, 'SERVICE_UNAVAILABLE', 503, { retryAfter: fault.retryAfterSeconds });
    throw e;
  }
}

/**
 * The GraphQL admin API at /graphql on the app's Koa instance (mounted through buildApp's
 * extraRouters): Apollo Server 5, admin-key auth (none only for the public setup-link fields), a browser's
 * GET sent to the console's bundled explorer (no CDN landing page),
 * depth and cost limits, a rate limit and concurrency gate per admin key, domain errors mapped to extensions.code.
 */
export async function graphqlRouter(deps: { services: Services; config: Config; logger: Logger; limits?: QueryLimits; perKey?: AdminKeyLimiter }): Promise<Router> {
  // ESM-only package (only an `import` condition): a dynamic import works from CommonJS
  const { koaMiddleware } = await import('@as-integrations/koa');
  const limits: QueryLimits = { ...DEFAULT_LIMITS, timeBudgetMs: deps.config.graphqlTimeBudgetMs ?? DEFAULT_LIMITS.timeBudgetMs, ...deps.limits };
  const server = new ApolloServer<GqlContext>({
    schema: adminSchema(),
    introspection: true,
    includeStacktraceInErrorResponses: false,
    formatError,
    ...(limits.maxTokens !== undefined ? { parseOptions: { maxTokens: limits.maxTokens } } : {}),
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      queryLimitsPlugin(limits),
      {
        async requestDidStart() {
          return {
            async didResolveOperation({ contextValue, operation }) {
              if (contextValue.principal !== ANONYMOUS || !operation) return;
              const fields = operation.selectionSet.selections.map((s) => (s.kind === 'Field' ? s.name.value : '…'));
              if (fields.some((f) => !PUBLIC_FIELDS.has(f) && f !== '__typename')) throw codedError('an admin key is required (Authorization: Bearer <key>)', 'UNAUTHENTICATED', 401);
            },
            async didEncounterErrors({ errors, contextValue }) {
              for (const err of errors) {
                if (isUnexpected(err)) deps.logger.error({ reqId: contextValue.requestId, err: err.originalError ?? err }, 'GraphQL request failed');
              }
            },
          };
        },
      },
    ],
  });
  await server.start();
  const perKey = deps.perKey ?? adminKeyLimits(deps.config.limits);
  const middleware = koaMiddleware(server as never, {
    context: async ({ ctx }: { ctx: Context }) => {
      const principal = await authenticate(deps.services, ctx.get('authorization')).catch((e: unknown) => {
        const retryAfter = (e as { extensions?: { retryAfter?: number } }).extensions?.retryAfter;
        if (retryAfter) ctx.set('Retry-After', String(retryAfter));
        throw e;
      });
      // fair sharing per admin key (anonymous requests: per client address), as the SCIM side per
      // tenant: over the key's rate, or its queue full or waited out, 429 with Retry-After (RFC 6585 §4)
      // The slot is given back when the answer is done or the client goes away ('close'). The listener
      // is in place before the request queues for its slot: a client that leaves while it waits (the
      // console aborts the queries of a page it leaves) must not hold the slot once admitted, forever.
      let closed = false;
      let release: (() => void) | undefined;
      ctx.res.once('close', () => {
        closed = true;
        release?.();
      });
      release = await perKey.enter(principal === ANONYMOUS ? `anonymous ${ctx.ip}` : principal.keyId).catch((e: unknown) => {
        if (!(e instanceof RateLimitedError)) throw e;
        ctx.set('Retry-After', String(e.retryAfterSeconds));
        throw codedError(e.message, 'RATE_LIMITED', 429, { retryAfter: e.retryAfterSeconds });
      });
      if (closed) {
        release();
        throw codedError('the client closed the connection while the request waited for its turn', 'CLIENT_CLOSED_REQUEST', 499);
      }
      const context = createContext(deps, ctx.state.requestId as string, principal, () => closed);
      if (limits.timeBudgetMs !== undefined) Object.assign(context, { deadline: Date.now() + limits.timeBudgetMs, budgetMs: limits.timeBudgetMs });
      context.leaveGate = release;
      return context;
    },
  });
  const router = new Router();
  router.all(GRAPHQL_PATH, async (ctx, next) => {
    if (ctx.method === 'GET' && !ctx.querystring && ctx.accepts('text/html', 'application/json') === 'text/html') return ctx.redirect(EXPLORER_PATH);
    // the Koa integration expects a parsed body (what @koa/bodyparser would set)
    if (ctx.method === 'POST') (ctx.request as { body?: unknown }).body = await readJson(ctx, deps.config.maxBodyBytes);
    await next();
  }, middleware as never);
  return router;
}
