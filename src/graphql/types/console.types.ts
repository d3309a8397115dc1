import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import type { AdminKeyInfo } from '../../domain/admin/admin-key.service';
import type { SetupLinkInfo } from '../../domain/setup-link/setup-link.service';
import { DateTime } from './scalars';
import { IdpKindGql, ScimTokenType } from './scim-connection.types';

export enum AdminRoleGql {
  ADMIN = 'admin',
  AUDITOR = 'auditor',
}
registerEnumType(AdminRoleGql, { name: 'AdminRole' });

export enum SetupLinkStateGql {
  PENDING = 'pending',
  COMPLETED = 'completed',
  REVOKED = 'revoked',
  EXPIRED = 'expired',
}
registerEnumType(SetupLinkStateGql, { name: 'SetupLinkState' });

@ObjectType('Viewer', { description: 'the admin key making the request: what the console shows and enables' })
export class ViewerType {
  @Field(() => ID)
  keyId!: string;

  @Field(() => AdminRoleGql, { description: 'admin: reads and changes; auditor: reads only' })
  role!: AdminRoleGql;

  @Field(() => String, { nullable: true, description: 'slug of the one tenant the key is limited to; null: every tenant' })
  tenant!: string | null;
}

@ObjectType('AdminKey', { description: "An admin key's metadata (the secret is shown only when created)" })
export class AdminKeyType {
  @Field(() => ID)
  id!: string;

  @Field(() => AdminRoleGql)
  role!: AdminRoleGql;

  @Field(() => String, { nullable: true, description: 'slug of the tenant it is limited to' })
  tenant!: string | null;

  @Field()
  prefix!: string;

  @Field(() => DateTime)
  createdAt!: Date;

  @Field(() => DateTime, { nullable: true })
  lastUsedAt!: Date | null;

  @Field(() => DateTime, { nullable: true })
  revokedAt!: Date | null;

  static from(k: AdminKeyInfo): AdminKeyType {
    return Object.assign(new AdminKeyType(), { ...k, role: k.role as AdminRoleGql });
  }
}

@ObjectType('CreatedAdminKey')
export class CreatedAdminKey {
  @Field(() => AdminKeyType)
  info!: AdminKeyType;

  @Field({ description: 'the key itself: shown only in this response' })
  key!: string;
}

@ObjectType('SetupLink', { description: 'A self-serve setup link of a tenant (the secret is shown only when created)' })
export class SetupLinkType {
  @Field(() => ID)
  id!: string;

  @Field(() => IdpKindGql)
  idp!: IdpKindGql;

  @Field({ description: 'the first characters of the secret, to recognise the link' })
  prefix!: string;

  @Field(() => SetupLinkStateGql)
  state!: SetupLinkStateGql;

  @Field(() => DateTime)
  createdAt!: Date;

  @Field(() => DateTime)
  expiresAt!: Date;

  @Field(() => DateTime, { nullable: true })
  openedAt!: Date | null;

  @Field(() => DateTime, { nullable: true })
  completedAt!: Date | null;

  @Field(() => DateTime, { nullable: true })
  revokedAt!: Date | null;

  @Field(() => ID, { nullable: true, description: 'the connection the completed link created' })
  connectionId!: string | null;

  static from(l: SetupLinkInfo): SetupLinkType {
    return Object.assign(new SetupLinkType(), { ...l, idp: l.idp as IdpKindGql, state: l.state as SetupLinkStateGql });
  }
}

@ObjectType('CreatedSetupLink')
export class CreatedSetupLink {
  @Field(() => SetupLinkType)
  link!: SetupLinkType;

  @Field({ description: 'the secret: shown only in this response' })
  secret!: string;

  @Field({ description: 'the page to send to the customer (the secret is in the fragment, which browsers never send to a server)' })
  url!: string;
}

@ObjectType('PublicSetupLink', { description: 'What the public setup page learns from a valid secret' })
export class PublicSetupLink {
  @Field({ description: "the tenant's display name" })
  tenantName!: string;

  @Field(() => IdpKindGql)
  idp!: IdpKindGql;

  @Field(() => DateTime)
  expiresAt!: Date;

  @Field({ description: 'the SCIM base URL the connection will use' })
  scimUrl!: string;
}

@ObjectType('CompletedSetupLink')
export class CompletedSetupLink {
  @Field()
  scimUrl!: string;

  @Field({ description: 'the bearer token: shown only in this response' })
  token!: string;

  @Field(() => ScimTokenType)
  tokenInfo!: ScimTokenType;

  @Field(() => ID)
  connectionId!: string;

  @Field(() => IdpKindGql)
  idp!: IdpKindGql;
}
