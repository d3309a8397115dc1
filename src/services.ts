import type { MikroORM } from '@mikro-orm/core';
import type { Config } from './config';
import { ConnectionService } from './domain/connection/connection.service';
import { GroupService } from './domain/group/group.service';
import { TenantService } from './domain/tenant/tenant.service';
import { UserService } from './domain/user/user.service';
import { CustomAttributeService } from './domain/schema/custom-attribute.service';
import { TenantCatalogue } from './domain/schema/tenant-catalogue';

/** The one domain service layer, shared by the SCIM facade, the admin API and the CLI. */
export interface Services {
  orm: MikroORM;
  tenants: TenantService;
  connections: ConnectionService;
  users: UserService;
  groups: GroupService;
  /** each tenant's effective resource types (core catalogue + custom attributes) */
  catalogue: TenantCatalogue;
  customAttributes: CustomAttributeService;
}

export function createServices(orm: MikroORM, config: Pick<Config, 'tokenDefaultDays' | 'tokenMaxDays'>): Services {
  const catalogue = new TenantCatalogue(orm);
  return {
    orm,
    tenants: new TenantService(orm),
    connections: new ConnectionService(orm, { defaultDays: config.tokenDefaultDays, maxDays: config.tokenMaxDays }),
    users: new UserService(orm, catalogue),
    groups: new GroupService(orm, catalogue),
    catalogue,
    customAttributes: new CustomAttributeService(orm, catalogue),
  };
}
