import type { MikroORM } from '@mikro-orm/core';
import type { Config } from './config';
import { AdminKeyService } from './domain/admin/admin-key.service';
import { StatsService } from './domain/admin/stats.service';
import { AuditService } from './domain/audit/audit.service';
import { HealthService } from './domain/connection/health';
import { ConnectionService } from './domain/connection/connection.service';
import { EventRecorder } from './domain/event/event-recorder';
import { EventService } from './domain/event/event.service';
import { GroupService } from './domain/group/group.service';
import { DEFAULT_GUARD, DeprovisioningGuard } from './domain/guard/deprovisioning-guard';
import { SearchService } from './domain/query/search.service';
import { searchSources } from './domain/query/search.sources';
import { CustomAttributeService } from './domain/schema/custom-attribute.service';
import { TenantCatalogue } from './domain/schema/tenant-catalogue';
import { TenantService } from './domain/tenant/tenant.service';
import { UserService } from './domain/user/user.service';
import { SetupLinkService } from './domain/setup-link/setup-link.service';

/** The one domain service layer, shared by the SCIM facade, the admin API and the CLI. */
export interface Services {
  orm: MikroORM;
  tenants: TenantService;
  connections: ConnectionService;
  users: UserService;
  groups: GroupService;
  adminKeys: AdminKeyService;
  stats: StatsService;
  /** queries across every resource type (POST /.search at the tenant root) */
  search: SearchService;
  /** each tenant's effective resource types (core catalogue + custom attributes) */
  catalogue: TenantCatalogue;
  customAttributes: CustomAttributeService;
  events: EventService;
  audit: AuditService;
  /** each SCIM connection's mapping health, from its live traffic */
  health: HealthService;
  /** self-serve setup links (the public setup page) */
  setupLinks: SetupLinkService;
}

export function createServices(
  orm: MikroORM,
  config: Pick<Config, 'tokenDefaultDays' | 'tokenMaxDays'> & Partial<Pick<Config, 'guardShare' | 'guardWindowSeconds' | 'guardMinUsers'>>,
): Services {
  const catalogue = new TenantCatalogue(orm);
  // one recorder, so users and groups share the deprovisioning guard's view of a tenant
  const recorder = new EventRecorder(
    new DeprovisioningGuard({
      share: config.guardShare ?? DEFAULT_GUARD.share,
      windowSeconds: config.guardWindowSeconds ?? DEFAULT_GUARD.windowSeconds,
      minUsers: config.guardMinUsers ?? DEFAULT_GUARD.minUsers,
    }),
  );
  const connections = new ConnectionService(orm, { defaultDays: config.tokenDefaultDays, maxDays: config.tokenMaxDays });
  const core = {
    orm,
    tenants: new TenantService(orm, connections, recorder),
    connections,
    users: new UserService(orm, catalogue, recorder),
    groups: new GroupService(orm, catalogue, recorder),
    adminKeys: new AdminKeyService(orm),
    stats: new StatsService(orm),
    catalogue,
    customAttributes: new CustomAttributeService(orm, catalogue, recorder),
    events: new EventService(orm),
    audit: new AuditService(orm),
    health: new HealthService(orm),
  };
  return {
    ...core,
    search: new SearchService(orm, searchSources(core.users, core.groups, catalogue)),
    setupLinks: new SetupLinkService(orm, core.connections, core.audit),
  };
}
