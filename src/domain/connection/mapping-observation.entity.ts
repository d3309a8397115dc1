import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../ids';
import { Tenant } from '../tenant/tenant.entity';
import { ScimConnection } from './scim-connection.entity';

/**
 * One observation of a connection's live traffic for its mapping health (health.ts): a user as it
 * arrived (missing mandatory attributes, unparsable phones, ignored unknown attributes, a manager
 * naming no user) or a refused request with its error detail. Kept for the health window only.
 */
@Entity({ tableName: 'mapping_observation' })
@Index({ name: 'mapping_observation_connection_idx', properties: ['connection', 'id'] })
export class MappingObservation {
  /** UUIDv7: id order is time order, so the window is an id range. */
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @ManyToOne(() => Tenant, { deleteRule: 'cascade', index: true })
  tenant!: Tenant;

  @ManyToOne(() => ScimConnection, { deleteRule: 'cascade' })
  connection!: ScimConnection;

  @Property({ type: 'timestamptz' })
  time!: Date;

  /** user | error */
  @Property({ type: 'text' })
  kind!: string;

  @Property({ type: 'jsonb' })
  data!: Record<string, unknown>;
}
