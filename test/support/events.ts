import type { RequestContext } from '../../src/domain/context';
import type { CloudEvent } from '../../src/domain/event/event-types';
import type { TestDb } from './database';

/** A SCIM request context on a new tenant with its own connection (the guard counts per connection). */
export async function scimContext(db: TestDb, name: string, options: { deletePolicy?: 'delete' | 'deactivate' } = {}): Promise<RequestContext> {
  const tenant = await db.services.tenants.create({ name });
  const { connection, token } = await db.services.connections.createConnection(tenant.id, { idp: 'okta', ...options });
  return {
    tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name },
    actor: { kind: 'scim', connectionId: connection.id, tokenId: token.id, idp: 'okta' },
    requestId: `req-${Math.random().toString(36).slice(2)}`,
  };
}

/** Every listed event of a tenant, paging through the feed. */
export async function allEvents(db: TestDb, tenantId: string, after = 0): Promise<CloudEvent[]> {
  const out: CloudEvent[] = [];
  for (;;) {
    const page = await db.services.events.list(tenantId, { after, limit: 1000 });
    out.push(...page.events);
    if (page.events.length < 1000) return out;
    after = page.next;
  }
}

export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
