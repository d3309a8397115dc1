import { MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { randomBytes } from 'node:crypto';
import type { AuditService } from '../audit/audit.service';
import type { ConnectionService, IssuedToken } from '../connection/connection.service';
import { IDP_KINDS, IdpKind } from '../connection/scim-connection.entity';
import { digestsEqual, hashToken } from '../connection/token-secret';
import type { RequestContext, TenantRef } from '../context';
import { InvalidValueError, NotFoundError } from '../errors';
import { isUuid } from '../ids';
import { Tenant } from '../tenant/tenant.entity';
import { SetupLink } from './setup-link.entity';

const DAY_MS = 86_400_000;
/** Recognisable prefix of a setup link's secret. */
export const SETUP_SECRET_PREFIX = 'prvsetup_';
export const SETUP_LINK_DEFAULT_DAYS = 7;
export const SETUP_LINK_MAX_DAYS = 90;

export type SetupLinkState = 'pending' | 'completed' | 'revoked' | 'expired';

export interface SetupLinkInfo {
  id: string;
  tenantId: string;
  idp: IdpKind;
  prefix: string;
  createdAt: Date;
  expiresAt: Date;
  openedAt: Date | null;
  completedAt: Date | null;
  revokedAt: Date | null;
  connectionId: string | null;
  state: SetupLinkState;
}

/** What the public setup page may learn from a valid secret: nothing beyond the tenant's name and the IdP. */
export interface OpenedSetupLink {
  tenant: TenantRef;
  idp: IdpKind;
  expiresAt: Date;
}

/** Where a link stands: revoked, then completed, then expired win over pending. */
export function setupLinkState(l: Pick<SetupLink, 'revokedAt' | 'completedAt' | 'expiresAt'>, now = Date.now()): SetupLinkState {
  if (l.revokedAt) return 'revoked';
  if (l.completedAt) return 'completed';
  return l.expiresAt.getTime() <= now ? 'expired' : 'pending';
}

function info(l: SetupLink): SetupLinkInfo {
  return {
    id: l.id,
    tenantId: l.tenant.id,
    idp: l.idp as IdpKind,
    prefix: l.prefix,
    createdAt: l.createdAt,
    expiresAt: l.expiresAt,
    openedAt: l.openedAt ?? null,
    completedAt: l.completedAt ?? null,
    revokedAt: l.revokedAt ?? null,
    connectionId: l.connectionId ?? null,
    state: setupLinkState(l),
  };
}

/** The message a refused secret gets: the same for every reason a stranger could probe. */
const REFUSED: Record<Exclude<SetupLinkState, 'pending'>, string> = {
  completed: 'this setup link has already been used',
  revoked: 'this setup link has been revoked',
  expired: 'this setup link has expired',
};

/**
 * Self-serve setup links (an "admin portal"): an admin creates one for a tenant and an IdP kind;
 * whoever holds the secret may create exactly one SCIM connection of that tenant. Opening,
 * completion, refusals and expiry are written to the tenant's audit trail (actor: anonymous).
 */
export class SetupLinkService {
  constructor(
    private readonly orm: MikroORM,
    private readonly connections: ConnectionService,
    private readonly audit: AuditService,
  ) {}

  private em(): EntityManager {
    return this.orm.em.fork() as EntityManager;
  }

  /** A new link; the secret is in the result only, never stored. */
  async create(ctx: RequestContext, input: { idp: string; days?: number | null }): Promise<{ link: SetupLinkInfo; secret: string }> {
    const idp = input.idp.toLowerCase() as IdpKind;
    if (!IDP_KINDS.includes(idp)) throw new InvalidValueError(`idp must be one of ${IDP_KINDS.join(', ')}`);
    const days = input.days ?? SETUP_LINK_DEFAULT_DAYS;
    if (!Number.isInteger(days) || days < 1 || days > SETUP_LINK_MAX_DAYS) throw new InvalidValueError(`a setup link is valid for 1 to ${SETUP_LINK_MAX_DAYS} days`);
    const secret = SETUP_SECRET_PREFIX + randomBytes(32).toString('base64url');
    return this.em().transactional(async (em) => {
      const tenant = await em.findOneOrFail(Tenant, ctx.tenant.id, { failHandler: () => new NotFoundError('tenant not found') });
      const link = em.create(SetupLink, {
        tenant,
        idp,
        hash: hashToken(secret),
        prefix: secret.slice(0, SETUP_SECRET_PREFIX.length + 6),
        createdBy: ctx.actor.kind === 'admin' ? (ctx.actor.keyId ?? null) : null,
        expiresAt: new Date(Date.now() + days * DAY_MS),
      });
      await em.flush();
      ctx.audit?.touched(link.id);
      return { link: info(link), secret };
    });
  }

  /** The tenant's links, newest first. */
  async list(tenantId: string): Promise<SetupLinkInfo[]> {
    const links = await this.em().find(SetupLink, { tenant: tenantId }, { orderBy: { createdAt: 'desc', id: 'desc' } });
    return links.map(info);
  }

  /** Revokes a link: from now on it opens nothing. A completed link's connection stays. */
  async revoke(ctx: RequestContext, id: string): Promise<SetupLinkInfo> {
    return this.em().transactional(async (em) => {
      const link = isUuid(id) ? await em.findOne(SetupLink, { id, tenant: ctx.tenant.id }) : null;
      if (!link) throw new NotFoundError(`setup link "${id}" not found`);
      link.revokedAt ??= new Date();
      await em.flush();
      ctx.audit?.touched(link.id);
      return info(link);
    });
  }

  /** Opens a link for the public setup page: audited as setupLink.open (or refused, and that audited too). */
  async open(secret: string, requestId: string): Promise<OpenedSetupLink> {
    const started = Date.now();
    const em = this.em();
    const link = await this.find(em, secret);
    const state = setupLinkState(link);
    if (state !== 'pending') {
      await this.refuse(em, link, state, 'setupLink.open', requestId, started);
    }
    if (!link.openedAt) await em.nativeUpdate(SetupLink, { id: link.id, openedAt: null }, { openedAt: new Date() });
    await this.record(link, 'setupLink.open', 200, null, requestId, started);
    return { tenant: { id: link.tenant.id, slug: link.tenant.slug, name: link.tenant.name }, idp: link.idp as IdpKind, expiresAt: link.expiresAt };
  }

  /**
   * Completes a link: one new connection of the link's tenant and IdP kind, with its first token.
   * The link is claimed by one conditional UPDATE, so two concurrent completions cannot both win;
   * if creating the connection then fails, the claim is given back (no half-used link).
   */
  async complete(
    secret: string,
    input: { days?: number | null; name?: string | null },
    requestId: string,
  ): Promise<{ tenant: TenantRef; idp: IdpKind; connectionId: string; token: IssuedToken }> {
    const started = Date.now();
    const em = this.em();
    const link = await this.find(em, secret);
    const now = new Date();
    const claimed = await em.nativeUpdate(
      SetupLink,
      { id: link.id, completedAt: null, revokedAt: null, expiresAt: { $gt: now } },
      { completedAt: now, openedAt: link.openedAt ?? now },
    );
    if (claimed === 0) {
      await em.refresh(link);
      await this.refuse(em, link, setupLinkState(link) === 'pending' ? 'completed' : setupLinkState(link), 'setupLink.complete', requestId, started);
    }
    let created;
    try {
      created = await this.connections.createConnection(link.tenant.id, {
        idp: link.idp,
        name: input.name?.trim() || `${link.idp} (setup link)`,
        ...(input.days != null ? { days: input.days } : {}),
      });
    } catch (e) {
      await em.nativeUpdate(SetupLink, { id: link.id }, { completedAt: null });
      await this.record(link, 'setupLink.complete', 400, 'invalidValue', requestId, started);
      throw e;
    }
    await em.nativeUpdate(SetupLink, { id: link.id }, { connectionId: created.connection.id });
    await this.record(link, 'setupLink.complete', 200, null, requestId, started, [link.id, created.connection.id]);
    return {
      tenant: { id: link.tenant.id, slug: link.tenant.slug, name: link.tenant.name },
      idp: link.idp as IdpKind,
      connectionId: created.connection.id,
      token: created.token,
    };
  }

  private async find(em: EntityManager, secret: string): Promise<SetupLink> {
    const digest = hashToken(typeof secret === 'string' ? secret.trim() : '');
    const link = secret ? await em.findOne(SetupLink, { hash: digest }, { populate: ['tenant'] }) : null;
    if (!link || !digestsEqual(link.hash, digest)) throw new NotFoundError('this setup link is not valid');
    return link;
  }

  /** Audits the refusal (an expired link's expiry once as setupLink.expired) and throws. */
  private async refuse(em: EntityManager, link: SetupLink, state: SetupLinkState, operation: string, requestId: string, started: number): Promise<never> {
    if (state === 'expired' && !link.expiryAudited) {
      const first = await em.nativeUpdate(SetupLink, { id: link.id, expiryAudited: false }, { expiryAudited: true });
      if (first) await this.record(link, 'setupLink.expired', 410, 'expired', requestId, started);
    }
    await this.record(link, operation, 410, state, requestId, started);
    throw new NotFoundError(REFUSED[state as Exclude<SetupLinkState, 'pending'>]);
  }

  private async record(link: SetupLink, operation: string, status: number, reason: string | null, requestId: string, started: number, ids = [link.id]) {
    await this.audit.record({
      tenantId: link.tenant.id,
      actor: { kind: 'anonymous' },
      method: 'POST',
      path: '/graphql',
      operation,
      status,
      scimType: reason,
      latencyMs: Date.now() - started,
      requestId,
      resourceIds: ids,
    });
  }
}
