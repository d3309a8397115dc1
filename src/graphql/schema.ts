import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchemaSync } from 'type-graphql';
import { AttributeResolver } from './resolvers/attribute.resolver';
import { GroupResolver, ScimConnectionResolver, UserResolver } from './resolvers/directory.resolver';
import { MutationResolver } from './resolvers/mutation.resolver';
import { ConnectionLifecycleResolver } from './resolvers/connection-lifecycle.resolver';
import { StatsResolver, TenantResolver } from './resolvers/tenant.resolver';
import { DateTime } from './types/scalars';
import { ConnectionHealthResolver, TenantPhoneResolver, UserPhoneResolver } from './resolvers/health.resolver';
import { auditMutations } from './admin-audit';
import { timeBudget } from './limits';
import { EventsResolver, StatsEventsResolver, TenantEventsResolver } from './resolvers/events.resolver';
import { ConsoleResolver, TenantSetupLinksResolver } from './resolvers/console.resolver';
import { TenantActivityResolver, UserEventsResolver } from './resolvers/activity.resolver';
import { ConnectionAuditResolver, StatsAuditResolver, TenantAuditResolver } from './resolvers/audit.resolver';

let built: GraphQLSchema | undefined;

/**
 * The admin API's schema, built once from the type-graphql classes (needs decorator metadata:
 * tsc-built code or swc with decoratorMetadata, never tsx/esbuild).
 */
export function adminSchema(): GraphQLSchema {
  built ??= buildSchemaSync({
    resolvers: [TenantResolver, StatsResolver, UserResolver, GroupResolver, ScimConnectionResolver, MutationResolver, AttributeResolver,
      EventsResolver, TenantEventsResolver, StatsEventsResolver, TenantActivityResolver, UserEventsResolver, TenantAuditResolver, StatsAuditResolver, ConnectionAuditResolver,
      ConnectionLifecycleResolver, ConsoleResolver, TenantSetupLinksResolver, ConnectionHealthResolver, UserPhoneResolver, TenantPhoneResolver],
    globalMiddlewares: [timeBudget, auditMutations], // the time budget first; every admin mutation in the audit trail, in one place
    scalarsMap: [{ type: Date, scalar: DateTime }],
    validate: false, // input is validated by the domain, which SCIM shares
    emitSchemaFile: false,
  });
  return built;
}

/** The SDL committed as schema/admin.graphql: sorted, so that it only changes when the schema does. */
export function adminSdl(): string {
  return printSchema(lexicographicSortSchema(adminSchema())) + '\n';
}
