import type Router from '@koa/router';
import type { Config } from '../config';
import { InvalidSyntaxError } from '../domain/errors';
import type { ListQuery } from '../domain/query/page';
import type { Services } from '../services';
import { listResponse, pagingParams, sortParams } from './list';
import { readJson, SCIM_CONTENT_TYPE } from './media';
import { applyProjection, parseProjection, wants } from './projection';
import type { ResourceEndpoint } from './resource.routes';
import type { ScimState } from './state';
import { scimBaseUrl } from './urls';

/**
 * `POST /.search` at the tenant root (RFC 7644 §3.4.3): one SearchRequest over every resource type,
 * answered as one ListResponse whose resources each carry their own schemas. Filter, sort, paging
 * (startIndex or cursor) and projection mean what they mean on /Users and /Groups.
 */
export function rootSearchRoutes(router: Router<ScimState>, services: Services, endpoints: ResourceEndpoint<any>[], config: Config): void {
  const byType = new Map(endpoints.map((e) => [e.rt.name, e]));
  router.post('/.search', async (ctx) => {
    const request = await readJson(ctx, config.maxBodyBytes);
    if (typeof request !== 'object' || request === null || Array.isArray(request)) throw new InvalidSyntaxError('a SearchRequest must be a JSON object');
    const source = request as Record<string, unknown>;
    const p = parseProjection(source, ctx.state.scim.leniency);
    const query: ListQuery = {
      filter: typeof source.filter === 'string' ? source.filter : undefined,
      ...sortParams(source),
      ...pagingParams(source, config.maxResults),
    };
    const result = await services.search.search(ctx.state.scim, query, { members: wants(p, 'members') });
    const base = scimBaseUrl(config, ctx.state.scim.tenant.slug);
    ctx.status = 200;
    ctx.type = SCIM_CONTENT_TYPE;
    ctx.body = listResponse(
      result,
      (hit) => applyProjection(byType.get(hit.rt.name)!.toScim(hit.record as never, base), hit.rt, p),
      query.cursor !== undefined,
    );
  });
}
