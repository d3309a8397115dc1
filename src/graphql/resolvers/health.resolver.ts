import { Arg, Ctx, FieldResolver, Int, Mutation, Resolver, Root } from 'type-graphql';
import { phoneForms } from '../../domain/user/phone';
import { GqlContext, resolveTenant } from '../context';
import { TenantType, UserType } from '../types/directory.types';
import { ConnectionHealthType, PhoneNumberType } from '../types/health.types';
import { ScimConnectionType } from '../types/scim-connection.types';

/** A connection's mapping health (src/domain/connection/health.ts). */
@Resolver(() => ScimConnectionType)
export class ConnectionHealthResolver {
  @FieldResolver(() => ConnectionHealthType, { description: 'mapping health from live traffic over the last windowHours (1 to 168)' })
  async health(
    @Root() c: ScimConnectionType,
    @Arg('windowHours', () => Int, { defaultValue: 24 }) windowHours: number,
    @Ctx() ctx: GqlContext,
  ): Promise<ConnectionHealthType> {
    return ConnectionHealthType.from(await ctx.services.health.report(c.tenantId, c.id, windowHours));
  }
}

/** Phone numbers with their RFC 3966 forms (src/domain/user/phone.ts). */
@Resolver(() => UserType)
export class UserPhoneResolver {
  @FieldResolver(() => [PhoneNumberType], { description: "phoneNumbers as sent, each with its RFC 3966 tel: form (the tenant's phone region)" })
  async phoneNumbers(@Root() u: UserType, @Ctx() ctx: GqlContext): Promise<PhoneNumberType[]> {
    const region = await ctx.services.users.phoneRegions.of(u.tenantCtx.tenant.id);
    return phoneForms(u.attributes, region).map(PhoneNumberType.from);
  }
}

/** The tenant's default phone region. */
@Resolver(() => TenantType)
export class TenantPhoneResolver {
  @FieldResolver(() => String, { nullable: true, description: 'ISO 3166-1 region for phone numbers without a country code; null: international numbers only' })
  async phoneRegion(@Root() t: TenantType, @Ctx() ctx: GqlContext): Promise<string | null> {
    return ctx.services.users.phoneRegions.of(t.id);
  }

  @Mutation(() => String, { nullable: true, description: "sets a tenant's phone region (ISO 3166-1 alpha-2, e.g. US) or clears it with null; answers the region set" })
  async setTenantPhoneRegion(
    @Arg('tenant', () => String, { description: 'slug or id' }) tenant: string,
    @Arg('region', () => String, { nullable: true }) region: string | null,
    @Ctx() ctx: GqlContext,
  ): Promise<string | null> {
    const rctx = await resolveTenant(ctx, tenant, true);
    return ctx.services.users.phoneRegions.set(rctx.tenant.id, region ?? null);
  }
}
