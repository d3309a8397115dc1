import type { CloudEvent } from '../domain/event/event-types';
import { CLOUDEVENTS_TYPE_PREFIX } from '../domain/event/event-types';

/** A broker connection the relay publishes through; `publish` resolves only once the broker stored the event. */
export interface Publisher {
  readonly kind: 'nats' | 'rabbitmq';
  /**
   * `batch` names the relay batch publishing it (`<instance>/<n>`), sent as the `Provisio-Relay-Batch`
   * header: which instance published what, and that batches never interleave (one relay at a time).
   */
  publish(event: CloudEvent, tenantSlug: string, batch?: string): Promise<void>;
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

/** The header naming the relay batch that published an event (see Publisher.publish). */
export const RELAY_BATCH_HEADER = 'Provisio-Relay-Batch';
