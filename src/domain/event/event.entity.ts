import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../ids';
import { Tenant } from '../tenant/tenant.entity';

/** ready: visible to consumers and the relay; held: kept back by the deprovisioning guard; discarded: an admin dropped it. */
export type OutboxState = 'ready' | 'held' | 'discarded';

/**
 * One domain event in the transactional outbox: written in the transaction of the change it
 * describes, so an event exists exactly when its change committed. The relay publishes `ready`
 * events in `sequence` order per tenant; polling consumers read them by sequence.
 */
@Entity({ tableName: 'event_outbox' })
// Not unique: a partitioned table's unique indexes must include the partition key (the id). The
// sequencer hands each number out once, under the tenant's event_sequence row lock.
@Index({ name: 'event_outbox_tenant_sequence_idx', properties: ['tenant', 'sequence'] })
@Index({
  name: 'event_outbox_pending_idx',
  expression: `create index "event_outbox_pending_idx" on "event_outbox" ("tenant_id", "sequence") where "published_at" is null and "state" = 'ready'`,
})
@Index({
  name: 'event_outbox_deprovision_idx',
  expression: `create index "event_outbox_deprovision_idx" on "event_outbox" ("tenant_id", "connection_id", "time") where "type" in ('user.deactivated', 'user.deleted')`,
})
@Index({
  name: 'event_outbox_held_idx',
  expression: `create index "event_outbox_held_idx" on "event_outbox" ("tenant_id", "subject") where "state" = 'held'`,
})
@Index({
  name: 'event_outbox_unsequenced_idx',
  expression: `create index "event_outbox_unsequenced_idx" on "event_outbox" ("tenant_id", "position") where "sequence" is null and "state" = 'ready'`,
})
@Index({ name: 'event_outbox_time_idx', properties: ['time'] })
@Index({ name: 'event_outbox_hold_idx', properties: ['holdId'] })
export class OutboxEvent {
  [OptionalProps]?: 'state' | 'connectionId' | 'holdId' | 'publishedAt' | 'requestId' | 'sequence' | 'position';

  /** The CloudEvents id, and the broker's deduplication key (JetStream Nats-Msg-Id, AMQP message-id). */
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @ManyToOne(() => Tenant, { deleteRule: 'cascade' })
  tenant!: Tenant;

  /**
   * Insertion order (a database sequence, drawn inside the writing transaction after the
   * resource's row lock): one resource's events always have increasing positions.
   */
  @Property({ type: 'bigint', autoincrement: true })
  position!: string;

  /** Per tenant, assigned after commit by the sequencer (see sequencer.ts); null until then. */
  @Property({ type: 'bigint', nullable: true })
  sequence?: string | null;

  /** Short event type, e.g. `user.created` (the CloudEvents type is `com.provisio.` + this). */
  @Property({ type: 'text' })
  type!: string;

  /** The resource id (CloudEvents subject). */
  @Property({ type: 'uuid' })
  subject!: string;

  @Property({ type: 'timestamptz' })
  time!: Date;

  @Property({ type: 'jsonb' })
  data!: Record<string, unknown>;

  /** The SCIM connection that made the change (the deprovisioning guard counts per connection). */
  @Property({ type: 'uuid', nullable: true })
  connectionId?: string | null;

  @Property({ type: 'text', nullable: true })
  requestId?: string | null;

  @Property({ type: 'text', default: 'ready' })
  state: OutboxState = 'ready';

  @Property({ type: 'uuid', nullable: true })
  holdId?: string | null;

  @Property({ type: 'timestamptz', nullable: true })
  publishedAt?: Date | null;
}

/** The last sequence number handed out per tenant; its row lock serialises the tenant's sequencer (and guard). */
@Entity({ tableName: 'event_sequence' })
export class EventSequence {
  @ManyToOne(() => Tenant, { primary: true, deleteRule: 'cascade' })
  tenant!: Tenant;

  @Property({ type: 'bigint' })
  value!: string;
}

export type HoldState = 'open' | 'released' | 'discarded';

/** Deprovisioning events kept back by the mass-deprovisioning guard until an admin decides. */
@Entity({ tableName: 'event_hold' })
@Index({ name: 'event_hold_tenant_idx', properties: ['tenant', 'state'] })
export class EventHold {
  [OptionalProps]?: 'state' | 'createdAt' | 'resolvedAt' | 'resolvedBy' | 'connectionId';

  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @ManyToOne(() => Tenant, { deleteRule: 'cascade' })
  tenant!: Tenant;

  @Property({ type: 'uuid', nullable: true })
  connectionId?: string | null;

  @Property({ type: 'text', default: 'open' })
  state: HoldState = 'open';

  @Property({ type: 'text' })
  reason!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  resolvedAt?: Date | null;

  /** The admin key (or "cli") that released or discarded the hold. */
  @Property({ type: 'text', nullable: true })
  resolvedBy?: string | null;
}
