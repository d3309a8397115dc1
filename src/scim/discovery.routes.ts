import type Router from '@koa/router';
import type { Config } from '../config';
import { NotFoundError } from '../domain/errors';
import type { TenantCatalogue } from '../domain/schema/tenant-catalogue';
import { allSchemas, discoveryList, resourceTypeJson, schemaJson, serviceProviderConfig } from './discovery';
import { openApiDocument } from './openapi';
import { SCIM_CONTENT_TYPE } from './media';
import { ScimHttpError } from './scim-error';
import type { ScimContext, ScimState } from './state';
import { scimBaseUrl } from './urls';

/**
 * RFC 7644 §4 discovery endpoints, generated from the tenant's catalogue (core schemas plus its
 * own custom extensions, never another tenant's); /Me answers 501 (§3.11).
 */
export function discoveryRoutes(router: Router<ScimState>, config: Config, catalogue: TenantCatalogue): void {
  const types = (ctx: ScimContext) => catalogue.resourceTypes(ctx.state.scim);
  const base = (ctx: ScimContext) => scimBaseUrl(config, ctx.state.scim.tenant.slug);
  const send = (ctx: ScimContext, body: unknown) => {
    ctx.type = SCIM_CONTENT_TYPE;
    ctx.body = body;
  };
  router.get('/ServiceProviderConfig', (ctx) => send(ctx, serviceProviderConfig(config, base(ctx))));
  // the name some clients and setup guides use; not an RFC 7644 §4 endpoint, so strict clients get 404
  router.get('/serviceConfiguration', (ctx) => {
    if (ctx.state.scim.leniency?.discoveryAliases === false) throw new NotFoundError('/serviceConfiguration is not an RFC 7644 endpoint: use /ServiceProviderConfig');
    send(ctx, serviceProviderConfig(config, base(ctx)));
  });
  router.get('/ResourceTypes', async (ctx) => send(ctx, discoveryList((await types(ctx)).map((rt) => resourceTypeJson(rt, base(ctx))))));
  router.get('/ResourceTypes/:name', async (ctx) => {
    const rt = (await types(ctx)).find((r) => r.name.toLowerCase() === ctx.params.name.toLowerCase());
    if (!rt) throw new NotFoundError(`ResourceType "${ctx.params.name}" not found`);
    send(ctx, resourceTypeJson(rt, base(ctx)));
  });
  router.get('/Schemas', async (ctx) => send(ctx, discoveryList(allSchemas(await types(ctx)).map((s) => schemaJson(s, base(ctx))))));
  router.get('/Schemas/:urn', async (ctx) => {
    const schema = allSchemas(await types(ctx)).find((s) => s.id.toLowerCase() === ctx.params.urn.toLowerCase());
    if (!schema) throw new NotFoundError(`Schema "${ctx.params.urn}" not found`);
    send(ctx, schemaJson(schema, base(ctx)));
  });
  /** OpenAPI 3.1 description of this tenant's SCIM surface (its custom attributes included). */
  router.get('/openapi.json', async (ctx) => {
    ctx.type = 'application/json';
    ctx.body = openApiDocument(await types(ctx), config, base(ctx));
  });
  router.all('/Me', () => {
    throw new ScimHttpError(501, '/Me is not supported: SCIM clients here act for a tenant, not for a user');
  });
}
