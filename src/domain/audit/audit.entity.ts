import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../ids';
import { Tenant } from '../tenant/tenant.entity';

/**
 * One audited request: a SCIM request or an admin mutation. Never holds a body, a password or a
 * token: only who (connection/token or admin key), what (method, path, filter, operation,
 * resource ids, names of changed attributes) and how it ended (status, scimType, latency).
 */
@Entity({ tableName: 'audit_entry' })
@Index({ name: 'audit_entry_tenant_idx', properties: ['tenant', 'id'] })
@Index({
  name: 'audit_entry_resource_ids_idx',
  expression: 'create index "audit_entry_resource_ids_idx" on "audit_entry" using gin ("resource_ids")',
})
export class AuditEntry {
  [OptionalProps]?: 'connectionId' | 'tokenId' | 'adminKeyId' | 'idp' | 'filter' | 'scimType' | 'holdId' | 'resourceIds' | 'changedAttributes' | 'note';

  /** UUIDv7: id order is time order, the keyset of every audit query. */
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @ManyToOne(() => Tenant, { deleteRule: 'cascade' })
  tenant!: Tenant;

  @Property({ type: 'timestamptz' })
  time!: Date;

  /** scim | admin | system | anonymous (a SCIM request refused before its token was known). */
  @Property({ type: 'text' })
  actorKind!: string;

  @Property({ type: 'uuid', nullable: true })
  connectionId?: string | null;

  @Property({ type: 'uuid', nullable: true })
  tokenId?: string | null;

  @Property({ type: 'text', nullable: true })
  adminKeyId?: string | null;

  @Property({ type: 'text', nullable: true })
  idp?: string | null;

  @Property({ type: 'text' })
  method!: string;

  @Property({ type: 'text' })
  path!: string;

  /** e.g. User.create, Group.patch, User.list; an admin mutation's name. */
  @Property({ type: 'text' })
  operation!: string;

  @Property({ type: 'text', nullable: true })
  filter?: string | null;

  @Property({ type: 'integer' })
  status!: number;

  @Property({ type: 'text', nullable: true })
  scimType?: string | null;

  @Property({ type: 'double' })
  latencyMs!: number;

  @Property({ type: 'text' })
  requestId!: string;

  @Property({ type: 'jsonb', default: '[]' })
  resourceIds: string[] = [];

  @Property({ type: 'jsonb', default: '[]' })
  changedAttributes: string[] = [];

  /** Set when the request's deprovisioning events were held by the guard. */
  @Property({ type: 'uuid', nullable: true })
  holdId?: string | null;

  /**
   * What the operation alone does not say: the delete policy a User.delete applied
   * (`deletePolicy=delete|deactivate`), or why a token was refused (`connection_disabled`, …).
   */
  @Property({ type: 'text', nullable: true })
  note?: string | null;
}
