import type { Middleware } from 'koa';
import type { IdpKind } from '../domain/connection/scim-connection.entity';
import { LENIENT, Leniency, STRICT } from '../domain/schema/leniency';

/**
 * An IdP compatibility profile (docs/idp-profiles.md). It decides only two things: how lenient
 * input normalisation is (Leniency, read by the domain's normaliser, PATCH engine and filter
 * parser) and which PATCH responses carry no body. It never changes what is stored: values are
 * kept as sent, so an IdP reads back exactly what it wrote and sees no difference to patch again.
 * Every profile but `strict` is LENIENT: a client nobody recognises (OneLogin, PingOne, an HR
 * system, a Postman collection) sends the same forms as Entra and Okta, so recognising the client
 * only names it (the audit trail's "which client") and picks response choices.
 */
export interface IdpProfile {
  /**
   * entra, okta, jumpcloud: the connection's kind, or the client recognised on a generic
   * connection; `generic` for a client not recognised; `strict` for a strict connection
   */
  name: IdpKind;
  /** why this profile: the connection's configured kind, or what a generic connection's traffic showed */
  source: 'connection' | 'user-agent' | 'url-flag' | 'none';
  leniency: Readonly<Leniency>;
  /**
   * Resource types whose PATCH answers 204 No Content unless `attributes` is asked for (RFC 7644
   * §3.5.2 allows 200 with the resource or 204). Groups: Entra wants no member list back, and
   * loading a large group's members only to discard them is the cost to avoid.
   */
  patchNoContent: readonly string[];
}

/**
 * Whether a PATCH of `endpoint`'s resource type answers 204 rather than 200 with the resource
 * (RFC 7644 §3.5.2 allows either): the request's IdP profile decides, else the endpoint's default.
 * The one rule for the single-resource route and for PATCH operations inside /Bulk (§3.7).
 */
export function patchAnswersNoContent(idp: IdpProfile | undefined, endpoint: { rt: { name: string }; patchNoContent: boolean }): boolean {
  return idp ? idp.patchNoContent.includes(endpoint.rt.name) : endpoint.patchNoContent;
}

const PROFILES: Record<IdpProfile['name'], Omit<IdpProfile, 'source'>> = {
  entra: { name: 'entra', leniency: LENIENT, patchNoContent: ['Group'] },
  okta: { name: 'okta', leniency: LENIENT, patchNoContent: ['Group'] },
  jumpcloud: { name: 'jumpcloud', leniency: LENIENT, patchNoContent: ['Group'] },
  generic: { name: 'generic', leniency: LENIENT, patchNoContent: ['Group'] },
  strict: { name: 'strict', leniency: STRICT, patchNoContent: ['Group'] },
};

/** Entra ID's opt-in flag for its RFC-compliant behaviour, appended to the tenant URL. */
export const ENTRA_FLAG = 'aadOptscim062020';
const ENTRA_FLAG_RE = new RegExp(`(^|&)${ENTRA_FLAG}(?=$|[&=/])`, 'i');
const ENTRA_AGENT_RE = /Azure AD|Microsoft/i;
const OKTA_AGENT_RE = /Okta/i;
const JUMPCLOUD_AGENT_RE = /JumpCloud/i;

/**
 * The profile of one request: the connection's kind when it is not generic (a `strict` connection
 * is strict whatever its client says), else what the request shows: Entra by its User-Agent
 * ("Azure AD", "Microsoft") or the aadOptscim062020 flag, Okta and JumpCloud by their User-Agent,
 * and `generic` for any other client. Only `strict` changes the leniency.
 */
export function resolveIdpProfile(kind: IdpKind, request: { userAgent?: string; querystring?: string }): IdpProfile {
  if (kind !== 'generic') return { ...PROFILES[kind], source: 'connection' };
  const agent = request.userAgent ?? '';
  if (ENTRA_FLAG_RE.test(request.querystring ?? '')) return { ...PROFILES.entra, source: 'url-flag' };
  if (ENTRA_AGENT_RE.test(agent)) return { ...PROFILES.entra, source: 'user-agent' };
  if (OKTA_AGENT_RE.test(agent)) return { ...PROFILES.okta, source: 'user-agent' };
  if (JUMPCLOUD_AGENT_RE.test(agent)) return { ...PROFILES.jumpcloud, source: 'user-agent' };
  return { ...PROFILES.generic, source: 'none' };
}

/**
 * Entra appends `?aadOptscim062020` to the tenant URL it was given; a client that then appends
 * resource paths to that text sends `/scim/v2/acme?aadOptscim062020/Users?filter=…`. This moves
 * such a path back in front of the query (`/scim/v2/acme/Users?aadOptscim062020&filter=…`) before
 * routing. The ordinary form, `/scim/v2/acme/Users?aadOptscim062020`, needs nothing.
 */
export function entraFlagPath(): Middleware {
  const misplaced = new RegExp(`^(${ENTRA_FLAG})(/[^?&]*)(?:[?&](.*))?$`, 'i');
  return async (ctx, next) => {
    const m = misplaced.exec(ctx.querystring);
    if (m) {
      ctx.path = `${ctx.path.replace(/\/$/, '')}${m[2]}`;
      ctx.querystring = m[3] ? `${m[1]}&${m[3]}` : m[1];
    }
    await next();
  };
}
