import type { RouterContext, RouterMiddleware } from '@koa/router';
import type { AuditNotes } from '../domain/audit/audit-notes';
import type { RequestContext } from '../domain/context';

/** Koa state of a SCIM request; `scim` is set by authentication. */
export interface ScimState {
  requestId: string;
  scim: RequestContext;
  /** Set by the audit middleware before authentication; the services fill it through `scim.audit`. */
  audit?: AuditNotes;
}

export type ScimContext = RouterContext<ScimState>;
export type ScimMiddleware = RouterMiddleware<ScimState>;
