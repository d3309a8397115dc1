import { Field, Int, ObjectType } from 'type-graphql';
import type { HealthReport } from '../../domain/connection/health';
import type { PhoneForm } from '../../domain/user/phone';
import { DateTime } from './scalars';

@ObjectType({ description: 'A phone number as the IdP sent it, with its RFC 3966 form' })
export class PhoneNumberType {
  @Field({ description: 'the value exactly as sent' })
  value!: string;

  @Field(() => String, { nullable: true })
  type!: string | null;

  @Field()
  primary!: boolean;

  @Field(() => String, { nullable: true, description: "RFC 3966 tel: URI (tel:+14255550100), read with the tenant's phone region; null when it cannot be read" })
  tel!: string | null;

  static from(p: PhoneForm): PhoneNumberType {
    return Object.assign(new PhoneNumberType(), { value: p.value, type: p.type ?? null, primary: p.primary === true, tel: p.tel });
  }
}

@ObjectType({ description: 'How many users lacked one mandatory attribute' })
export class MissingAttributeCount {
  @Field({ description: 'emails[type eq "work"], name.givenName, name.familyName or externalId' })
  attribute!: string;

  @Field(() => Int)
  users!: number;
}

@ObjectType({ description: 'An attribute no schema of the tenant defines, ignored on input' })
export class UnknownAttributeCount {
  @Field()
  attribute!: string;

  @Field(() => Int, { description: 'writes that carried it' })
  count!: number;
}

@ObjectType({ description: 'One distinct refused request (status, scimType, detail)' })
export class HealthError {
  @Field(() => Int)
  status!: number;

  @Field(() => String, { nullable: true })
  scimType!: string | null;

  @Field({ description: 'the detail the client was answered' })
  detail!: string;

  @Field(() => Int, { description: 'times seen in the window' })
  count!: number;

  @Field(() => DateTime)
  lastSeen!: Date;

  @Field({ description: 'the method and path of its last occurrence' })
  lastRequest!: string;
}

@ObjectType({ description: "A connection's mapping health over a recent window, from its live traffic (docs/idp-profiles.md)" })
export class ConnectionHealthType {
  @Field(() => DateTime)
  from!: Date;

  @Field(() => DateTime)
  to!: Date;

  @Field(() => Int, { description: 'user creates, replaces and patches' })
  userWrites!: number;

  @Field(() => Int, { description: 'group creates, replaces and patches' })
  groupWrites!: number;

  @Field(() => Int, { description: 'distinct users written' })
  users!: number;

  @Field(() => Int, { description: "users lacking one or more of the attributes Entra's guide marks mandatory" })
  usersMissingMandatory!: number;

  @Field(() => [MissingAttributeCount])
  missing!: MissingAttributeCount[];

  @Field(() => Int, { description: 'phone numbers without an RFC 3966 form' })
  unparsablePhones!: number;

  @Field(() => Int)
  usersWithUnparsablePhones!: number;

  @Field(() => [UnknownAttributeCount], { description: 'most frequent first' })
  unknownAttributes!: UnknownAttributeCount[];

  @Field(() => Int, { description: 'writes whose enterprise manager named no user of the tenant (kept as sent)' })
  unknownManagers!: number;

  @Field(() => Int, { description: 'refused requests' })
  errors!: number;

  @Field(() => [HealthError], { description: 'the last 10 distinct errors, newest first' })
  recentErrors!: HealthError[];

  static from(r: HealthReport): ConnectionHealthType {
    return Object.assign(new ConnectionHealthType(), {
      ...r,
      missing: r.missing.map((m) => Object.assign(new MissingAttributeCount(), m)),
      unknownAttributes: r.unknownAttributes.map((u) => Object.assign(new UnknownAttributeCount(), u)),
      recentErrors: r.recentErrors.map((e) =>
        Object.assign(new HealthError(), { status: e.status, scimType: e.scimType, detail: e.detail, count: e.count, lastSeen: e.lastSeen, lastRequest: `${e.method} ${e.path}` }),
      ),
    });
  }
}
