import type Router from '@koa/router';
import type { Config } from '../config';
import { BulkAudit, runBulk } from './bulk';
import type { AuditService } from '../domain/audit/audit.service';
import { scimOperation } from '../http/audit';
import { parseBulkRequest } from './bulk-request';
import { readJson, SCIM_CONTENT_TYPE } from './media';
import type { ResourceEndpoint } from './resource.routes';
import { ScimHttpError } from './scim-error';
import type { ScimContext, ScimState } from './state';
import { scimBaseUrl } from './urls';

/**
 * POST /Bulk (RFC 7644 §3.7): parse, run, answer 200 with a BulkResponse. A body over
 * maxPayloadSize or more than maxOperations operations is refused whole with 413, naming the limit
 * (§3.7.4); both limits are advertised in /ServiceProviderConfig.
 */
export function bulkRoutes(router: Router<ScimState>, endpoints: ResourceEndpoint<{ id: string; version: number }>[], config: Config, audit?: AuditService): void {
  router.post('/Bulk', async (ctx: ScimContext) => {
    let body: unknown;
    try {
      body = await readJson(ctx, config.bulkMaxPayloadBytes, { bulk: true });
    } catch (e) {
      if (e instanceof ScimHttpError && e.status === 413) {
        throw new ScimHttpError(413, `the bulk request is larger than maxPayloadSize (${config.bulkMaxPayloadBytes} bytes)`);
      }
      throw e;
    }
    const request = parseBulkRequest(body, config.bulkMaxOperations);
    const response = await runBulk(
      ctx.state.scim,
      request,
      endpoints,
      scimBaseUrl(config, ctx.state.scim.tenant.slug),
      (err) => ctx.app.emit('error', err, ctx),
      ctx.state.idp,
      audit ? bulkAudit(ctx.path.replace(/\/Bulk\/?$/i, ''), audit, (e) => void ctx.app.emit('error', e, ctx)) : undefined,
    );
    ctx.status = 200;
    ctx.type = SCIM_CONTENT_TYPE;
    ctx.body = response;
  });
}

/**
 * One audit entry per bulk operation, named like the request it stands for (`User.create` at
 * `/scim/v2/{tenant}/Users`): `base` is the tenant's SCIM path. Shared with `provisio import`.
 */
export function bulkAudit(base: string, audit: AuditService, onError: (e: unknown) => void): BulkAudit {
  return {
    describe(method, path) {
      const rest = path.split('/').filter(Boolean);
      return { path: `${base}${path.startsWith('/') ? path : ''}`, operation: scimOperation(method, rest) };
    },
    record(opCtx, notes, status, scimType) {
      const request = notes.request!;
      return audit
        .record({
          tenantId: opCtx.tenant.id,
          actor: opCtx.actor,
          method: request.method,
          path: request.path,
          operation: request.operation,
          status,
          scimType,
          latencyMs: Math.round((Number(process.hrtime.bigint() - request.startedAt) / 1e6) * 100) / 100,
          requestId: opCtx.requestId,
          resourceIds: notes.resourceIds,
          changed: status < 400 ? notes.changed : [],
          holdId: notes.holdId,
          bulkId: request.bulkId,
          note: notes.note,
        })
        .catch(onError);
    },
  };
}
