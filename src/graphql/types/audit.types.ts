import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { AuditRecord } from '../../domain/audit/audit.service';
import type { OutcomeCount, LastRequest } from '../../domain/admin/stats.service';
import { PageInfo } from './relay';
import { DateTime } from './scalars';

export enum ActorKindGql {
  SCIM = 'scim',
  ADMIN = 'admin',
  SYSTEM = 'system',
  ANONYMOUS = 'anonymous',
}
registerEnumType(ActorKindGql, { name: 'ActorKind' });

export enum OutcomeGql {
  SUCCESS = 'success',
  FAILURE = 'failure',
}
registerEnumType(OutcomeGql, { name: 'Outcome', description: 'success: status below 400; failure: 400 and above' });

@InputType({ description: 'Which audit entries: every condition given must hold' })
export class AuditFilter {
  @Field(() => DateTime, { nullable: true, description: 'from this time on (inclusive)' })
  from?: Date | null;

  @Field(() => DateTime, { nullable: true, description: 'before this time (exclusive)' })
  to?: Date | null;

  @Field(() => ActorKindGql, { nullable: true })
  actorKind?: ActorKindGql | null;

  @Field(() => ID, { nullable: true, description: 'a SCIM connection id, a SCIM token id or an admin key id' })
  actorId?: string | null;

  @Field(() => ID, { nullable: true, description: 'entries that touched this resource (user, group, token, hold…)' })
  resourceId?: string | null;

  @Field(() => String, { nullable: true, description: 'exact operation, e.g. User.patch, Group.create, Admin.purgeUser' })
  operation?: string | null;

  @Field(() => OutcomeGql, { nullable: true })
  outcome?: OutcomeGql | null;
}

@ObjectType('AuditEntry', { description: 'One SCIM request or admin mutation (never a body, a password or a token)' })
export class AuditEntryType {
  @Field(() => ID)
  id!: string;

  @Field(() => DateTime)
  time!: Date;

  @Field(() => ActorKindGql)
  actorKind!: ActorKindGql;

  @Field(() => ID, { nullable: true })
  connectionId!: string | null;

  @Field(() => ID, { nullable: true })
  tokenId!: string | null;

  @Field(() => ID, { nullable: true })
  adminKeyId!: string | null;

  @Field(() => String, { nullable: true, description: 'IdP kind of the SCIM connection' })
  idp!: string | null;

  @Field()
  method!: string;

  @Field()
  path!: string;

  @Field({ description: 'e.g. User.create, Group.patch, User.search, Admin.rotateToken' })
  operation!: string;

  @Field(() => String, { nullable: true })
  filter!: string | null;

  @Field(() => Int, { description: 'HTTP status (admin mutations: 200, or the status matching their error code)' })
  status!: number;

  @Field(() => String, { nullable: true, description: 'SCIM scimType of a failure (admin mutations: the extensions.code)' })
  scimType!: string | null;

  @Field({ description: 'milliseconds' })
  latencyMs!: number;

  @Field()
  requestId!: string;

  @Field(() => [ID])
  resourceIds!: string[];

  @Field(() => [String], { description: 'names of the attributes changed' })
  changedAttributes!: string[];

  @Field(() => ID, { nullable: true, description: 'the guard hold that kept this request’s events back' })
  holdId!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'what the operation alone does not say: the delete policy a User.delete applied (deletePolicy=delete|deactivate), why a genuine token was refused (connection_disabled, connection_deleted, tenant_deleted), a connection lifecycle change',
  })
  note!: string | null;

  static from(r: AuditRecord): AuditEntryType {
    return Object.assign(new AuditEntryType(), { ...r, actorKind: r.actorKind as ActorKindGql });
  }
}

@ObjectType('AuditEntryEdge')
export class AuditEntryEdge {
  @Field()
  cursor!: string;

  @Field(() => AuditEntryType)
  node!: AuditEntryType;
}

@ObjectType('AuditEntryConnection', { description: 'Audit entries, newest first (keyset-paged: no totalCount, which would count the whole trail)' })
export class AuditEntryConnection {
  @Field(() => [AuditEntryEdge])
  edges!: AuditEntryEdge[];

  @Field(() => [AuditEntryType])
  nodes!: AuditEntryType[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@ObjectType('RequestOutcomeCount', { description: 'Requests of one tenant and actor with one outcome, from the audit trail' })
export class RequestOutcomeCount {
  @Field(() => ID)
  tenantId!: string;

  @Field(() => ActorKindGql)
  actorKind!: ActorKindGql;

  @Field(() => ID, { nullable: true, description: 'the SCIM connection (null for admin mutations and refused requests)' })
  connectionId!: string | null;

  @Field({ description: 'status class: 2xx, 3xx, 4xx, 5xx' })
  statusClass!: string;

  @Field(() => String, { nullable: true, description: 'scimType (admin mutations: extensions.code), when there was one' })
  scimType!: string | null;

  @Field(() => Int)
  count!: number;

  static from(c: OutcomeCount): RequestOutcomeCount {
    return Object.assign(new RequestOutcomeCount(), { ...c, actorKind: c.actorKind as ActorKindGql });
  }
}

@ObjectType('LastRequest', { description: "A SCIM connection's last request, from the audit trail (exact, unlike tokens' minute-precision lastUsedAt)" })
export class LastRequestType {
  @Field(() => DateTime)
  time!: Date;

  @Field()
  operation!: string;

  @Field(() => Int)
  status!: number;

  @Field(() => String, { nullable: true })
  scimType!: string | null;

  static from(l: LastRequest): LastRequestType {
    return Object.assign(new LastRequestType(), l);
  }
}
