import type { RouterContext, RouterMiddleware } from '@koa/router';
import type { AuditNotes } from '../domain/audit/audit-notes';
import type { RequestContext } from '../domain/context';
import type { ResourceTypeDef } from '../domain/schema/attribute';
import type { IdpProfile } from './idp-profile';

/** Koa state of a SCIM request; `scim` is set by authentication. */
export interface ScimState {
  requestId: string;
  scim: RequestContext;
  /** the IdP compatibility profile of this request, set by authentication */
  idp: IdpProfile;
  /** the tenant's effective resource type of the endpoint being served */
  rt?: ResourceTypeDef;
  /** Set by the audit middleware before authentication; the services fill it through `scim.audit`. */
  audit?: AuditNotes;
}

export type ScimContext = RouterContext<ScimState>;
export type ScimMiddleware = RouterMiddleware<ScimState>;
