import type { RouterContext, RouterMiddleware } from '@koa/router';
import type { RequestContext } from '../domain/context';

/** Koa state of a SCIM request; `scim` is set by authentication. */
export interface ScimState {
  requestId: string;
  scim: RequestContext;
}

export type ScimContext = RouterContext<ScimState>;
export type ScimMiddleware = RouterMiddleware<ScimState>;
