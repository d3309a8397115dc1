import request from 'supertest';
import type { GqlTestApp } from '../e2e/graphql-helpers';

export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

export type Tenant = Awaited<ReturnType<GqlTestApp['tenant']>>;

/** A request with raw bytes as its body (what a JSON client library would never send). */
export function raw(app: GqlTestApp, token: string, method: 'post' | 'put' | 'patch', url: string, body: Buffer | string, type = 'application/scim+json') {
  return request(app.server)[method](url).set('Authorization', `Bearer ${token}`).set('Content-Type', type)
    .serialize((d: unknown) => d as string) // the bytes as given, not JSON.stringify of a Buffer
    .send(Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'));
}

/** Everything a tenant holds that a write could change: live and deleted users, groups, members, events, with versions. */
export async function snapshot(app: GqlTestApp, tenantId: string): Promise<unknown> {
  const conn = app.orm.em.fork().getConnection();
  const users = await conn.execute(`select id, version, user_name, deleted_at is null as live, attributes from scim_user where tenant_id = ? order by id`, [tenantId]);
  const groups = await conn.execute(`select id, version, display_name from scim_group where tenant_id = ? order by id`, [tenantId]);
  const members = await conn.execute(`select m.group_id, m.member_id from group_member m join scim_group g on g.id = m.group_id where g.tenant_id = ? order by 1, 2`, [tenantId]);
  const events = await conn.execute(`select count(*)::int as n from event_outbox where tenant_id = ?`, [tenantId]);
  return { users, groups, members, events };
}

/** Asserts a SCIM error answer (RFC 7644 §3.12) with that status and scimType. */
export function expectScimError(res: { status: number; body: any }, status: number, scimType?: string): void {
  expect({ status: res.status, scimType: res.body?.scimType }).toEqual({ status, scimType });
  expect(res.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
  expect(typeof res.body.detail).toBe('string');
}
