import { SafeIntResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { HoldInfo } from '../../domain/event/event.service';
import type { CloudEvent } from '../../domain/event/event-types';
import { DateTime, JSON } from './scalars';

@ObjectType('Event', { description: 'A provisioning event: the CloudEvents 1.0 envelope, with its main attributes as typed fields' })
export class EventType {
  @Field(() => ID, { description: 'unique per event: deduplicate on it' })
  id!: string;

  @Field({ description: 'CloudEvents type, e.g. com.provisio.user.updated' })
  type!: string;

  @Field({ description: 'the resource id (user or group)' })
  subject!: string;

  @Field(() => SafeIntResolver, { description: 'per-tenant sequence number: only grows' })
  sequence!: number;

  @Field(() => DateTime)
  time!: Date;

  @Field({ description: 'CloudEvents source: /tenants/<slug>' })
  source!: string;

  @Field(() => JSON, { description: 'the event data (see docs/events.md for each type)' })
  data!: Record<string, unknown>;

  @Field(() => JSON, { description: 'the whole CloudEvents 1.0 structured JSON envelope, as brokers receive it' })
  envelope!: CloudEvent;

  static from(e: CloudEvent): EventType {
    return Object.assign(new EventType(), { id: e.id, type: e.type, subject: e.subject, sequence: e.sequence, time: new Date(e.time), source: e.source, data: e.data, envelope: e });
  }
}

@ObjectType('EventPage', { description: "A page of a tenant's event stream, in sequence order" })
export class EventPage {
  @Field(() => [EventType])
  nodes!: EventType[];

  @Field({ description: 'pass as `after` next time (unchanged when the page is empty): poll with it' })
  endCursor!: string;

  @Field({ description: 'true when the page is full: more events may follow right away' })
  hasNextPage!: boolean;
}

export enum HoldStateGql {
  OPEN = 'open',
  RELEASED = 'released',
  DISCARDED = 'discarded',
}
registerEnumType(HoldStateGql, { name: 'HoldState' });

@ObjectType('EventHold', { description: "Deprovisioning events kept back by the mass-deprovisioning guard until an admin releases or discards them" })
export class EventHoldType {
  @Field(() => ID)
  id!: string;

  @Field(() => HoldStateGql)
  state!: HoldStateGql;

  @Field(() => ID, { nullable: true, description: 'the SCIM connection whose requests tripped the guard' })
  connectionId!: string | null;

  @Field({ description: 'what tripped the guard: users deprovisioned, active users, window and limit' })
  reason!: string;

  @Field(() => Int, { description: 'events in the hold' })
  events!: number;

  @Field(() => DateTime)
  createdAt!: Date;

  @Field(() => DateTime, { nullable: true })
  resolvedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'the admin key id that released or discarded it' })
  resolvedBy!: string | null;

  static from(h: HoldInfo): EventHoldType {
    return Object.assign(new EventHoldType(), { ...h, state: h.state as HoldStateGql });
  }
}

@ObjectType('EventFigures', { description: "The event stream's state" })
export class EventFigures {
  @Field(() => Int, { description: 'events kept back by open holds' })
  heldEvents!: number;

  @Field(() => Int)
  openHolds!: number;

  @Field(() => Int, { description: 'ready events a configured broker has not received yet (the outbox backlog)' })
  unpublishedEvents!: number;
}
