import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { assertAllTenants, assertCanMutate } from '../../domain/admin/admin-principal';
import { scimBaseUrl } from '../../scim/urls';
import { GqlContext, resolveTenant, tenantContext } from '../context';
import { TenantType } from '../types/directory.types';
import {
  AdminKeyType,
  AdminRoleGql,
  CompletedSetupLink,
  CreatedAdminKey,
  CreatedSetupLink,
  PublicSetupLink,
  SetupLinkType,
  ViewerType,
} from '../types/console.types';
import { IdpKindGql, ScimTokenType } from '../types/scim-connection.types';

/** The path of the public setup page; the secret goes in the URL fragment. */
export const SETUP_PAGE_PATH = '/admin/setup';

/** Root fields a request without an admin key may use: the public setup page's two operations. */
export const PUBLIC_FIELDS = new Set(['setupLink', 'completeSetupLink']);

/** What the admin console needs beyond the directory API: who is signed in, admin keys, setup links. */
@Resolver()
export class ConsoleResolver {
  @Query(() => ViewerType, { description: 'the admin key making this request' })
  viewer(@Ctx() ctx: GqlContext): ViewerType {
    return Object.assign(new ViewerType(), { keyId: ctx.principal.keyId, role: ctx.principal.role as AdminRoleGql, tenant: ctx.principal.tenant?.slug ?? null });
  }

  @Query(() => [AdminKeyType], { description: 'every admin key, newest first (needs an unscoped admin key)' })
  async adminKeys(@Ctx() ctx: GqlContext): Promise<AdminKeyType[]> {
    assertCanMutate(ctx.principal);
    assertAllTenants(ctx.principal);
    return (await ctx.services.adminKeys.list()).map(AdminKeyType.from);
  }

  @Mutation(() => CreatedAdminKey, { description: 'a new admin key, shown only in this response (needs an unscoped admin key)' })
  async createAdminKey(
    @Ctx() ctx: GqlContext,
    @Arg('role', () => AdminRoleGql) role: AdminRoleGql,
    @Arg('tenant', () => String, { nullable: true, description: 'slug or id of the one tenant the key may see' }) tenant?: string | null,
  ): Promise<CreatedAdminKey> {
    assertCanMutate(ctx.principal);
    assertAllTenants(ctx.principal);
    const { key, ...info } = await ctx.services.adminKeys.create({ role, tenant: tenant ?? null });
    return { key, info: AdminKeyType.from(info) };
  }

  @Mutation(() => AdminKeyType, { description: 'refused from the next request on (needs an unscoped admin key)' })
  async revokeAdminKey(@Ctx() ctx: GqlContext, @Arg('id', () => ID) id: string): Promise<AdminKeyType> {
    assertCanMutate(ctx.principal);
    assertAllTenants(ctx.principal);
    return AdminKeyType.from(await ctx.services.adminKeys.revoke(id));
  }

  @Mutation(() => CreatedSetupLink, { description: 'a self-serve setup link for one IdP kind of a tenant (default: valid 7 days; single use)' })
  async createSetupLink(
    @Ctx() ctx: GqlContext,
    @Arg('tenant', () => String, { description: 'slug or id' }) tenant: string,
    @Arg('idp', () => IdpKindGql) idp: IdpKindGql,
    @Arg('days', () => Int, { nullable: true, description: 'validity in days, 1 to 90 (default 7)' }) days?: number | null,
  ): Promise<CreatedSetupLink> {
    const rctx = await resolveTenant(ctx, tenant, true);
    const { link, secret } = await ctx.services.setupLinks.create(rctx, { idp, days: days ?? null });
    return { link: SetupLinkType.from(link), secret, url: `${ctx.config.publicUrl}${SETUP_PAGE_PATH}#${secret}` };
  }

  @Mutation(() => SetupLinkType, { description: 'the link opens nothing from now on (a connection it created stays)' })
  async revokeSetupLink(@Ctx() ctx: GqlContext, @Arg('tenant', () => String) tenant: string, @Arg('id', () => ID) id: string): Promise<SetupLinkType> {
    const rctx = await resolveTenant(ctx, tenant, true);
    return SetupLinkType.from(await ctx.services.setupLinks.revoke(rctx, id));
  }

  @Query(() => PublicSetupLink, { description: 'public (no admin key): opens a setup link by its secret; audited' })
  async setupLink(@Ctx() ctx: GqlContext, @Arg('secret', () => String) secret: string): Promise<PublicSetupLink> {
    const opened = await ctx.services.setupLinks.open(secret, ctx.requestId);
    return { tenantName: opened.tenant.name, idp: opened.idp as IdpKindGql, expiresAt: opened.expiresAt, scimUrl: scimBaseUrl(ctx.config, opened.tenant.slug) };
  }

  @Mutation(() => CompletedSetupLink, { description: 'public (no admin key): creates the link’s connection with its first token, once' })
  async completeSetupLink(
    @Ctx() ctx: GqlContext,
    @Arg('secret', () => String) secret: string,
    @Arg('days', () => Int, { nullable: true, description: 'token lifetime in days (default 365, at most 3650)' }) days?: number | null,
    @Arg('name', () => String, { nullable: true }) name?: string | null,
  ): Promise<CompletedSetupLink> {
    const done = await ctx.services.setupLinks.complete(secret, { days: days ?? null, name: name ?? null }, ctx.requestId);
    return {
      scimUrl: scimBaseUrl(ctx.config, done.tenant.slug),
      token: done.token.token,
      tokenInfo: ScimTokenType.from(done.token),
      connectionId: done.connectionId,
      idp: done.idp as IdpKindGql,
    };
  }
}

@Resolver(() => TenantType)
export class TenantSetupLinksResolver {
  @FieldResolver(() => [SetupLinkType], { description: "the tenant's self-serve setup links, newest first" })
  async setupLinks(@Root() t: TenantType, @Ctx() ctx: GqlContext): Promise<SetupLinkType[]> {
    tenantContext(ctx, t);
    return (await ctx.services.setupLinks.list(t.id)).map(SetupLinkType.from);
  }
}
