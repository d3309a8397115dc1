import type { MikroORM } from '@mikro-orm/core';
import type { Config } from './config';
import { ConnectionService } from './domain/connection/connection.service';
import { GroupService } from './domain/group/group.service';
import { TenantService } from './domain/tenant/tenant.service';
import { UserService } from './domain/user/user.service';
import { AuditService } from './domain/audit/audit.service';
import { EventRecorder } from './domain/event/event-recorder';
import { EventService } from './domain/event/event.service';
import { DEFAULT_GUARD, DeprovisioningGuard } from './domain/guard/deprovisioning-guard';

/** The one domain service layer, shared by the SCIM facade, the admin API and the CLI. */
export interface Services {
  orm: MikroORM;
  tenants: TenantService;
  connections: ConnectionService;
  users: UserService;
  groups: GroupService;
  events: EventService;
  audit: AuditService;
}

export function createServices(
  orm: MikroORM,
  config: Pick<Config, 'tokenDefaultDays' | 'tokenMaxDays'> & Partial<Pick<Config, 'guardShare' | 'guardWindowSeconds' | 'guardMinUsers'>>,
): Services {
  const recorder = new EventRecorder(
    new DeprovisioningGuard({
      share: config.guardShare ?? DEFAULT_GUARD.share,
      windowSeconds: config.guardWindowSeconds ?? DEFAULT_GUARD.windowSeconds,
      minUsers: config.guardMinUsers ?? DEFAULT_GUARD.minUsers,
    }),
  );
  return {
    orm,
    tenants: new TenantService(orm),
    connections: new ConnectionService(orm, { defaultDays: config.tokenDefaultDays, maxDays: config.tokenMaxDays }),
    users: new UserService(orm, recorder),
    groups: new GroupService(orm, recorder),
    events: new EventService(orm),
    audit: new AuditService(orm),
  };
}
