import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../db/sql';

/**
 * Prometheus metrics of the event pipeline, served at GET /metrics. Backlog, lag and held
 * events are read from the outbox at scrape time (the pending partial index keeps it cheap), so
 * every instance reports the shared truth, not only what its own relay saw.
 */
export class EventMetrics {
  readonly registry = new Registry();
  readonly published: Counter<'broker'>;
  readonly failures: Counter<'broker'>;

  constructor(orm: MikroORM, brokerConfigured: boolean) {
    const read = async () => {
      const [row] = await sql<{ backlog: number; lag: number | null; held: number }>(
        orm.em.fork() as EntityManager,
        `select (select count(*)::int from event_outbox where published_at is null and state = 'ready') as backlog,
                (select extract(epoch from now() - min(time))::float8 from event_outbox where published_at is null and state = 'ready') as lag,
                (select count(*)::int from event_outbox where state = 'held') as held`,
      );
      return row;
    };
    this.published = new Counter({ name: 'provisio_events_published_total', help: 'Events the broker confirmed', labelNames: ['broker'], registers: [this.registry] });
    this.failures = new Counter({ name: 'provisio_relay_failures_total', help: 'Failed relay batches (broker unreachable or refusing)', labelNames: ['broker'], registers: [this.registry] });
    const registry = this.registry;
    // Node's own figures, event-loop lag among them (nodejs_eventloop_lag_seconds and its
    // p50/p90/p99/max, from perf_hooks.monitorEventLoopDelay): one request that blocks the loop
    // stalls every tenant, so this is the figure bounded work per request keeps low (docs/limits.md)
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
    new Gauge({
      name: 'provisio_outbox_backlog',
      help: 'Ready events not yet published (0 without a broker: consumers poll)',
      registers: [registry],
      async collect() {
        this.set(brokerConfigured ? (await read()).backlog : 0);
      },
    });
    new Gauge({
      name: 'provisio_relay_lag_seconds',
      help: 'Age of the oldest unpublished event (0 when none, or without a broker)',
      registers: [registry],
      async collect() {
        this.set(brokerConfigured ? ((await read()).lag ?? 0) : 0);
      },
    });
    new Gauge({
      name: 'provisio_events_held',
      help: 'Events kept back by the mass-deprovisioning guard',
      registers: [registry],
      async collect() {
        this.set((await read()).held);
      },
    });
  }
}
