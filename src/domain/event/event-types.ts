/**
 * The domain events, by short type. On the wire the CloudEvents `type` is `com.provisio.<type>`
 * and the broker subject / routing key ends with `<type>`.
 */
export const EVENT_TYPES = [
  'user.created',
  'user.updated',
  'user.deactivated',
  'user.reactivated',
  'user.deleted',
  'user.restored',
  'user.purged',
  'group.created',
  'group.updated',
  'group.deleted',
  'group.members_added',
  'group.members_removed',
  'tenant.deleted',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const CLOUDEVENTS_TYPE_PREFIX = 'com.provisio.';

/** Types the mass-deprovisioning guard counts and may hold. */
export const DEPROVISIONING_TYPES: readonly EventType[] = ['user.deactivated', 'user.deleted'];

/** An event before it has an id and a sequence number. */
export interface EventDraft {
  type: EventType;
  /** resource id (CloudEvents subject) */
  subject: string;
  data: Record<string, unknown>;
  /** names of the attributes this change touched, for the audit trail */
  changed?: string[];
}

/** One attribute's change in user.updated / group.updated: the path, the old and the new value. */
export interface AttributeChange {
  attribute: string;
  old: unknown;
  new: unknown;
}

/**
 * A CloudEvents 1.0 JSON event (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md)
 * with two extension attributes: `sequence` (per tenant, only grows) and `tenantid`.
 */
export interface CloudEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  sequence: number;
  tenantid: string;
  data: Record<string, unknown>;
}
