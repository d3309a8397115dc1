import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { CustomAttributeInput } from '../../domain/schema/custom-attribute.service';
import { LOOKUP_COST } from '../cost';
import { GqlContext, resolveTenant, tenantContext } from '../context';
import { AttributeDefinitionType, DefineAttributeInput, RemovedAttribute, SubAttributeInput } from '../types/attribute.types';
import { TenantType } from '../types/directory.types';

/** GraphQL leaves unset input fields null; the domain reads absent ones as "default". */
function present<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as never;
}

/** The GraphQL input as the domain's definition; like the CLI, a type defaults to string (complex with sub-attributes). */
function definition(input: DefineAttributeInput): CustomAttributeInput {
  const { subAttributes, type, ...rest } = present(input);
  const subs = subAttributes?.map((s: SubAttributeInput) => ({ ...present(s), type: s.type ?? 'string' }));
  return { ...rest, type: type ?? (subs ? 'complex' : 'string'), ...(subs ? { subAttributes: subs } : {}) };
}

/**
 * A tenant's custom attributes (RFC 7643 §3.3 extension schemas) over the admin API: the same
 * CustomAttributeService as `provisio attribute`, which checks every definition.
 */
@Resolver(() => TenantType)
export class AttributeResolver {
  @FieldResolver(() => [AttributeDefinitionType], { description: "the tenant's custom attributes in definition order, optionally of one resource type (User or Group)", complexity: ({ childComplexity }) => LOOKUP_COST + childComplexity * 10 })
  async attributeDefinitions(
    @Root() t: TenantType,
    @Ctx() ctx: GqlContext,
    @Arg('resourceType', () => String, { nullable: true }) resourceType?: string | null,
  ): Promise<AttributeDefinitionType[]> {
    const rctx = tenantContext(ctx, t);
    const rows = await ctx.services.customAttributes.list(rctx, resourceType ? { resourceType } : {});
    return rows.map(AttributeDefinitionType.from);
  }

  @Mutation(() => AttributeDefinitionType, { description: "defines a custom attribute: the tenant's SCIM clients can set, filter and sort it at once, and its /Schemas lists it" })
  async defineAttribute(
    @Arg('tenant', () => String, { description: 'slug or id' }) tenant: string,
    @Arg('input', () => DefineAttributeInput) input: DefineAttributeInput,
    @Ctx() ctx: GqlContext,
  ): Promise<AttributeDefinitionType> {
    const rctx = await resolveTenant(ctx, tenant, true);
    return AttributeDefinitionType.from(await ctx.services.customAttributes.define(rctx, definition(input)));
  }

  @Mutation(() => RemovedAttribute, { description: 'removes a custom attribute and its stored values from every resource of the tenant' })
  async removeAttribute(
    @Arg('tenant', () => String, { description: 'slug or id' }) tenant: string,
    @Arg('resourceType', () => String, { description: 'User or Group' }) resourceType: string,
    @Arg('name', () => String) name: string,
    @Ctx() ctx: GqlContext,
    @Arg('schema', () => String, { nullable: true, description: 'needed only when several schemas define the name' }) schema?: string | null,
  ): Promise<RemovedAttribute> {
    const rctx = await resolveTenant(ctx, tenant, true);
    const { removed, resourcesChanged } = await ctx.services.customAttributes.remove(rctx, { resourceType, name, ...(schema ? { schema } : {}) });
    return { attribute: AttributeDefinitionType.from(removed), resourcesChanged };
  }
}
