import type { Config } from '../config';
import { connectionInfo, type ConnectionInfo, type IssuedToken, type TokenInfo } from '../domain/connection/connection.service';
import { AuditNotes } from '../domain/audit/audit-notes';
import { InvalidValueError, NotFoundError } from '../domain/errors';
import { scimBaseUrl } from '../scim/urls';
import type { Services } from '../services';
import type { RequestContext } from '../domain/context';
import { attributeInput, attributeView } from './attribute-args';
import { renewDemo } from '../domain/tenant/demo';
import { runBulk } from '../scim/bulk';
import { parseBulkRequest } from '../scim/bulk-request';
import { bulkAudit } from '../scim/bulk.routes';
import { groupsEndpoint, usersEndpoint } from '../scim/endpoints';
import { SCIM_PREFIX } from '../scim/urls';

/** What a long command reports as it goes (the CLI's progress bar); through the control socket too. */
export interface CommandHooks {
  onProgress?: (done: number, total: number) => void;
}

/**
 * The CLI's operations, as plain functions over the domain services. They run in the CLI process
 * (DATABASE_URL mode, or embedded with no server running) or inside the running server, reached
 * through its control socket (embedded mode: PGlite admits one process).
 */
export type CommandName =
  | 'migrate'
  | 'demo'
  | 'tenant.create'
  | 'tenant.list'
  | 'token.list'
  | 'token.create'
  | 'token.rotate'
  | 'token.revoke'
  | 'admin-key.create'
  | 'admin-key.list'
  | 'admin-key.revoke'
  | 'attribute.define'
  | 'attribute.list'
  | 'attribute.remove'
  | 'tenant.delete'
  | 'connection.list'
  | 'connection.create'
  | 'connection.update'
  | 'connection.disable'
  | 'connection.enable'
  | 'connection.delete'
  | 'connection.health'
  | 'tenant.phone-region'
  /** one batch of `provisio import`: a BulkRequest (JSON in args.request) run as the tenant's admin */
  | 'scim.bulk'
  /** `provisio import --update`: the ids of existing users by userName or groups by displayName (args.type, args.names: a JSON array) */
  | 'scim.ids';
export type CommandArgs = Record<string, string | number | boolean | undefined>;

export interface TenantCreated {
  tenant: { id: string; slug: string; name: string };
  scimUrl: string;
  token: string;
}

function str(args: CommandArgs, key: string): string {
  const v = args[key];
  if (typeof v !== 'string' || v === '') throw new InvalidValueError(`--${key} is required`);
  return v;
}

function optInt(args: CommandArgs, key: string): number | undefined {
  const v = args[key];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidValueError(`--${key} must be an integer`);
  return n;
}

function tokenView(t: TokenInfo | IssuedToken) {
  return {
    id: t.id,
    connectionId: t.connectionId,
    prefix: t.prefix,
    createdAt: t.createdAt,
    expiresAt: t.expiresAt,
    lastUsedAt: t.lastUsedAt,
    revokedAt: t.revokedAt,
    ...('token' in t ? { token: t.token } : {}),
  };
}

/** The context of an operator's command on one tenant. */
async function adminContext(services: Services, slug: string): Promise<RequestContext> {
  const tenant = await services.tenants.get(slug);
  return { tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name }, actor: { kind: 'admin' }, requestId: 'cli' };
}

/**
 * Runs a lifecycle command and records it in the tenant's audit trail (operation `CLI.<command>`,
 * actor kind admin without a key id), like the admin API records its mutations; a refused one too.
 */
async function audited<T>(services: Services, ctx: RequestContext, command: string, work: (ctx: RequestContext) => Promise<T>): Promise<T> {
  const notes = new AuditNotes();
  const started = process.hrtime.bigint();
  let status = 200;
  let code: string | null = null;
  try {
    return await work({ ...ctx, audit: notes });
  } catch (e) {
    code = (e as { code?: string }).code ?? 'internal';
    status = code === 'notFound' ? 404 : code === 'internal' ? 500 : 400;
    throw e;
  } finally {
    await services.audit.recordAdmin(
      { ...ctx, audit: notes },
      { operation: `CLI.${command}`, status, errorCode: code, latencyMs: Number(process.hrtime.bigint() - started) / 1e6 },
    );
  }
}

function connectionView(c: ConnectionInfo) {
  return { id: c.id, name: c.name, idp: c.idp, deletePolicy: c.deletePolicy, status: c.status, createdAt: c.createdAt, disabledAt: c.disabledAt, deletedAt: c.deletedAt };
}

function optStr(args: CommandArgs, key: string): string | undefined {
  const v = args[key];
  return typeof v === 'string' ? v : undefined;
}

export async function runCommand(
  services: Services,
  config: Config,
  name: CommandName,
  args: CommandArgs,
  migrate: () => Promise<string[]>,
  hooks: CommandHooks = {},
): Promise<unknown> {
  switch (name) {
    case 'migrate':
      return { applied: await migrate() };
    case 'demo': {
      const demo = await renewDemo(services);
      return { slug: demo.slug, scimUrl: scimBaseUrl(config, demo.slug), token: demo.token, adminKey: demo.adminKey };
    }
    case 'tenant.create': {
      const tenant = await services.tenants.create({ name: str(args, 'name'), slug: args.slug as string | undefined });
      const { token } = await services.connections.createConnection(tenant.id, {
        idp: args.idp as string | undefined,
        deletePolicy: optStr(args, 'deletePolicy'),
      });
      const created: TenantCreated = {
        tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name },
        scimUrl: scimBaseUrl(config, tenant.slug),
        token: token.token,
      };
      return created;
    }
    case 'tenant.list':
      return (await services.tenants.list()).map((t) => ({ id: t.id, slug: t.slug, name: t.name, scimUrl: scimBaseUrl(config, t.slug) }));
    case 'token.list': {
      const tenant = await services.tenants.get(str(args, 'tenant'));
      return (await services.connections.listTokens(tenant.id)).map(tokenView);
    }
    case 'token.create': {
      const tenant = await services.tenants.get(str(args, 'tenant'));
      const days = optInt(args, 'days');
      const issued =
        typeof args.connection === 'string'
          ? await services.connections.issueToken(tenant.id, args.connection, days)
          : (await services.connections.createConnection(tenant.id, { idp: args.idp as string | undefined, days })).token;
      return { ...tokenView(issued), scimUrl: scimBaseUrl(config, tenant.slug) };
    }
    case 'token.rotate': {
      const tenant = await services.tenants.get(str(args, 'tenant'));
      const issued = await services.connections.rotateToken(tenant.id, str(args, 'id'), optInt(args, 'overlap') ?? 0, optInt(args, 'days'));
      return { ...tokenView(issued), scimUrl: scimBaseUrl(config, tenant.slug) };
    }
    case 'token.revoke': {
      const tenant = await services.tenants.get(str(args, 'tenant'));
      return tokenView(await services.connections.revokeToken(tenant.id, str(args, 'id')));
    }
    case 'admin-key.create': {
      const issued = await services.adminKeys.create({ role: str(args, 'role'), tenant: args.tenant as string | undefined });
      return { key: issued.key, role: issued.role, tenant: issued.tenant };
    }
    case 'admin-key.list':
      return services.adminKeys.list();
    case 'admin-key.revoke':
      return services.adminKeys.revoke(str(args, 'id'));
    case 'attribute.define': {
      const ctx = await adminContext(services, str(args, 'tenant'));
      return attributeView(await services.customAttributes.define(ctx, attributeInput(args)));
    }
    case 'attribute.list': {
      const ctx = await adminContext(services, str(args, 'tenant'));
      const resource = typeof args.resource === 'string' ? args.resource : undefined;
      return (await services.customAttributes.list(ctx, { resourceType: resource })).map(attributeView);
    }
    case 'attribute.remove': {
      const ctx = await adminContext(services, str(args, 'tenant'));
      const schema = typeof args.schema === 'string' ? args.schema : undefined;
      const { removed, resourcesChanged } = await services.customAttributes.remove(
        ctx,
        { resourceType: str(args, 'resource'), name: str(args, 'name'), ...(schema ? { schema } : {}) },
        { onProgress: hooks.onProgress },
      );
      return { ...attributeView(removed), resourcesChanged };
    }
    case 'tenant.delete': {
      const ctx = await adminContext(services, str(args, 'tenant'));
      return audited(services, ctx, 'tenant.delete', (c) => services.tenants.delete(c, { confirm: optStr(args, 'confirm') }));
    }
    case 'connection.list': {
      const tenant = await services.tenants.get(str(args, 'tenant'));
      const all = await services.connections.listConnections(tenant.id, { includeDeleted: args.all === true });
      return all.map((c) => connectionView(connectionInfo(c)));
    }
    case 'connection.create': {
      const ctx = await adminContext(services, str(args, 'tenant'));
      return audited(services, ctx, 'connection.create', async (c) => {
        const { connection, token } = await services.connections.createConnection(c.tenant.id, {
          idp: optStr(args, 'idp'),
          name: optStr(args, 'name'),
          deletePolicy: optStr(args, 'deletePolicy'),
          days: optInt(args, 'days'),
        });
        c.audit?.touched(connection.id, ['name', 'idp', 'deletePolicy']);
        if (c.audit) c.audit.note = `deletePolicy=${connection.deletePolicy}`;
        return { connection: connectionView(connectionInfo(connection)), ...tokenView(token), scimUrl: scimBaseUrl(config, c.tenant.slug) };
      });
    }
    case 'connection.update': {
      const ctx = await adminContext(services, str(args, 'tenant'));
      const name = optStr(args, 'name');
      const deletePolicy = optStr(args, 'deletePolicy');
      if (name === undefined && deletePolicy === undefined) throw new InvalidValueError('give --name or --delete-policy');
      return audited(services, ctx, 'connection.update', async (c) =>
        connectionView(await services.connections.updateConnection(c, str(args, 'id'), { ...(name !== undefined ? { name } : {}), ...(deletePolicy !== undefined ? { deletePolicy } : {}) })),
      );
    }
    case 'connection.disable':
    case 'connection.enable':
    case 'connection.delete': {
      const ctx = await adminContext(services, str(args, 'tenant'));
      const id = str(args, 'id');
      const op = { 'connection.disable': 'disableConnection', 'connection.enable': 'enableConnection', 'connection.delete': 'deleteConnection' } as const;
      return audited(services, ctx, name, async (c) => connectionView(await services.connections[op[name]](c, id)));
    }
    case 'connection.health': {
      const tenant = await services.tenants.get(str(args, 'tenant'));
      const wanted = str(args, 'connection');
      const connections = await services.connections.listConnections(tenant.id);
      const connection = connections.find((c) => c.id === wanted) ?? connections.find((c) => c.name === wanted);
      if (!connection) throw new NotFoundError(`SCIM connection "${wanted}" not found in tenant ${tenant.slug}`);
      return services.health.report(tenant.id, connection.id, optInt(args, 'hours') ?? 24);
    }
    case 'tenant.phone-region': {
      const tenant = await services.tenants.get(str(args, 'tenant'));
      const region = typeof args.region === 'string' && args.region !== 'none' ? args.region : null;
      return { tenant: tenant.slug, phoneRegion: await services.users.phoneRegions.set(tenant.id, region) };
    }
    case 'scim.bulk':
      return importBatch(services, config, str(args, 'tenant'), str(args, 'request'), optStr(args, 'requestId') ?? 'cli-import');
    case 'scim.ids':
      return existingIds(services, str(args, 'tenant'), str(args, 'type'), str(args, 'names'));
    default:
      throw new InvalidValueError(`unknown command ${String(name)}`);
  }
}

/** A JSON argument of the import's run commands (they travel as text over the control socket). */
function jsonArg(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidValueError(`${name} is not JSON`);
  }
}

/** The import's context: the tenant's admin, no key (the operator's CLI). */
async function importContext(services: Services, slug: string, requestId: string): Promise<RequestContext> {
  const tenant = await services.tenants.get(slug);
  return { tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name }, actor: { kind: 'admin' }, requestId, audit: new AuditNotes() };
}

/** `provisio import --update`: name -> id of the tenant's users (by userName) or groups (by displayName) among `names` (a JSON array of strings). */
async function existingIds(services: Services, slug: string, type: string, names: string): Promise<Record<string, string>> {
  const parsed = jsonArg(names, 'names');
  if (!Array.isArray(parsed) || !parsed.every((n) => typeof n === 'string')) throw new InvalidValueError('names must be a JSON array of strings');
  const ctx = await importContext(services, slug, 'cli-import');
  if (type === 'User') return Object.fromEntries(await services.users.idsByUserName(ctx, parsed));
  if (type === 'Group') return Object.fromEntries(await services.groups.idsByDisplayName(ctx, parsed));
  throw new InvalidValueError('type must be User or Group');
}

/**
 * One batch of `provisio import`, through the /Bulk machinery (RFC 7644 §3.7): each operation is
 * its own transaction and is audited as the same request over HTTP would be (`User.create` at
 * `/scim/v2/{tenant}/Users`, with its bulkId), by the admin actor (no key: the operator's CLI).
 */
async function importBatch(services: Services, config: Config, slug: string, body: string, requestId: string): Promise<unknown> {
  const ctx = await importContext(services, slug, requestId);
  const tenant = ctx.tenant;
  const request = parseBulkRequest(jsonArg(body, 'request'), config.bulkMaxOperations);
  const pending: Promise<unknown>[] = [];
  const unexpected: unknown[] = [];
  const audit = bulkAudit(`${SCIM_PREFIX}/${tenant.slug}`, services.audit, (e) => unexpected.push(e));
  const response = await runBulk(
    ctx,
    request,
    [usersEndpoint(services), groupsEndpoint(services)],
    scimBaseUrl(config, tenant.slug),
    (e) => unexpected.push(e),
    undefined,
    { describe: audit.describe, record: (...a) => void pending.push(Promise.resolve(audit.record(...a))) },
  );
  await Promise.all(pending); // the audit entries of failed operations, written before the database closes
  // an operation answered 500 says only "internal server error": the operator gets the cause (the server's log in socket mode)
  for (const e of unexpected) process.stderr.write(`provisio import: unexpected error: ${(e as Error)?.stack ?? String(e)}\n`);
  return response;
}
