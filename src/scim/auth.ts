import type { ConnectionService } from '../domain/connection/connection.service';
import { UnauthenticatedError } from '../domain/errors';
import { resolveIdpProfile } from './idp-profile';
import type { ScimMiddleware } from './state';

/**
 * RFC 7644 §2 / RFC 6750 bearer authentication of a tenant's SCIM URL. The token must belong to
 * the tenant named in the URL; anything else is 401 with a SCIM error body.
 */
export function scimAuth(connections: ConnectionService): ScimMiddleware {
  return async (ctx, next) => {
    const header = ctx.get('authorization');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) {
      ctx.set('WWW-Authenticate', 'Bearer realm="Provisio"');
      throw new UnauthenticatedError('a bearer token is required (Authorization: Bearer <token>)');
    }
    try {
      const principal = await connections.authenticate(ctx.params.tenant, match[1]);
      const idp = resolveIdpProfile(principal.actor.idp, { userAgent: ctx.get('user-agent'), querystring: ctx.querystring });
      ctx.state.idp = idp;
      ctx.state.scim = {
        tenant: principal.tenant,
        // the audit trail's "which client": the connection's kind, or the client a generic connection recognised
        actor: { ...principal.actor, idp: idp.name },
        requestId: ctx.state.requestId,
        leniency: idp.leniency,
        audit: ctx.state.audit,
      };
    } catch (e) {
      if (e instanceof UnauthenticatedError) ctx.set('WWW-Authenticate', 'Bearer realm="Provisio", error="invalid_token"');
      throw e;
    }
    await next();
  };
}
