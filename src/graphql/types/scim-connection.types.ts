import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { ConnectionActivity } from '../../domain/admin/stats.service';
import { tokenStatus, type TokenInfo } from '../../domain/connection/connection.service';
import { DateTime } from './scalars';

/** The IdP kinds with a compatibility profile (src/domain/connection/scim-connection.entity.ts). */
export enum IdpKindGql {
  ENTRA = 'entra',
  OKTA = 'okta',
  JUMPCLOUD = 'jumpcloud',
  GENERIC = 'generic',
  /** RFC 7643/7644 as written, nothing lenient (conformance testing) */
  STRICT = 'strict',
}
registerEnumType(IdpKindGql, { name: 'IdpKind' });

export enum TokenStatus {
  ACTIVE = 'active',
  EXPIRED = 'expired',
  REVOKED = 'revoked',
}
registerEnumType(TokenStatus, { name: 'TokenStatus' });

/** What a SCIM DELETE of a user does on this connection (DELETE_POLICIES in the domain). */
export enum DeletePolicyGql {
  DELETE = 'delete',
  DEACTIVATE = 'deactivate',
}
registerEnumType(DeletePolicyGql, {
  name: 'DeletePolicy',
  description: 'What a SCIM DELETE of a user does (the user is 404 over SCIM afterwards either way, RFC 7644 §3.6)',
  valuesConfig: {
    DELETE: { description: 'tombstone, memberships removed, downstream gets user.deleted' },
    DEACTIVATE: { description: 'downstream gets user.deactivated, memberships are held; a re-POST with the same userName or externalId brings the user back with its groups (user.reactivated)' },
  },
});

export enum ConnectionStatusGql {
  ACTIVE = 'active',
  DISABLED = 'disabled',
  DELETED = 'deleted',
}
registerEnumType(ConnectionStatusGql, {
  name: 'ScimConnectionStatus',
  valuesConfig: {
    DISABLED: { description: 'its tokens answer 401 until the connection is enabled again' },
    DELETED: { description: 'its tokens are revoked; kept for history' },
  },
});

@ObjectType('ScimToken', { description: "A SCIM bearer token's metadata. The secret is never stored, so never shown after creation" })
export class ScimTokenType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  connectionId!: string;

  @Field({ description: 'the first characters of the token, to recognise it' })
  prefix!: string;

  @Field(() => DateTime)
  createdAt!: Date;

  @Field(() => DateTime)
  expiresAt!: Date;

  @Field(() => DateTime, { nullable: true, description: 'last authenticated request (minute precision)' })
  lastUsedAt!: Date | null;

  @Field(() => DateTime, { nullable: true })
  revokedAt!: Date | null;

  @Field(() => TokenStatus)
  status!: TokenStatus;

  static from(t: TokenInfo, now = Date.now()): ScimTokenType {
    const status = tokenStatus(t, now) as TokenStatus; // the enum's values are the domain's names
    return Object.assign(new ScimTokenType(), {
      id: t.id,
      connectionId: t.connectionId,
      prefix: t.prefix,
      createdAt: t.createdAt,
      expiresAt: t.expiresAt,
      lastUsedAt: t.lastUsedAt,
      revokedAt: t.revokedAt,
      status,
    });
  }
}

@ObjectType('ScimConnection', { description: "One IdP's SCIM client configuration of a tenant" })
export class ScimConnectionType {
  @Field(() => ID)
  id!: string;

  @Field(() => IdpKindGql)
  idp!: IdpKindGql;

  @Field()
  name!: string;

  @Field(() => DateTime, { nullable: true, description: 'the last request any of its tokens authenticated (minute precision)' })
  lastRequestAt!: Date | null;

  @Field(() => Int, { description: 'tokens neither revoked nor expired' })
  activeTokens!: number;

  @Field(() => DeletePolicyGql)
  deletePolicy!: DeletePolicyGql;

  @Field(() => ConnectionStatusGql)
  status!: ConnectionStatusGql;

  @Field(() => DateTime)
  createdAt!: Date;

  @Field(() => DateTime, { nullable: true })
  disabledAt!: Date | null;

  @Field(() => DateTime, { nullable: true })
  deletedAt!: Date | null;

  tenantId!: string;

  static from(c: ConnectionActivity): ScimConnectionType {
    return Object.assign(new ScimConnectionType(), {
      id: c.connectionId,
      idp: c.idp as IdpKindGql,
      name: c.name,
      lastRequestAt: c.lastRequestAt,
      activeTokens: c.activeTokens,
      tenantId: c.tenantId,
      deletePolicy: c.deletePolicy as DeletePolicyGql,
      status: c.status as ConnectionStatusGql,
      createdAt: c.createdAt,
      disabledAt: c.disabledAt,
      deletedAt: c.deletedAt,
    });
  }
}

@ObjectType({ description: 'A new SCIM token: `token` is shown only in this response' })
export class IssuedScimToken {
  @Field({ description: 'the bearer token; it is not stored and cannot be shown again' })
  token!: string;

  @Field({ description: "the tenant's SCIM base URL to configure in the IdP" })
  scimUrl!: string;

  @Field(() => ScimTokenType)
  info!: ScimTokenType;
}

@ObjectType({ description: 'A new SCIM connection with its first token (shown only in this response)' })
export class CreatedScimConnection {
  @Field(() => ScimConnectionType)
  connection!: ScimConnectionType;

  @Field()
  scimUrl!: string;

  @Field({ description: 'the bearer token; it is not stored and cannot be shown again' })
  token!: string;

  @Field(() => ScimTokenType)
  tokenInfo!: ScimTokenType;
}
