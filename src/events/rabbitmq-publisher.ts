import amqp, { ChannelModel, ConfirmChannel } from 'amqplib';
import type { CloudEvent } from '../domain/event/event-types';
import { Publisher, shortType, within, RELAY_BATCH_HEADER } from './publisher';

export interface RabbitOptions {
  url: string;
  /** a durable topic exchange; routing keys are `<tenant slug>.<type>` */
  exchange: string;
  timeoutMs?: number;
}

/**
 * RabbitMQ publisher: a durable topic exchange, persistent messages, publisher confirms (an
 * event counts as published only once the broker confirmed it). `message-id` is the event id,
 * for consumers to deduplicate (RabbitMQ itself does not). A lost connection marks the
 * publisher closed; the relay opens a new one.
 */
export class RabbitPublisher implements Publisher {
  readonly kind = 'rabbitmq';
  private lost = false;

  private constructor(
    private readonly conn: ChannelModel,
    private readonly ch: ConfirmChannel,
    private readonly options: RabbitOptions,
  ) {
    const gone = () => (this.lost = true);
    conn.on('close', gone);
    conn.on('error', gone);
    ch.on('close', gone);
    ch.on('error', gone);
  }

  static async connect(options: RabbitOptions): Promise<RabbitPublisher> {
    const timeout = options.timeoutMs ?? 3000;
    const conn = await within(timeout, 'AMQP connect', amqp.connect(options.url, { timeout }));
    conn.on('error', () => undefined); // reported through 'close'
    try {
      const ch = await conn.createConfirmChannel();
      ch.on('error', () => undefined);
      await ch.assertExchange(options.exchange, 'topic', { durable: true });
      return new RabbitPublisher(conn, ch, options);
    } catch (e) {
      await conn.close().catch(() => undefined);
      throw e;
    }
  }

  get closed(): boolean {
    return this.lost;
  }

  async publish(event: CloudEvent, tenantSlug: string, batch?: string): Promise<void> {
    if (this.lost) throw new Error('AMQP connection lost');
    const key = `${tenantSlug}.${shortType(event)}`;
    await within(
      this.options.timeoutMs ?? 3000,
      'AMQP publish confirm',
      new Promise<void>((resolve, reject) => {
        this.ch.publish(
          this.options.exchange,
          key,
          Buffer.from(JSON.stringify(event)),
          {
            persistent: true,
            messageId: event.id,
            contentType: 'application/cloudevents+json',
            type: event.type,
            timestamp: Math.floor(Date.parse(event.time) / 1000),
            headers: { 'ce-sequence': event.sequence, 'ce-subject': event.subject, ...(batch ? { [RELAY_BATCH_HEADER]: batch } : {}) },
          },
          (err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()),
        );
      }),
    );
  }

  async close(): Promise<void> {
    this.lost = true;
    await this.conn.close().catch(() => undefined);
  }
}
