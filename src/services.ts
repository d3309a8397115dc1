import type { MikroORM } from '@mikro-orm/core';
import type { Config } from './config';
import { AdminKeyService } from './domain/admin/admin-key.service';
import { StatsService } from './domain/admin/stats.service';
import { ConnectionService } from './domain/connection/connection.service';
import { GroupService } from './domain/group/group.service';
import { TenantService } from './domain/tenant/tenant.service';
import { UserService } from './domain/user/user.service';
import { SearchService } from './domain/query/search.service';
import { searchSources } from './domain/query/search.sources';
import { CustomAttributeService } from './domain/schema/custom-attribute.service';
import { TenantCatalogue } from './domain/schema/tenant-catalogue';

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
}

export function createServices(orm: MikroORM, config: Pick<Config, 'tokenDefaultDays' | 'tokenMaxDays'>): Services {
  const catalogue = new TenantCatalogue(orm);
  const core = {
    orm,
    tenants: new TenantService(orm),
    connections: new ConnectionService(orm, { defaultDays: config.tokenDefaultDays, maxDays: config.tokenMaxDays }),
    users: new UserService(orm, catalogue),
    groups: new GroupService(orm, catalogue),
    adminKeys: new AdminKeyService(orm),
    stats: new StatsService(orm),
    catalogue,
    customAttributes: new CustomAttributeService(orm, catalogue),
  };
  return { ...core, search: new SearchService(orm, searchSources(core.users, core.groups, catalogue)) };
}
