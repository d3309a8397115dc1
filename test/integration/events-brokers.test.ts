import amqp from 'amqplib';
import { connect, NatsConnection } from 'nats';
import pino from 'pino';
import type { CloudEvent } from '../../src/domain/event/event-types';
import { EventMetrics } from '../../src/events/metrics';
import { NatsPublisher } from '../../src/events/nats-publisher';
import { RabbitPublisher } from '../../src/events/rabbitmq-publisher';
import { EventRelay } from '../../src/events/relay';
import { createTestApp, scim, TestApp } from '../support/app';
import { allEvents, USER } from '../support/events';
import { eventually, TcpProxy } from '../support/tcp-proxy';

// Real brokers of the machine (CI starts them): NATS JetStream 127.0.0.1:4222, RabbitMQ 127.0.0.1:5672.
const NATS = { host: '127.0.0.1', port: 4222 };
const AMQP = { host: '127.0.0.1', port: 5672 };
const run = Math.random().toString(36).slice(2, 8);

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => app.close());

/** Creates, renames, deactivates and deletes users over SCIM; every request must be answered 2xx. */
async function drive(api: ReturnType<typeof scim>, base: string, label: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const created = await api.post(`${base}/Users`, { schemas: [USER], userName: `${label}-${i}@example.com` });
    expect(created.status).toBe(201);
    const patched = await api.patch(`${base}/Users/${created.body.id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'displayName', value: `${label} ${i}` }],
    });
    expect(patched.status).toBe(200);
    if (i % 3 === 0) expect((await api.delete(`${base}/Users/${created.body.id}`)).status).toBe(204);
  }
}

/** What a consumer must see: each event of the tenant once (after dedup by id), in sequence order. */
function expectStream(received: CloudEvent[], expected: CloudEvent[]): void {
  const seen = new Set<string>();
  const firsts = received.filter((e) => (seen.has(e.id) ? false : (seen.add(e.id), true)));
  expect(firsts.map((e) => e.id)).toEqual(expected.map((e) => e.id));
  expect(firsts.map((e) => e.sequence)).toEqual(expected.map((e) => e.sequence));
  // per resource, even counting redeliveries, versions never go backwards
  const last = new Map<string, number>();
  for (const e of received) {
    const v = e.data.version as number;
    expect(v).toBeGreaterThanOrEqual(last.get(`${e.subject}`) ?? 0);
    last.set(e.subject, v);
  }
}

async function outageScenario(relay: EventRelay, proxy: TcpProxy, metrics: EventMetrics, label: string, received: () => Promise<CloudEvent[]>) {
  const t = await app.tenant(`${label} ${run}`, 'generic', { deletePolicy: 'delete' });
  const api = scim(app, t.token);
  relay.start();
  try {
    await drive(api, t.base, `${label}-up`, 3);
    await eventually(async () => (await app.services.events.stats(t.id)).unpublished === 0, 'first events published');

    await proxy.close(); // broker unreachable
    await drive(api, t.base, `${label}-down`, 6); // SCIM keeps answering
    await eventually(async () => (await metrics.failures.get()).values.reduce((n, v) => n + v.value, 0) > 0, 'a failed relay round');
    const during = await app.services.events.stats(t.id);
    expect(during.unpublished).toBeGreaterThan(0); // accumulating in the outbox
    const metricsText = await metrics.registry.metrics();
    expect(metricsText).toMatch(/provisio_outbox_backlog [1-9]/);

    await proxy.open(); // broker back
    await eventually(async () => (await app.services.events.stats(t.id)).unpublished === 0, 'backlog delivered', 60_000);
    const expected = await allEvents(app, t.id);
    const got = await eventually(async () => {
      const r = (await received()).filter((e) => e.tenantid === t.id);
      return new Set(r.map((e) => e.id)).size >= expected.length ? r : undefined;
    }, 'consumer to receive everything');
    expectStream(got, expected);
    expect(await metrics.registry.metrics()).toMatch(/provisio_outbox_backlog 0/);
  } finally {
    await relay.stop();
  }
}

describe('relay to NATS JetStream through an outage', () => {
  const stream = `PROVISIO_TEST_${run}`.toUpperCase();
  const prefix = `provisio_test_${run}`;
  const proxy = new TcpProxy(NATS.host, NATS.port);
  let nc: NatsConnection;
  beforeAll(async () => {
    await proxy.open();
    nc = await connect({ servers: `${NATS.host}:${NATS.port}` });
  });
  afterAll(async () => {
    await proxy.close();
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(stream).catch(() => undefined);
    await nc.close();
  });

  /** Every message stored in the stream, in stream order (what any JetStream consumer would get). */
  async function stored(): Promise<CloudEvent[]> {
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(stream).catch(() => undefined);
    if (!info || info.state.messages === 0) return [];
    const out: CloudEvent[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const m = await jsm.streams.getMessage(stream, { seq });
      expect(m.subject).toMatch(new RegExp(`^${prefix}\\.[a-z0-9-]+\\.(user|group)\\.[a-z_]+$`));
      expect(m.header.get('Nats-Msg-Id')).toBe(m.json<CloudEvent>().id);
      out.push(m.json<CloudEvent>());
    }
    return out;
  }

  it('SCIM keeps answering while NATS is down; the backlog is delivered in order, once per event id, when it returns', async () => {
    const metrics = new EventMetrics(app.orm, true);
    const relay = new EventRelay(
      app.orm,
      app.services.events,
      { broker: 'nats', batchSize: 4, pollMs: 20, retentionHours: 168, lease: app.kind === 'postgresql', connect: () => NatsPublisher.connect({ url: `127.0.0.1:${proxy.port}`, stream, prefix, timeoutMs: 1000 }) },
      pino({ level: 'silent' }),
      metrics,
    );
    await outageScenario(relay, proxy, metrics, 'Nats', stored);
    const all = await stored();
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length); // JetStream dropped duplicates by Nats-Msg-Id
    const created = all.find((e) => e.type === 'com.provisio.user.created')!;
    const slug = created.source.replace('/tenants/', '');
    expect(all.some((e) => e.type === 'com.provisio.user.deleted')).toBe(true);
    expect(slug).toMatch(/^nats-/);
  });
});

describe('relay to RabbitMQ through an outage', () => {
  const exchange = `provisio.test.${run}`;
  const proxy = new TcpProxy(AMQP.host, AMQP.port);
  let conn: amqp.ChannelModel;
  const received: CloudEvent[] = [];
  beforeAll(async () => {
    await proxy.open();
    conn = await amqp.connect(`amqp://guest:guest@${AMQP.host}:${AMQP.port}`);
    const ch = await conn.createChannel();
    await ch.assertExchange(exchange, 'topic', { durable: true });
    const q = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(q.queue, exchange, '#');
    await ch.consume(q.queue, (m) => {
      if (!m) return;
      const e = JSON.parse(m.content.toString()) as CloudEvent;
      expect(m.properties.messageId).toBe(e.id);
      expect(m.properties.deliveryMode).toBe(2); // persistent
      expect(m.fields.routingKey).toBe(`${e.source.replace('/tenants/', '')}.${e.type.replace('com.provisio.', '')}`);
      received.push(e);
      ch.ack(m);
    });
  });
  afterAll(async () => {
    await proxy.close();
    const ch = await conn.createChannel();
    await ch.deleteExchange(exchange).catch(() => undefined);
    await conn.close();
  });

  it('SCIM keeps answering while RabbitMQ is down; the backlog is delivered in order when it returns', async () => {
    const metrics = new EventMetrics(app.orm, true);
    const relay = new EventRelay(
      app.orm,
      app.services.events,
      { broker: 'rabbitmq', batchSize: 4, pollMs: 20, retentionHours: 168, lease: app.kind === 'postgresql', connect: () => RabbitPublisher.connect({ url: `amqp://guest:guest@127.0.0.1:${proxy.port}`, exchange, timeoutMs: 1000 }) },
      pino({ level: 'silent' }),
      metrics,
    );
    await outageScenario(relay, proxy, metrics, 'Rabbit', async () => received);
  });
});
