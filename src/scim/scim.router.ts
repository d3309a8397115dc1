import Router from '@koa/router';
import type { Config } from '../config';
import type { Services } from '../services';
import { scimAuth } from './auth';
import { scimHealth } from './health';
import { bulkRoutes } from './bulk.routes';
import { scimAudit } from '../http/audit';
import { scimLimits } from '../http/limits';
import { discoveryRoutes } from './discovery.routes';
import { groupsEndpoint, usersEndpoint } from './endpoints';
import { resourceRoutes } from './resource.routes';
import { rootSearchRoutes } from './search.routes';
import type { ScimState } from './state';
import { SCIM_PREFIX } from './urls';

/** The SCIM 2.0 facade: authentication per tenant, then the resource routes. Routes are thin. */
export function scimRouter(services: Services, config: Config): Router<ScimState> {
  const router = new Router<ScimState>({ prefix: `${SCIM_PREFIX}/:tenant`, sensitive: false });
  router.use(scimAudit(services.audit)); // first: refused requests are audited too
  router.use(scimAuth(services.connections));
  router.use(scimLimits(config.limits)); // rate limits and the tenant's concurrency gate (429 + Retry-After)
  router.use(scimHealth(services.health)); // the connection's mapping health, from its live traffic
  const users = usersEndpoint(services);
  const groups = groupsEndpoint(services);
  resourceRoutes(router, users, config);
  resourceRoutes(router, groups, config);
  bulkRoutes(router, [users, groups], config, services.audit);
  rootSearchRoutes(router, services, [users, groups], config);
  discoveryRoutes(router, config, services.catalogue);
  return router;
}
