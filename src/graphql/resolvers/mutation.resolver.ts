import { Arg, Ctx, Field, ID, InputType, Int, Mutation, Resolver } from 'type-graphql';
import { assertAllTenants, assertCanMutate } from '../../domain/admin/admin-principal';
import { scimBaseUrl } from '../../scim/urls';
import { GqlContext, resolveTenant } from '../context';
import { TenantType, UserType } from '../types/directory.types';
import { CreatedScimConnection, DeletePolicyGql, IdpKindGql, IssuedScimToken, ScimConnectionType, ScimTokenType } from '../types/scim-connection.types';

@InputType()
class CreateTenantInput {
  @Field()
  name!: string;

  @Field(() => String, { nullable: true, description: 'URL slug; default: derived from the name' })
  slug?: string | null;
}

@InputType({ description: 'The slug cannot change: it is part of the SCIM URL the IdPs are configured with' })
class UpdateTenantInput {
  @Field(() => String, { nullable: true })
  name?: string | null;
}

/**
 * Changes an admin key with role `admin` may make. None edits a SCIM-managed attribute: the IdP
 * stays the source of truth for profile data.
 */
@Resolver()
export class MutationResolver {
  @Mutation(() => TenantType, { description: 'needs a key that is not limited to a tenant' })
  async createTenant(@Arg('input', () => CreateTenantInput) input: CreateTenantInput, @Ctx() ctx: GqlContext): Promise<TenantType> {
    assertCanMutate(ctx.principal);
    assertAllTenants(ctx.principal);
    const t = await ctx.services.tenants.create({ name: input.name, ...(input.slug ? { slug: input.slug } : {}) });
    return TenantType.from(t, scimBaseUrl(ctx.config, t.slug));
  }

  @Mutation(() => TenantType)
  async updateTenant(
    @Arg('tenant', () => String, { description: 'slug or id' }) tenant: string,
    @Arg('input', () => UpdateTenantInput) input: UpdateTenantInput,
    @Ctx() ctx: GqlContext,
  ): Promise<TenantType> {
    const rctx = await resolveTenant(ctx, tenant, true);
    const t = await ctx.services.tenants.update(rctx.tenant.id, { ...(input.name != null ? { name: input.name } : {}) });
    ctx.loaders.tenant.clearAll();
    return TenantType.from(t, scimBaseUrl(ctx.config, t.slug));
  }

  @Mutation(() => CreatedScimConnection, { description: 'a SCIM connection for an IdP, with its first token (shown only here)' })
  async createScimConnection(
    @Arg('tenant', () => String) tenant: string,
    @Arg('idp', () => IdpKindGql) idp: IdpKindGql,
    @Ctx() ctx: GqlContext,
    @Arg('name', () => String, { nullable: true }) name?: string | null,
    @Arg('days', () => Int, { nullable: true, description: 'token lifetime in days (default 365)' }) days?: number | null,
    @Arg('deletePolicy', () => DeletePolicyGql, { nullable: true, description: 'default: deactivate' }) deletePolicy?: DeletePolicyGql | null,
  ): Promise<CreatedScimConnection> {
    const rctx = await resolveTenant(ctx, tenant, true);
    const { connection, token } = await ctx.services.connections.createConnection(rctx.tenant.id, {
      idp,
      ...(name ? { name } : {}),
      ...(days != null ? { days } : {}),
      ...(deletePolicy ? { deletePolicy } : {}),
    });
    if (rctx.audit) rctx.audit.note = `deletePolicy=${connection.deletePolicy}`;
    return {
      connection: ScimConnectionType.from({
        connectionId: connection.id,
        tenantId: rctx.tenant.id,
        idp: connection.idp,
        name: connection.name,
        lastRequestAt: null,
        activeTokens: 1,
        deletePolicy: connection.deletePolicy,
        status: 'active',
        createdAt: connection.createdAt,
        disabledAt: null,
        deletedAt: null,
      }),
      scimUrl: scimBaseUrl(ctx.config, rctx.tenant.slug),
      token: token.token,
      tokenInfo: ScimTokenType.from(token),
    };
  }

  @Mutation(() => IssuedScimToken, { description: 'a new token for the same connection; the old one keeps working for overlapMinutes, then stops' })
  async rotateToken(
    @Arg('tenant', () => String) tenant: string,
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: GqlContext,
    @Arg('overlapMinutes', () => Int, { defaultValue: 0 }) overlapMinutes: number,
    @Arg('days', () => Int, { nullable: true }) days?: number | null,
  ): Promise<IssuedScimToken> {
    const rctx = await resolveTenant(ctx, tenant, true);
    const issued = await ctx.services.connections.rotateToken(rctx.tenant.id, id, overlapMinutes, days ?? undefined);
    return { token: issued.token, scimUrl: scimBaseUrl(ctx.config, rctx.tenant.slug), info: ScimTokenType.from(issued) };
  }

  @Mutation(() => ScimTokenType, { description: 'refused from the next request on' })
  async revokeToken(@Arg('tenant', () => String) tenant: string, @Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext): Promise<ScimTokenType> {
    const rctx = await resolveTenant(ctx, tenant, true);
    return ScimTokenType.from(await ctx.services.connections.revokeToken(rctx.tenant.id, id));
  }

  @Mutation(() => ID, { description: 'erases a deleted user for good (an erasure request); a live user must be deleted by its IdP first' })
  async purgeUser(@Arg('tenant', () => String) tenant: string, @Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext): Promise<string> {
    const rctx = await resolveTenant(ctx, tenant, true);
    await ctx.services.users.purge(rctx, id);
    return id;
  }

  @Mutation(() => UserType, { description: 'undoes a delete: the user comes back with its old id and document, without group memberships' })
  async restoreUser(@Arg('tenant', () => String) tenant: string, @Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext): Promise<UserType> {
    const rctx = await resolveTenant(ctx, tenant, true);
    return UserType.from(await ctx.services.users.restore(rctx, id), rctx);
  }
}
