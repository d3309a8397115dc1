import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { RequestContext } from '../../domain/context';
import type { GroupRecord } from '../../domain/group/group.service';
import type { Tenant } from '../../domain/tenant/tenant.entity';
import type { UserRecord } from '../../domain/user/user.service';
import { connectionType } from './relay';
import { DateTime, JSON } from './scalars';

@ObjectType('Tenant', { description: 'A customer of the service; its users and groups come from its identity providers over SCIM' })
export class TenantType {
  @Field(() => ID)
  id!: string;

  @Field()
  slug!: string;

  @Field()
  name!: string;

  @Field({ description: "the tenant's SCIM base URL" })
  scimUrl!: string;

  @Field(() => DateTime)
  createdAt!: Date;

  @Field(() => DateTime)
  updatedAt!: Date;

  static from(t: Tenant, scimUrl: string): TenantType {
    return Object.assign(new TenantType(), { id: t.id, slug: t.slug, name: t.name, scimUrl, createdAt: t.createdAt, updatedAt: t.updatedAt });
  }
}

@ObjectType('User', { description: 'A provisioned user (RFC 7643 §4.1); read-only here: the IdP is the source of truth' })
export class UserType {
  @Field(() => ID)
  id!: string;

  @Field()
  userName!: string;

  @Field(() => String, { nullable: true })
  externalId!: string | null;

  @Field(() => String, { nullable: true })
  displayName!: string | null;

  @Field()
  active!: boolean;

  @Field(() => Int, { description: 'meta.version: incremented on every change' })
  version!: number;

  @Field(() => DateTime, { description: 'meta.created' })
  createdAt!: Date;

  @Field(() => DateTime, { description: 'meta.lastModified' })
  updatedAt!: Date;

  @Field(() => JSON, { description: 'the SCIM document as the IdP sent it (normalised), extensions under their URN' })
  attributes!: Record<string, unknown>;

  /** the tenant the user was read in, for nested fields */
  tenantCtx!: RequestContext;
  groupIds!: string[];

  static from(u: UserRecord, tenantCtx: RequestContext): UserType {
    const doc = u.doc;
    return Object.assign(new UserType(), {
      id: u.id,
      userName: doc.userName as string,
      externalId: (doc.externalId as string | undefined) ?? null,
      displayName: (doc.displayName as string | undefined) ?? null,
      active: u.active,
      version: u.version,
      createdAt: u.createdAt,
      updatedAt: u.updatedAt,
      attributes: doc,
      tenantCtx,
      groupIds: u.groups.map((g) => g.id),
    });
  }
}

@ObjectType('Group', { description: 'A provisioned group (RFC 7643 §4.2)' })
export class GroupType {
  @Field(() => ID)
  id!: string;

  @Field()
  displayName!: string;

  @Field(() => String, { nullable: true })
  externalId!: string | null;

  @Field(() => Int)
  version!: number;

  @Field(() => DateTime)
  createdAt!: Date;

  @Field(() => DateTime)
  updatedAt!: Date;

  @Field(() => JSON, { description: 'the SCIM document without members' })
  attributes!: Record<string, unknown>;

  tenantCtx!: RequestContext;

  static from(g: GroupRecord, tenantCtx: RequestContext): GroupType {
    return Object.assign(new GroupType(), {
      id: g.id,
      displayName: g.doc.displayName as string,
      externalId: (g.doc.externalId as string | undefined) ?? null,
      version: g.version,
      createdAt: g.createdAt,
      updatedAt: g.updatedAt,
      attributes: g.doc,
      tenantCtx,
    });
  }
}

export const UserConnection = connectionType(UserType, 'User');
export const GroupConnection = connectionType(GroupType, 'Group');
