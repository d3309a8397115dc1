import type { Config } from '../config';
import type { IssuedToken, TokenInfo } from '../domain/connection/connection.service';
import { InvalidValueError, NotFoundError } from '../domain/errors';
import { scimBaseUrl } from '../scim/urls';
import type { Services } from '../services';
import type { RequestContext } from '../domain/context';
import { attributeInput, attributeView } from './attribute-args';

/**
 * The CLI's operations, as plain functions over the domain services. They run in the CLI process
 * (DATABASE_URL mode, or embedded with no server running) or inside the running server, reached
 * through its control socket (embedded mode: PGlite admits one process).
 */
export type CommandName =
  | 'migrate'
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
  | 'connection.health'
  | 'tenant.phone-region';
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

export async function runCommand(
  services: Services,
  config: Config,
  name: CommandName,
  args: CommandArgs,
  migrate: () => Promise<string[]>,
): Promise<unknown> {
  switch (name) {
    case 'migrate':
      return { applied: await migrate() };
    case 'tenant.create': {
      const tenant = await services.tenants.create({ name: str(args, 'name'), slug: args.slug as string | undefined });
      const { token } = await services.connections.createConnection(tenant.id, { idp: args.idp as string | undefined });
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
      const { removed, resourcesChanged } = await services.customAttributes.remove(ctx, {
        resourceType: str(args, 'resource'),
        name: str(args, 'name'),
        ...(schema ? { schema } : {}),
      });
      return { ...attributeView(removed), resourcesChanged };
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
    default:
      throw new InvalidValueError(`unknown command ${String(name)}`);
  }
}
