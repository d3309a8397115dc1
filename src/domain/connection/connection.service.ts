import { MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Actor, RequestContext, TenantRef } from '../context';
import { InvalidValueError, NotFoundError, RefusedTokenError, UnauthenticatedError } from '../errors';
import { isUuid } from '../ids';
import { Tenant } from '../tenant/tenant.entity';
import { DEFAULT_DELETE_POLICY, DELETE_POLICIES, DeletePolicy, IDP_KINDS, IdpKind, ScimConnection } from './scim-connection.entity';
import { ScimToken } from './scim-token.entity';
import { sql, sqlPrepared } from '../../db/sql';
import { TokenCache } from './token-cache';
import { digestsEqual, displayPrefix, generateToken, hashToken } from './token-secret';

/** The channel on which rotate and revoke announce a token that must stop working (pg_notify). */
export const TOKEN_REVOKED_CHANNEL = 'provisio_token_revoked';

const DAY_MS = 86_400_000;
/** last_used_at is written at most this often per token, so authentication stays a read. */
const LAST_USED_GRANULARITY_MS = 60_000;

export interface TokenInfo {
  id: string;
  connectionId: string;
  tenantId: string;
  prefix: string;
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** Where a token stands: revoked wins over expired; a token is expired from its expiresAt on. */
export function tokenStatus(t: Pick<TokenInfo, 'revokedAt' | 'expiresAt'>, now = Date.now()): 'active' | 'expired' | 'revoked' {
  if (t.revokedAt) return 'revoked';
  return t.expiresAt.getTime() <= now ? 'expired' : 'active';
}

/** A token as issued: the secret is in this object only, never stored and never shown again. */
export interface IssuedToken extends TokenInfo {
  token: string;
}

/** Where a connection stands: deleted wins over disabled. */
export type ConnectionStatus = 'active' | 'disabled' | 'deleted';

export function connectionStatus(c: Pick<ScimConnection, 'disabledAt' | 'deletedAt'>): ConnectionStatus {
  if (c.deletedAt) return 'deleted';
  return c.disabledAt ? 'disabled' : 'active';
}

/** A connection as the edges show it. */
export interface ConnectionInfo {
  id: string;
  tenantId: string;
  idp: IdpKind;
  name: string;
  deletePolicy: DeletePolicy;
  status: ConnectionStatus;
  createdAt: Date;
  disabledAt: Date | null;
  deletedAt: Date | null;
}

export function connectionInfo(c: ScimConnection): ConnectionInfo {
  return {
    id: c.id,
    tenantId: c.tenant.id,
    idp: c.idp,
    name: c.name,
    deletePolicy: c.deletePolicy,
    status: connectionStatus(c),
    createdAt: c.createdAt,
    disabledAt: c.disabledAt ?? null,
    deletedAt: c.deletedAt ?? null,
  };
}

function deletePolicy(value: string | undefined): DeletePolicy {
  const policy = (value ?? DEFAULT_DELETE_POLICY) as DeletePolicy;
  if (!DELETE_POLICIES.includes(policy)) throw new InvalidValueError(`deletePolicy must be one of ${DELETE_POLICIES.join(', ')}`);
  return policy;
}

function connectionName(value: string): string {
  const name = value.trim();
  if (!name) throw new InvalidValueError('connection name must not be empty');
  if (name.length > 200) throw new InvalidValueError('connection name must be at most 200 characters');
  return name;
}

export interface ScimPrincipal {
  tenant: TenantRef;
  actor: Extract<Actor, { kind: 'scim' }>;
}

function info(t: ScimToken): TokenInfo {
  return {
    id: t.id,
    connectionId: t.connection.id,
    tenantId: t.tenant.id,
    prefix: t.prefix,
    createdAt: t.createdAt,
    expiresAt: t.expiresAt,
    lastUsedAt: t.lastUsedAt ?? null,
    revokedAt: t.revokedAt ?? null,
  };
}

/** SCIM connections of a tenant and their bearer tokens: issue, list, rotate, revoke, authenticate. */
export class ConnectionService {
  constructor(
    private readonly orm: MikroORM,
    private readonly limits: { defaultDays: number; maxDays: number },
    readonly tokenCache = new TokenCache(),
  ) {}

  private em(): EntityManager {
    return this.orm.em.fork() as EntityManager;
  }

  async createConnection(
    tenantId: string,
    input: { idp?: string; name?: string; days?: number; deletePolicy?: string },
  ): Promise<{ connection: ScimConnection; token: IssuedToken }> {
    const idp = (input.idp ?? 'generic') as IdpKind;
    if (!IDP_KINDS.includes(idp)) throw new InvalidValueError(`idp must be one of ${IDP_KINDS.join(', ')}`);
    const days = this.lifetime(input.days);
    const policy = deletePolicy(input.deletePolicy);
    const name = input.name === undefined || input.name.trim() === '' ? idp : connectionName(input.name);
    return this.em().transactional(async (em) => {
      const tenant = await em.findOneOrFail(Tenant, { id: tenantId, deletedAt: null }, { failHandler: () => new NotFoundError('tenant not found') });
      const connection = em.create(ScimConnection, { tenant, idp, name, deletePolicy: policy });
      const token = this.newToken(em, connection, days);
      await em.flush();
      return { connection, token };
    });
  }

  /** The tenant's connections, oldest first; deleted ones only when asked for (they stay for history). */
  async listConnections(tenantId: string, options: { includeDeleted?: boolean } = {}): Promise<ScimConnection[]> {
    return this.em().find(
      ScimConnection,
      { tenant: tenantId, ...(options.includeDeleted ? {} : { deletedAt: null }) },
      { orderBy: { createdAt: 'asc', id: 'asc' } },
    );
  }

  async getConnection(ctx: RequestContext, id: string): Promise<ConnectionInfo> {
    return connectionInfo(await this.connection(this.em(), ctx.tenant.id, id, { includeDeleted: true }));
  }

  /**
   * Renames a connection or changes its delete policy. The policy applies to DELETEs from the next
   * request on (it is read in the delete's transaction, never cached).
   */
  async updateConnection(ctx: RequestContext, id: string, input: { name?: string; deletePolicy?: string }): Promise<ConnectionInfo> {
    const policy = input.deletePolicy === undefined ? undefined : deletePolicy(input.deletePolicy);
    const name = input.name === undefined ? undefined : connectionName(input.name);
    return this.em().transactional(async (em) => {
      const connection = await this.connection(em, ctx.tenant.id, id);
      const changed: string[] = [];
      if (name !== undefined && name !== connection.name) (connection.name = name), changed.push('name');
      if (policy !== undefined && policy !== connection.deletePolicy) (connection.deletePolicy = policy), changed.push('deletePolicy');
      await em.flush();
      ctx.audit?.touched(connection.id, changed);
      if (ctx.audit && policy !== undefined) ctx.audit.note = `deletePolicy=${connection.deletePolicy}`;
      return connectionInfo(connection);
    });
  }

  /**
   * Disables a connection: each of its tokens answers 401 (audited as `connection_disabled`) until
   * it is enabled again. Token caches of every process drop its tokens at commit (pg_notify).
   */
  async disableConnection(ctx: RequestContext, id: string): Promise<ConnectionInfo> {
    return this.em().transactional(async (em) => {
      const connection = await this.connection(em, ctx.tenant.id, id);
      if (!connection.disabledAt) {
        connection.disabledAt = new Date();
        await em.flush();
        await this.announceConnection(em, connection.id);
        ctx.audit?.touched(connection.id, ['status']);
      }
      if (ctx.audit) ctx.audit.note = 'connection_disabled';
      return connectionInfo(connection);
    });
  }

  /** Enables a disabled connection again: its tokens that are neither revoked nor expired work at once. */
  async enableConnection(ctx: RequestContext, id: string): Promise<ConnectionInfo> {
    return this.em().transactional(async (em) => {
      const connection = await this.connection(em, ctx.tenant.id, id);
      if (connection.disabledAt) {
        connection.disabledAt = null;
        await em.flush();
        ctx.audit?.touched(connection.id, ['status']);
      }
      if (ctx.audit) ctx.audit.note = 'connection_enabled';
      return connectionInfo(connection);
    });
  }

  /**
   * Deletes a connection: every token of it is revoked (401 from the next request on, in every
   * process) and the connection is gone from listings. Its row stays, so the audit trail and the
   * events it caused keep naming it. Cannot be undone.
   */
  async deleteConnection(ctx: RequestContext, id: string): Promise<ConnectionInfo> {
    return this.em().transactional(async (em) => {
      const connection = await this.connection(em, ctx.tenant.id, id);
      const now = new Date();
      connection.deletedAt = now;
      await em.flush();
      await sql(em, 'update scim_token set revoked_at = ? where connection_id = ? and revoked_at is null', [now, connection.id]);
      await this.announceConnection(em, connection.id);
      ctx.audit?.touched(connection.id, ['status']);
      if (ctx.audit) ctx.audit.note = 'connection_deleted';
      return connectionInfo(connection);
    });
  }

  /**
   * Revokes every token of a tenant and marks its connections deleted, inside the caller's
   * transaction (tenant deletion); caches drop the tokens at commit.
   */
  async deleteAllOfTenant(em: EntityManager, tenantId: string, now: Date): Promise<void> {
    await sql(em, 'update scim_token set revoked_at = ? where tenant_id = ? and revoked_at is null', [now, tenantId]);
    const ids = await sql<{ id: string }>(em, 'update scim_connection set deleted_at = ? where tenant_id = ? and deleted_at is null returning id', [now, tenantId]);
    for (const { id } of ids) await this.announceConnection(em, id);
  }

  /** Drops every token of a connection from the caches of this and (at commit) every other process. */
  private async announceConnection(em: EntityManager, connectionId: string): Promise<void> {
    const tokens = await sql<{ id: string }>(em, 'select id from scim_token where connection_id = ?', [connectionId]);
    for (const t of tokens) await this.announceRevocation(em, t.id);
  }

  /** Issues one more token for a connection (for example, a second IdP instance). */
  async issueToken(tenantId: string, connectionId: string, days?: number): Promise<IssuedToken> {
    const lifetime = this.lifetime(days);
    return this.em().transactional(async (em) => {
      const connection = await this.connection(em, tenantId, connectionId);
      const token = this.newToken(em, connection, lifetime);
      await em.flush();
      return token;
    });
  }

  /** Token metadata of a tenant, newest first. Never the secret, which is not stored. */
  async listTokens(tenantId: string): Promise<TokenInfo[]> {
    const tokens = await this.em().find(ScimToken, { tenant: tenantId }, { orderBy: { createdAt: 'desc', id: 'desc' } });
    return tokens.map(info);
  }

  /**
   * Replaces a token by a new one on the same connection. The old token keeps working for
   * `overlapMinutes` (0: it stops at once), so an IdP can be reconfigured without failed requests.
   */
  async rotateToken(tenantId: string, tokenId: string, overlapMinutes = 0, days?: number): Promise<IssuedToken> {
    if (!Number.isInteger(overlapMinutes) || overlapMinutes < 0) throw new InvalidValueError('overlapMinutes must be a non-negative integer');
    const lifetime = this.lifetime(days);
    return this.em().transactional(async (em) => {
      const old = await this.token(em, tenantId, tokenId);
      if (old.revokedAt) throw new InvalidValueError('token is revoked');
      const cutoff = new Date(Date.now() + overlapMinutes * 60_000);
      if (overlapMinutes === 0) old.revokedAt = new Date();
      else if (old.expiresAt > cutoff) old.expiresAt = cutoff;
      const token = this.newToken(em, old.connection, lifetime);
      await em.flush();
      await this.announceRevocation(em, old.id);
      return token;
    });
  }

  /** Revokes a token; the next request that presents it is refused. */
  async revokeToken(tenantId: string, tokenId: string): Promise<TokenInfo> {
    return this.em().transactional(async (em) => {
      const token = await this.token(em, tenantId, tokenId);
      token.revokedAt ??= new Date();
      await em.flush();
      await this.announceRevocation(em, token.id);
      return info(token);
    });
  }

  /**
   * Drops the token from this process's cache and, at commit, notifies every other process that
   * listens (pg_notify is transactional: nothing is sent if the change rolls back).
   */
  private async announceRevocation(em: EntityManager, tokenId: string): Promise<void> {
    this.tokenCache.invalidate(tokenId);
    await sql(em, 'select pg_notify(?, ?)', [TOKEN_REVOKED_CHANNEL, tokenId]);
  }

  /**
   * Resolves a bearer token presented on a tenant's SCIM URL. Unknown, expired and revoked tokens,
   * and tokens of another tenant, are all the same 401 (RFC 6750 §3.1 invalid_token), so the
   * answer says nothing about which tenants exist. The lookup is by SHA-256 of the secret, and the
   * stored digest is compared in constant time.
   */
  async authenticate(slug: string, secret: string): Promise<ScimPrincipal> {
    const digest = hashToken(secret);
    const now = Date.now();
    const cached = this.tokenCache.get(digest, now);
    if (cached) {
      if (cached.principal.tenant.slug !== slug || cached.expiresAt <= now) throw new UnauthenticatedError('invalid bearer token');
      if (now - cached.lastUsedAt > LAST_USED_GRANULARITY_MS) {
        cached.lastUsedAt = now;
        await this.touch(cached.principal.actor.tokenId);
      }
      return cached.principal;
    }
    const rows: {
      token_id: string;
      hash: string;
      expires_at: Date;
      revoked_at: Date | null;
      last_used_at: Date | null;
      connection_id: string;
      idp: IdpKind;
      tenant_id: string;
      slug: string;
      name: string;
      connection_disabled: boolean;
      connection_deleted: boolean;
      tenant_deleted: boolean;
    }[] = await sqlPrepared(
      this.em(),
      'provisio_token_authenticate_v2',
      `select t.id as token_id, t.hash, t.expires_at, t.revoked_at, t.last_used_at,
              c.id as connection_id, c.idp, n.id as tenant_id, n.slug, n.name,
              c.disabled_at is not null as connection_disabled, c.deleted_at is not null as connection_deleted,
              n.deleted_at is not null as tenant_deleted
         from scim_token t
         join scim_connection c on c.id = t.connection_id
         join tenant n on n.id = t.tenant_id
        where t.hash = ?`,
      [digest],
    );
    const row = rows[0];
    if (!row || !digestsEqual(row.hash, digest) || row.slug !== slug) throw new UnauthenticatedError('invalid bearer token');
    // a genuine token of a disabled or deleted connection (deleting one also revokes its tokens) or
    // of a deleted tenant: the same 401, but audited with why and under whose connection
    const refused = { tenantId: row.tenant_id, actor: { kind: 'scim' as const, connectionId: row.connection_id, tokenId: row.token_id, idp: row.idp } };
    if (row.tenant_deleted) throw new RefusedTokenError('invalid bearer token', 'tenant_deleted', refused);
    if (row.connection_deleted) throw new RefusedTokenError('invalid bearer token', 'connection_deleted', refused);
    if (row.connection_disabled) throw new RefusedTokenError('this SCIM connection is disabled', 'connection_disabled', refused);
    if (row.revoked_at !== null || new Date(row.expires_at).getTime() <= now) throw new UnauthenticatedError('invalid bearer token');
    let lastUsedAt = row.last_used_at ? new Date(row.last_used_at).getTime() : 0;
    if (now - lastUsedAt > LAST_USED_GRANULARITY_MS) {
      await this.touch(row.token_id);
      lastUsedAt = now;
    }
    const principal: ScimPrincipal = {
      tenant: { id: row.tenant_id, slug: row.slug, name: row.name },
      actor: { kind: 'scim', connectionId: row.connection_id, tokenId: row.token_id, idp: row.idp },
    };
    this.tokenCache.set(digest, { principal, expiresAt: new Date(row.expires_at).getTime(), lastUsedAt }, now);
    return principal;
  }

  /** Records use, at most once a minute per token, so authentication stays a read. */
  private async touch(tokenId: string): Promise<void> {
    await sql(this.em(), 'update scim_token set last_used_at = now() where id = ?', [tokenId]);
  }

  private lifetime(days: number | undefined): number {
    const d = days ?? this.limits.defaultDays;
    if (!Number.isInteger(d) || d < 1 || d > this.limits.maxDays) {
      throw new InvalidValueError(`token lifetime must be 1 to ${this.limits.maxDays} days`);
    }
    return d;
  }

  private newToken(em: EntityManager, connection: ScimConnection, days: number): IssuedToken {
    const secret = generateToken();
    const token = em.create(ScimToken, {
      connection,
      tenant: connection.tenant,
      prefix: displayPrefix(secret),
      hash: hashToken(secret),
      expiresAt: new Date(Date.now() + days * DAY_MS),
    });
    return { ...info(token), token: secret };
  }

  /** A connection of the tenant; a deleted one only when asked for. */
  private async connection(em: EntityManager, tenantId: string, id: string, options: { includeDeleted?: boolean } = {}): Promise<ScimConnection> {
    const found = isUuid(id)
      ? await em.findOne(ScimConnection, { id, tenant: tenantId, ...(options.includeDeleted ? {} : { deletedAt: null }) })
      : null;
    if (!found) throw new NotFoundError(`SCIM connection "${id}" not found`);
    return found;
  }

  private async token(em: EntityManager, tenantId: string, id: string): Promise<ScimToken> {
    const found = isUuid(id) ? await em.findOne(ScimToken, { id, tenant: tenantId }, { populate: ['connection'] }) : null;
    if (!found) throw new NotFoundError(`token "${id}" not found`);
    return found;
  }
}
