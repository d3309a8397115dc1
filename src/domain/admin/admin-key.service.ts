import { MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { randomBytes } from 'node:crypto';
import { sql } from '../../db/sql';
import { digestsEqual, displayPrefix, hashToken } from '../connection/token-secret';
import { InvalidValueError, NotFoundError, UnauthenticatedError } from '../errors';
import { isUuid } from '../ids';
import { Tenant } from '../tenant/tenant.entity';
import { ADMIN_ROLES, AdminKey, AdminRole } from './admin-key.entity';
import type { AdminPrincipal } from './admin-principal';

/** Recognisable prefix of admin keys, distinct from SCIM tokens (`prv_`) so a leak is told apart. */
export const ADMIN_KEY_PREFIX = 'pra_';
/** last_used_at is written at most this often per key, so authentication stays a read. */
const LAST_USED_GRANULARITY_MS = 60_000;

export interface AdminKeyInfo {
  id: string;
  role: AdminRole;
  /** slug of the tenant the key is limited to; null: every tenant */
  tenant: string | null;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** A key as created: the secret is in this object only, never stored and never shown again. */
export interface IssuedAdminKey extends AdminKeyInfo {
  key: string;
}

function info(k: AdminKey): AdminKeyInfo {
  return {
    id: k.id,
    role: k.role,
    tenant: k.tenant?.slug ?? null,
    prefix: k.prefix,
    createdAt: k.createdAt,
    lastUsedAt: k.lastUsedAt ?? null,
    revokedAt: k.revokedAt ?? null,
  };
}

/** Keys of the GraphQL admin API: create (shown once), list, revoke, authenticate. */
export class AdminKeyService {
  constructor(private readonly orm: MikroORM) {}

  private em(): EntityManager {
    return this.orm.em.fork() as EntityManager;
  }

  /** A new key with `role`, limited to the tenant with slug (or id) `tenant` when given. */
  async create(input: { role: string; tenant?: string | null }): Promise<IssuedAdminKey> {
    const role = input.role as AdminRole;
    if (!ADMIN_ROLES.includes(role)) throw new InvalidValueError(`role must be one of ${ADMIN_ROLES.join(', ')}`);
    return this.em().transactional(async (em) => {
      let tenant: Tenant | null = null;
      if (input.tenant) {
        const ref = input.tenant;
        tenant = await em.findOne(Tenant, isUuid(ref) ? { $or: [{ id: ref }, { slug: ref }] } : { slug: ref });
        if (!tenant) throw new NotFoundError(`tenant "${ref}" not found`);
      }
      const secret = ADMIN_KEY_PREFIX + randomBytes(32).toString('base64url');
      const key = em.create(AdminKey, { role, tenant, prefix: displayPrefix(secret), hash: hashToken(secret) });
      await em.flush();
      return { ...info(key), key: secret };
    });
  }

  /** Every key's metadata, newest first. Never the secret, which is not stored. */
  async list(): Promise<AdminKeyInfo[]> {
    const keys = await this.em().find(AdminKey, {}, { populate: ['tenant'], orderBy: { createdAt: 'desc', id: 'desc' } });
    return keys.map(info);
  }

  /** Revokes a key; the next request that presents it is refused. */
  async revoke(id: string): Promise<AdminKeyInfo> {
    return this.em().transactional(async (em) => {
      const key = isUuid(id) ? await em.findOne(AdminKey, { id }, { populate: ['tenant'] }) : null;
      if (!key) throw new NotFoundError(`admin key "${id}" not found`);
      key.revokedAt ??= new Date();
      await em.flush();
      return info(key);
    });
  }

  /**
   * Resolves `Authorization: Bearer <key>` (RFC 6750 §2.1). Unknown and revoked keys are the same
   * UnauthenticatedError; the digest is compared in constant time.
   */
  async authenticate(secret: string): Promise<AdminPrincipal> {
    const digest = hashToken(secret);
    const rows = await sql<{ id: string; hash: string; role: AdminRole; revoked_at: Date | null; last_used_at: string | null; tenant_id: string | null; slug: string | null; name: string | null }>(
      this.em(),
      `select k.id, k.hash, k.role, k.revoked_at, k.last_used_at, t.id as tenant_id, t.slug, t.name
         from admin_key k left join tenant t on t.id = k.tenant_id
        where k.hash = ?`,
      [digest],
    );
    const row = rows[0];
    if (!row || !digestsEqual(row.hash, digest) || row.revoked_at !== null) throw new UnauthenticatedError('invalid admin key');
    if (!row.last_used_at || Date.now() - new Date(row.last_used_at).getTime() > LAST_USED_GRANULARITY_MS) {
      await sql(this.em(), 'update admin_key set last_used_at = now() where id = ?', [row.id]);
    }
    return {
      keyId: row.id,
      role: row.role,
      tenant: row.tenant_id ? { id: row.tenant_id, slug: row.slug!, name: row.name! } : null,
    };
  }
}
