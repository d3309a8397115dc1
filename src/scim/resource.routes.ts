import type Router from '@koa/router';
import type { Config } from '../config';
import type { RequestContext } from '../domain/context';
import { InvalidSyntaxError } from '../domain/errors';
import type { ResourceTypeDef } from '../domain/schema/attribute';
import type { ListQuery, ListResult } from '../domain/query/page';
import { listResponse, pagingParams, sortParams } from './list';
import { readJson, SCIM_CONTENT_TYPE } from './media';
import { applyProjection, parseProjection, Projection } from './projection';
import type { ScimContext, ScimState } from './state';
import { SCIM_PREFIX, scimBaseUrl } from './urls';
import { etag, matchesVersion, parseEntityTags } from './meta';
import { patchAnswersNoContent } from './idp-profile';
import type { WriteOptions } from '../domain/precondition';

/** What the SCIM routes need of a resource type: its schema, its wire mapping and one service call per verb. */
export interface ResourceEndpoint<R extends { id: string; version: number }> {
  /** the core resource type: name and endpoint */
  rt: ResourceTypeDef;
  /** the tenant's effective resource type (custom attributes included), for projection */
  resourceType(ctx: RequestContext): Promise<ResourceTypeDef>;
  toScim(resource: R, baseUrl: string): Record<string, unknown>;
  create(ctx: RequestContext, body: unknown, p: Projection): Promise<R>;
  get(ctx: RequestContext, id: string, p: Projection): Promise<R>;
  list(ctx: RequestContext, query: ListQuery, p: Projection): Promise<ListResult<R>>;
  replace(ctx: RequestContext, id: string, body: unknown, p: Projection, options?: WriteOptions): Promise<R>;
  patch(ctx: RequestContext, id: string, operations: unknown, p: Projection, options?: WriteOptions): Promise<R>;
  delete(ctx: RequestContext, id: string, options?: WriteOptions): Promise<void>;
  /** Answer PATCH with 204 unless the client asked for attributes (what Entra expects of groups). */
  patchNoContent: boolean;
}

/**
 * RFC 7644 §3.2-§3.6 for one resource endpoint. Handlers parse, call one service method, and map
 * the result; projection (§3.4.2.5) applies to every response that carries a resource.
 */
export function resourceRoutes<R extends { id: string; version: number }>(
  router: Router<ScimState>,
  endpoint: ResourceEndpoint<R>,
  config: Config,
): void {
  const path = endpoint.rt.endpoint;
  const base = (ctx: ScimContext) => scimBaseUrl(config, ctx.state.scim.tenant.slug);
  const render = (ctx: ScimContext, r: R, p: Projection) => applyProjection(endpoint.toScim(r, base(ctx)), ctx.state.rt ?? endpoint.rt, p);
  // the tenant's resource type (custom attributes included; cached per tenant), resolved before
  // any handler of this endpoint renders: /scim/v2/{tenant}/{Users|Groups}[/…]
  const segment = SCIM_PREFIX.split('/').length + 1;
  router.use(async (ctx, next) => {
    if (ctx.path.split('/')[segment]?.toLowerCase() === path.slice(1).toLowerCase()) ctx.state.rt = await endpoint.resourceType(ctx.state.scim);
    await next();
  });
  const send = (ctx: ScimContext, status: number, body: unknown) => {
    ctx.status = status;
    ctx.type = SCIM_CONTENT_TYPE;
    ctx.body = body;
  };
  const sendOne = (ctx: ScimContext, status: number, r: R, p: Projection) => {
    ctx.set('ETag', etag(r.version));
    send(ctx, status, render(ctx, r, p));
  };
  const body = (ctx: ScimContext) => readJson(ctx, config.maxBodyBytes);

  router.post(path, async (ctx) => {
    const p = parseProjection(ctx.query, ctx.state.scim.leniency);
    const created = await endpoint.create(ctx.state.scim, await body(ctx), p);
    ctx.set('Location', `${base(ctx)}${path}/${created.id}`);
    sendOne(ctx, 201, created, p);
  });

  /** A query, from the URL (GET) or from a SearchRequest body (POST /.search). */
  const list = async (ctx: ScimContext, source: Record<string, unknown>) => {
    const p = parseProjection(source, ctx.state.scim.leniency);
    const filter = typeof source.filter === 'string' ? source.filter : undefined;
    if (ctx.state.audit) ctx.state.audit.filter = filter ?? null;
    const query: ListQuery = { filter, ...sortParams(source), ...pagingParams(source, config.maxResults) };
    const result = await endpoint.list(ctx.state.scim, query, p);
    send(ctx, 200, listResponse(result, (r) => render(ctx, r, p), query.cursor !== undefined));
  };

  router.get(path, (ctx) => list(ctx, ctx.query));

  /** RFC 7644 §3.4.3: the same query in a SearchRequest body, so filters stay out of URLs and logs. */
  router.post(`${path}/.search`, async (ctx) => {
    const request = await body(ctx);
    if (typeof request !== 'object' || request === null || Array.isArray(request)) throw new InvalidSyntaxError('a SearchRequest must be a JSON object');
    await list(ctx, request as Record<string, unknown>);
  });

  /** RFC 7644 §3.14: If-None-Match naming the current version (or `*`) -> 304 without a body. */
  router.get(`${path}/:id`, async (ctx) => {
    const p = parseProjection(ctx.query, ctx.state.scim.leniency);
    const found = await endpoint.get(ctx.state.scim, ctx.params.id, p);
    const unless = parseEntityTags(ctx.get('if-none-match') || undefined);
    if (unless !== undefined && matchesVersion(unless, found.version)) {
      ctx.set('ETag', etag(found.version));
      ctx.status = 304;
      return;
    }
    sendOne(ctx, 200, found, p);
  });

  router.put(`${path}/:id`, async (ctx) => {
    const p = parseProjection(ctx.query, ctx.state.scim.leniency);
    sendOne(ctx, 200, await endpoint.replace(ctx.state.scim, ctx.params.id, await body(ctx), p, ifMatch(ctx)), p);
  });

  router.patch(`${path}/:id`, async (ctx) => {
    const p = parseProjection(ctx.query, ctx.state.scim.leniency);
    const noContent = patchAnswersNoContent(ctx.state.idp, endpoint) && !p.attributes;
    if (noContent && ctx.state.audit?.request) ctx.state.audit.request.status = 204; // the status its audit row records
    const updated = await endpoint.patch(ctx.state.scim, ctx.params.id, patchOperations(await body(ctx)), p, ifMatch(ctx));
    if (noContent) {
      ctx.set('ETag', etag(updated.version));
      ctx.status = 204;
    } else sendOne(ctx, 200, updated, p);
  });

  router.delete(`${path}/:id`, async (ctx) => {
    await endpoint.delete(ctx.state.scim, ctx.params.id, ifMatch(ctx));
    ctx.status = 204;
  });
}

/** The If-Match header as the domain's version precondition; `*` asks only that the resource exist. */
function ifMatch(ctx: ScimContext): WriteOptions | undefined {
  return writeOptions(ctx.get('if-match') || undefined);
}

/**
 * An If-Match value (a header, or a bulk operation's `version`, RFC 7644 §3.7) as write options
 * (RFC 7644 §3.14). `*` and absence check nothing: the write needs the resource to exist anyway,
 * and RFC 7232 §5 lets a 404 take precedence over a precondition.
 */
export function writeOptions(value: string | undefined): WriteOptions | undefined {
  const condition = parseEntityTags(value);
  return condition === undefined || condition === '*' ? undefined : { ifVersion: condition };
}

/**
 * The Operations of an RFC 7644 §3.5.2 PatchOp body. The member name is matched
 * case-insensitively (RFC 7643 §2.1); the PATCH engine validates what it holds.
 */
export function patchOperations(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const key = Object.keys(body).find((k) => k.toLowerCase() === 'operations');
  return key === undefined ? undefined : (body as Record<string, unknown>)[key];
}
