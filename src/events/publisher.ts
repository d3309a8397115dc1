import type { CloudEvent } from '../domain/event/event-types';
import { CLOUDEVENTS_TYPE_PREFIX } from '../domain/event/event-types';

/** A broker connection the relay publishes through; `publish` resolves only once the broker stored the event. */
export interface Publisher {
  readonly kind: 'nats' | 'rabbitmq';
  publish(event: CloudEvent, tenantSlug: string): Promise<void>;
  close(): Promise<void>;
}

/** The short type (`user.created`) of a CloudEvent, for subjects and routing keys. */
export function shortType(event: CloudEvent): string {
  return event.type.startsWith(CLOUDEVENTS_TYPE_PREFIX) ? event.type.slice(CLOUDEVENTS_TYPE_PREFIX.length) : event.type;
}

/** Rejects after `ms` unless `work` settled first (a half-open TCP connection must not stall the relay). */
export async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
