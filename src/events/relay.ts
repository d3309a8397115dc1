import type { MikroORM } from '@mikro-orm/core';
import os from 'node:os';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { sql } from '../db/sql';
import { OUTBOX_COLUMNS, OutboxRow, toCloudEvent } from '../domain/event/cloud-event';
import { assignAllSequences } from '../domain/event/sequencer';
import type { EventService } from '../domain/event/event.service';
import type { EventMetrics } from './metrics';
import { NatsPublisher } from './nats-publisher';
import type { Publisher } from './publisher';
import { RabbitPublisher } from './rabbitmq-publisher';

/** Advisory lock key pair of the relay ("prov", 1). */
const LEASE = [0x70726f76, 1];

export interface RelayOptions {
  broker: Config['eventBroker'];
  batchSize: number;
  pollMs: number;
  retentionHours: number;
  /** How often retention runs (default one minute). */
  pruneEveryMs?: number;
  /**
   * Take the lease (default). Embedded PGlite is one process with one connection: no other relay
   * can exist, and a transaction held across broker I/O would stall every request.
   */
  lease?: boolean;
  /** Names this relay in the header of what it publishes (default `<hostname>:<pid>`). */
  instance?: string;
  /** Opens a broker connection; defaults to the configured NATS or RabbitMQ. */
  connect?: () => Promise<Publisher & { closed: boolean }>;
}

export function relayOptions(config: Config): RelayOptions {
  const connect =
    config.eventBroker === 'nats'
      ? () => NatsPublisher.connect({ url: config.natsUrl, stream: config.natsStream, prefix: config.eventSubjectPrefix, replicas: config.natsStreamReplicas })
      : config.eventBroker === 'rabbitmq'
        ? () => RabbitPublisher.connect({ url: config.amqpUrl, exchange: config.amqpExchange })
        : undefined;
  return { broker: config.eventBroker, batchSize: config.relayBatchSize, pollMs: config.relayPollMs, retentionHours: config.eventRetentionHours, connect, lease: !!config.databaseUrl };
}

/**
 * The outbox relay: publishes ready events to the broker, at least once, in sequence order per
 * tenant (hence per resource), and prunes by retention.
 *
 * Several instances may run it at once. Each batch is one transaction that first takes
 * `pg_try_advisory_xact_lock`: only the instance holding it reads, publishes and marks the
 * batch; the others skip the round and try again at the next poll. This is a leader lease
 * tied to the batch, chosen over `FOR UPDATE SKIP LOCKED` because skipping locked rows lets
 * two relays publish consecutive events of one resource concurrently, which breaks
 * per-resource order; and over a session-long advisory lock because a batch's lock ends with
 * the transaction that marks its events published, so a relay that dies or loses its database
 * connection mid-batch leaves nothing marked and the next holder republishes those events (the
 * broker or the consumer drops them by event id). One relay is not a bottleneck: a broker
 * confirms tens of thousands of events per second, more than a database writes SCIM changes.
 *
 * Publishing is sequential and stops at the first failure, so nothing after a failed event
 * goes out before it; the events confirmed until then are marked published.
 */
export class EventRelay {
  private publisher?: Publisher & { closed: boolean };
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;
  private lastPrune = 0;
  private failing = false;
  private batches = 0;
  private readonly instance: string;

  constructor(
    private readonly orm: MikroORM,
    private readonly events: EventService,
    private readonly options: RelayOptions,
    private readonly logger: Logger,
    private readonly metrics?: EventMetrics,
  ) {
    this.instance = options.instance ?? `${os.hostname()}:${process.pid}`;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Graceful: waits for the batch in flight, then closes the broker connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.publisher?.close();
    this.publisher = undefined;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().then((more) => this.schedule(more ? 0 : this.failing ? Math.max(this.options.pollMs, 500) : this.options.pollMs));
    }, ms);
  }

  /** One round: retention when due, then one batch. True when there may be more to publish at once. */
  private async tick(): Promise<boolean> {
    try {
      if (Date.now() - this.lastPrune >= (this.options.pruneEveryMs ?? 60_000)) {
        this.lastPrune = Date.now();
        const { deleted, dropped } = await this.events.pruneStorage(this.options.retentionHours, this.options.broker !== 'none');
        if (deleted || dropped.length) this.logger.info({ pruned: deleted, droppedPartitions: dropped }, 'events pruned by retention');
      }
      if (!this.options.connect) return false;
      const sent = await this.publishBatch();
      if (this.failing) this.logger.info('event relay: broker reachable again');
      this.failing = false;
      return sent >= this.options.batchSize;
    } catch (err) {
      if (!this.failing) this.logger.warn({ err }, 'event relay: publishing failed; events stay in the outbox and are retried');
      this.failing = true;
      this.metrics?.failures.inc({ broker: this.options.broker });
      return false;
    }
  }

  /** Publishes one batch; returns how many were published (0 when another relay holds the lease). */
  async publishBatch(): Promise<number> {
    // connect before any transaction: an unreachable broker must not hold a database connection
    const publisher = await this.connection();
    await assignAllSequences(this.orm);
    const em = this.orm.em.fork() as EntityManager;
    const result = this.options.lease === false ? await this.send(em, publisher) : await em.transactional(async (tx) => {
      const [lease] = await sql<{ ok: boolean }>(tx, 'select pg_try_advisory_xact_lock(?, ?) as ok', LEASE);
      return lease.ok ? this.send(tx, publisher) : { sent: 0, failure: undefined };
    });
    if (result.sent) this.metrics?.published.inc({ broker: this.options.broker }, result.sent);
    if (result.failure) {
      await this.drop();
      throw result.failure;
    }
    return result.sent;
  }

  /** Reads the next batch, publishes it in order until the first failure, marks what the broker confirmed. */
  private async send(em: EntityManager, publisher: Publisher): Promise<{ sent: number; failure: unknown }> {
    const rows = await sql<OutboxRow>(
      em,
      `select ${OUTBOX_COLUMNS} from event_outbox o join tenant t on t.id = o.tenant_id
        where o.published_at is null and o.state = 'ready' and o.sequence is not null order by o.tenant_id, o.sequence limit ?`,
      [this.options.batchSize],
    );
    const done: string[] = [];
    let failure: unknown;
    const batch = `${this.instance}/${++this.batches}`;
    try {
      for (const row of rows) {
        await publisher.publish(toCloudEvent(row), row.slug, batch);
        done.push(row.id);
      }
    } catch (e) {
      failure = e;
    }
    if (done.length) await sql(em, 'update event_outbox set published_at = now() where id = any(?::uuid[])', [`{${done.join(',')}}`]);
    return { sent: done.length, failure };
  }

  private async connection(): Promise<Publisher> {
    if (this.publisher && !this.publisher.closed) return this.publisher;
    await this.drop();
    this.publisher = await this.options.connect!();
    return this.publisher;
  }

  private async drop(): Promise<void> {
    const p = this.publisher;
    this.publisher = undefined;
    await p?.close().catch(() => undefined);
  }
}
