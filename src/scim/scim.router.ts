import Router from '@koa/router';
import type { Config } from '../config';
import type { Services } from '../services';
import { scimAuth } from './auth';
import { scimAudit } from '../http/audit';
import { discoveryRoutes } from './discovery.routes';
import { groupsEndpoint, usersEndpoint } from './endpoints';
import { resourceRoutes } from './resource.routes';
import type { ScimState } from './state';
import { SCIM_PREFIX } from './urls';

/** The SCIM 2.0 facade: authentication per tenant, then the resource routes. Routes are thin. */
export function scimRouter(services: Services, config: Config): Router<ScimState> {
  const router = new Router<ScimState>({ prefix: `${SCIM_PREFIX}/:tenant`, sensitive: false });
  router.use(scimAudit(services.audit)); // first: refused requests are audited too
  router.use(scimAuth(services.connections));
  resourceRoutes(router, usersEndpoint(services), config);
  resourceRoutes(router, groupsEndpoint(services), config);
  discoveryRoutes(router, config);
  return router;
}
