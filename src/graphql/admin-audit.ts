import type { MiddlewareFn } from 'type-graphql';
import { AuditNotes } from '../domain/audit/audit-notes';
import { isUuid } from '../domain/ids';
import type { GqlContext } from './context';
import { errorCode } from './errors';

/** HTTP-like status of an answered code, so admin mutations and SCIM requests share the audit trail's outcome columns. */
const STATUS: Record<string, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  SERVICE_UNAVAILABLE: 503, // write conflicts that used up their retries (UnavailableError)
};

/** Ids a mutation names or returns (its `id` argument, the `id` of its result and of the result's direct children). */
function idsOf(args: Record<string, unknown>, result: unknown): string[] {
  const ids = new Set<string>();
  if (typeof args.id === 'string' && isUuid(args.id)) ids.add(args.id);
  if (typeof result === 'string' && isUuid(result)) ids.add(result);
  if (result && typeof result === 'object') {
    const r = result as Record<string, unknown>;
    if (typeof r.id === 'string') ids.add(r.id);
    for (const v of Object.values(r)) {
      if (v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string') ids.add((v as { id: string }).id);
    }
  }
  return [...ids];
}

/** Names of the input fields a mutation set (never their values: a name or slug is data, a token is a secret). */
function inputNames(args: Record<string, unknown>): string[] {
  const input = args.input;
  if (!input || typeof input !== 'object') return [];
  return Object.entries(input as Record<string, unknown>).filter(([, v]) => v !== undefined && v !== null).map(([k]) => k);
}

/**
 * Issue 8 §5, for the admin API: every mutation is recorded in the audit trail, in one place (a
 * type-graphql global middleware) rather than per resolver. Around each Mutation field it gives the
 * services a fresh AuditNotes (through `tenantContext`), times the call, and records the admin key
 * id, the operation (`Admin.<field>`), the outcome (HTTP-like status + extensions.code), latency,
 * request id, the ids touched and the names of changed attributes. Arguments' values, keys and
 * tokens are never written. Mutation fields run one after another (GraphQL spec §6.3.1 "Normal
 * and Serial Execution"), so one slot on the context is enough. A refused mutation is recorded
 * in the tenant it named when the key may see that tenant, else in the key's own tenant for a key
 * limited to one: no key writes into another tenant's trail. An audit write that fails is logged,
 * not turned into a failed mutation (the change has committed).
 */
export const auditMutations: MiddlewareFn<GqlContext> = async ({ context, info, args }, next) => {
  if (info.parentType !== info.schema.getMutationType() || !context.services) return next();
  const started = process.hrtime.bigint();
  const audit: NonNullable<GqlContext['mutationAudit']> = { notes: new AuditNotes() };
  context.mutationAudit = audit;
  let result: unknown;
  let failure: unknown;
  try {
    result = await next();
  } catch (e) {
    failure = e;
  } finally {
    context.mutationAudit = undefined;
  }
  const code = failure === undefined ? null : errorCode(failure);
  const entry = {
    operation: `Admin.${info.fieldName}`,
    status: code === null ? 200 : (STATUS[code] ?? 500),
    errorCode: code,
    latencyMs: Number(process.hrtime.bigint() - started) / 1e6,
    resourceIds: [...new Set([...audit.notes.resourceIds, ...idsOf(args, result)])],
    changed: [...new Set([...audit.notes.changed, ...inputNames(args)])],
  };
  const actor = { kind: 'admin' as const, keyId: context.principal.keyId };
  // the tenant acted on: resolved by tenantContext, else created (createTenant), else as named
  const created = info.fieldName === 'createTenant' && result ? (result as { id: string; slug: string; name: string }) : undefined;
  // a key limited to one tenant that was refused another (or named none that exists) is recorded in its own tenant's trail
  const tenant = audit.tenant ?? created ?? context.principal.tenant ?? undefined;
  const named = typeof args.tenant === 'string' ? args.tenant : undefined;
  try {
    if (tenant) {
      await context.services.audit.recordAdmin({ tenant, actor, requestId: context.requestId, audit: audit.notes }, entry);
    } else if (named) {
      await context.services.audit.record({
        ...(isUuid(named) ? { tenantId: named } : { tenantSlug: named }),
        actor,
        method: 'POST',
        path: '/graphql',
        scimType: entry.errorCode,
        requestId: context.requestId,
        ...entry,
      });
    }
  } catch (e) {
    context.logger.error({ reqId: context.requestId, err: e }, 'admin audit entry not written');
  }
  if (failure !== undefined) throw failure;
  return result;
};
