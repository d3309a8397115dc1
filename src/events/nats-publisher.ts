import { connect, headers, JetStreamClient, NatsConnection, nanos, StorageType } from 'nats';
import type { CloudEvent } from '../domain/event/event-types';
import { Publisher, RELAY_BATCH_HEADER, shortType, within } from './publisher';

export interface NatsOptions {
  url: string;
  stream: string;
  /** subjects are `<prefix>.<tenant slug>.<type>` */
  prefix: string;
  /** Replicas of the stream when it is created here (default 1; 3 on a three-node JetStream cluster). */
  replicas?: number;
  timeoutMs?: number;
}

/**
 * NATS JetStream publisher. The stream (`<prefix>.>`, file storage) is created when missing.
 * Each event is published with `Nats-Msg-Id` = event id, so a republish after a failure or a
 * relay hand-over inside the stream's duplicate window (2 min) is dropped by the server, and
 * with the expected stream name, so an event is only acknowledged once stored in that stream.
 * Reconnection is the relay's job (a fresh connection per outage, `reconnect: false`), so no
 * message buffered by the client during an outage can be flushed out of order later.
 */
export class NatsPublisher implements Publisher {
  readonly kind = 'nats';
  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly options: NatsOptions,
  ) {}

  static async connect(options: NatsOptions): Promise<NatsPublisher> {
    const timeout = options.timeoutMs ?? 3000;
    // a cluster's URLs, comma-separated: the client picks one that answers
    const servers = options.url.split(',').map((u) => u.trim()).filter(Boolean);
    const nc = await connect({ servers, reconnect: false, timeout, name: 'provisio-relay' });
    try {
      const jsm = await nc.jetstreamManager({ timeout });
      try {
        await jsm.streams.info(options.stream);
      } catch {
        await jsm.streams.add({ name: options.stream, subjects: [`${options.prefix}.>`], storage: StorageType.File, duplicate_window: nanos(120_000), num_replicas: options.replicas ?? 1 });
      }
      return new NatsPublisher(nc, nc.jetstream({ timeout }), options);
    } catch (e) {
      await nc.close().catch(() => undefined);
      throw e;
    }
  }

  get closed(): boolean {
    return this.nc.isClosed();
  }

  async publish(event: CloudEvent, tenantSlug: string, batch?: string): Promise<void> {
    const subject = `${this.options.prefix}.${tenantSlug}.${shortType(event)}`;
    const h = batch ? headers() : undefined;
    h?.set(RELAY_BATCH_HEADER, batch!);
    const ack = await within(
      (this.options.timeoutMs ?? 3000) + 500,
      'JetStream publish',
      this.js.publish(subject, Buffer.from(JSON.stringify(event)), { msgID: event.id, expect: { streamName: this.options.stream }, ...(h ? { headers: h } : {}) }),
    );
    if (ack.stream !== this.options.stream) throw new Error(`event stored in stream ${ack.stream}, expected ${this.options.stream}`);
  }

  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.close().catch(() => undefined);
  }
}
