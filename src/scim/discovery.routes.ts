import type Router from '@koa/router';
import type { Config } from '../config';
import { NotFoundError } from '../domain/errors';
import { allSchemas, discoveryList, RESOURCE_TYPES, resourceTypeJson, schemaJson, serviceProviderConfig } from './discovery';
import { SCIM_CONTENT_TYPE } from './media';
import { ScimHttpError } from './scim-error';
import type { ScimContext, ScimState } from './state';
import { scimBaseUrl } from './urls';

/** RFC 7644 §4 discovery endpoints, generated from the schema catalogue; /Me answers 501 (§3.11). */
export function discoveryRoutes(router: Router<ScimState>, config: Config): void {
  const base = (ctx: ScimContext) => scimBaseUrl(config, ctx.state.scim.tenant.slug);
  const send = (ctx: ScimContext, body: unknown) => {
    ctx.type = SCIM_CONTENT_TYPE;
    ctx.body = body;
  };
  router.get('/ServiceProviderConfig', (ctx) => send(ctx, serviceProviderConfig(config, base(ctx))));
  router.get('/ResourceTypes', (ctx) => send(ctx, discoveryList(RESOURCE_TYPES.map((rt) => resourceTypeJson(rt, base(ctx))))));
  router.get('/ResourceTypes/:name', (ctx) => {
    const rt = RESOURCE_TYPES.find((r) => r.name.toLowerCase() === ctx.params.name.toLowerCase());
    if (!rt) throw new NotFoundError(`ResourceType "${ctx.params.name}" not found`);
    send(ctx, resourceTypeJson(rt, base(ctx)));
  });
  router.get('/Schemas', (ctx) => send(ctx, discoveryList(allSchemas().map((s) => schemaJson(s, base(ctx))))));
  router.get('/Schemas/:urn', (ctx) => {
    const schema = allSchemas().find((s) => s.id.toLowerCase() === ctx.params.urn.toLowerCase());
    if (!schema) throw new NotFoundError(`Schema "${ctx.params.urn}" not found`);
    send(ctx, schemaJson(schema, base(ctx)));
  });
  router.all('/Me', () => {
    throw new ScimHttpError(501, '/Me is not supported: SCIM clients here act for a tenant, not for a user');
  });
}
