import type { AdminKeyService } from '../admin/admin-key.service';
import type { ConnectionService } from '../connection/connection.service';
import { NotFoundError } from '../errors';
import type { TenantService } from './tenant.service';

/** The demo tenant an embedded first start creates, so a newcomer can curl at once. */
export const DEMO_SLUG = 'demo';

export interface DemoCredentials {
  slug: string;
  token: string;
  adminKey: string;
}

interface DemoDeps {
  tenants: TenantService;
  connections: ConnectionService;
  adminKeys: AdminKeyService;
}

/**
 * First start on an empty database: the "demo" tenant, a SCIM token on its "demo" connection and an
 * admin key. Nothing when a tenant exists already. The server calls it only once it listens, so a
 * start that fails (port taken) leaves the database empty and the next start shows the credentials.
 */
export async function createDemo(deps: DemoDeps): Promise<DemoCredentials | undefined> {
  if ((await deps.tenants.count()) > 0) return undefined;
  const tenant = await deps.tenants.create({ name: 'Demo', slug: DEMO_SLUG });
  const { token } = await deps.connections.createConnection(tenant.id, { idp: 'generic', name: 'demo' });
  const adminKey = await deps.adminKeys.create({ role: 'admin' });
  return { slug: tenant.slug, token: token.token, adminKey: adminKey.key };
}

/**
 * `provisio demo`: new credentials for the demo tenant (created when missing): one more token on its
 * first connection and a new admin key. Earlier tokens and keys keep working.
 */
export async function renewDemo(deps: DemoDeps): Promise<DemoCredentials> {
  const tenant = await deps.tenants.get(DEMO_SLUG).catch((e: unknown) => {
    if (e instanceof NotFoundError) return deps.tenants.create({ name: 'Demo', slug: DEMO_SLUG });
    throw e;
  });
  const [connection] = await deps.connections.listConnections(tenant.id);
  const token = connection
    ? await deps.connections.issueToken(tenant.id, connection.id)
    : (await deps.connections.createConnection(tenant.id, { idp: 'generic', name: 'demo' })).token;
  const adminKey = await deps.adminKeys.create({ role: 'admin' });
  return { slug: tenant.slug, token: token.token, adminKey: adminKey.key };
}

/** True while the demo tenant exists and none of its tokens was ever used (a newcomer may have lost them). */
export async function demoUnused(deps: DemoDeps): Promise<boolean> {
  const tenant = await deps.tenants.get(DEMO_SLUG).catch((e: unknown) => {
    if (e instanceof NotFoundError) return undefined;
    throw e;
  });
  if (!tenant) return false;
  const tokens = await deps.connections.listTokens(tenant.id);
  return tokens.length > 0 && tokens.every((t) => t.lastUsedAt === null);
}
