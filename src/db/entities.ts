import { AdminKey } from '../domain/admin/admin-key.entity';
import { ScimConnection } from '../domain/connection/scim-connection.entity';
import { ScimToken } from '../domain/connection/scim-token.entity';
import { GroupMember } from '../domain/group/group-member.entity';
import { HeldMembership } from '../domain/group/held-membership.entity';
import { ScimGroup } from '../domain/group/group.entity';
import { CustomAttribute } from '../domain/schema/custom-attribute.entity';
import { Tenant } from '../domain/tenant/tenant.entity';
import { TenantCount } from '../domain/tenant/tenant-count.entity';
import { ScimUser } from '../domain/user/user.entity';
import { ServerSecret } from './server-secret.entity';
import { EventHold, EventSequence, OutboxEvent } from '../domain/event/event.entity';
import { AuditEntry } from '../domain/audit/audit.entity';
import { MappingObservation } from '../domain/connection/mapping-observation.entity';
import { SetupLink } from '../domain/setup-link/setup-link.entity';

/** Every entity, listed explicitly: no folder discovery at start. */
export const entities = [Tenant, ScimConnection, ScimToken, ScimUser, ScimGroup, GroupMember, AdminKey, ServerSecret, CustomAttribute, OutboxEvent, EventSequence, EventHold, AuditEntry, HeldMembership, SetupLink, MappingObservation, TenantCount];
