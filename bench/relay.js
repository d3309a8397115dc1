// node bench/relay.js (after npm run build; needs the local PostgreSQL, NATS and RabbitMQ): how fast one
// relay drains an outbox backlog to each broker, as a ratio to publishing the same number of messages
// straight to that broker one confirmed message at a time (the relay's own publishing discipline),
// measured in the same run. The ratio is what the outbox costs on top of the broker.
require('reflect-metadata');
const { connect } = require('nats');
const amqp = require('amqplib');
const pino = require('pino');
const { scratchDatabase, sql } = require('./lib');
const { openOrm, migrate } = require('../dist/src/db/orm');
const { createServices } = require('../dist/src/services');
const { loadConfig } = require('../dist/src/config');
const { EventRelay } = require('../dist/src/events/relay');
const { NatsPublisher } = require('../dist/src/events/nats-publisher');
const { RabbitPublisher } = require('../dist/src/events/rabbitmq-publisher');

const N = Number(process.env.BENCH_EVENTS || 20000);
const run = `${process.pid}`;

async function drain(orm, services, connect) {
  const relay = new EventRelay(orm, services.events, { broker: 'nats', batchSize: 500, pollMs: 10, retentionHours: 168, lease: true, connect }, pino({ level: 'silent' }));
  const started = process.hrtime.bigint();
  relay.start();
  for (;;) {
    const [{ n }] = await sql(orm.config.get('clientUrl'), "select count(*)::int as n from event_outbox where published_at is null and state = 'ready'").then((r) => r.rows);
    if (n === 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  await relay.stop();
  return (N * 1000) / ms;
}

async function timed(work) {
  const started = process.hrtime.bigint();
  await work();
  return (N * 1000) / (Number(process.hrtime.bigint() - started) / 1e6);
}

async function main() {
  const db = await scratchDatabase('provisio_bench_relay');
  const orm = await openOrm(db.url, 10);
  const nc = await connect({ servers: '127.0.0.1:4222' });
  const amqpConn = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
  const stream = `PROVISIO_BENCH_${run}`;
  const prefix = `provisio_bench_${run}`;
  const exchange = `provisio.bench.${run}`;
  try {
    await migrate(orm);
    const services = createServices(orm, loadConfig({}));
    const tenant = await services.tenants.create({ name: 'Relay Bench' });
    await sql(
      db.url,
      `insert into event_outbox (id, tenant_id, type, subject, time, data, state)
       select gen_random_uuid(), $1, 'user.updated', gen_random_uuid(), now(),
              jsonb_build_object('resourceType', 'User', 'version', n, 'changes', jsonb_build_array(jsonb_build_object('attribute', 'displayName', 'old', 'a', 'new', 'b'))), 'ready'
         from generate_series(1, $2::int) n`,
      [tenant.id, N],
    );
    const payload = Buffer.from(JSON.stringify({ specversion: '1.0', data: { changes: [{ attribute: 'displayName', old: 'a', new: 'b' }] }, pad: 'x'.repeat(300) }));

    // NATS: direct sequential publishes vs the relay
    const jsPub = await NatsPublisher.connect({ url: '127.0.0.1:4222', stream, prefix });
    const js = nc.jetstream();
    const natsDirect = await timed(async () => {
      for (let i = 0; i < N; i++) await js.publish(`${prefix}.direct.user.updated`, payload, { msgID: `d-${run}-${i}` });
    });
    await jsPub.close();
    const natsRelay = await drain(orm, services, () => NatsPublisher.connect({ url: '127.0.0.1:4222', stream, prefix }));

    // RabbitMQ: direct sequential confirmed publishes vs the relay
    await sql(db.url, 'update event_outbox set published_at = null');
    const ch = await amqpConn.createConfirmChannel();
    await ch.assertExchange(exchange, 'topic', { durable: true });
    const rabbitDirect = await timed(async () => {
      for (let i = 0; i < N; i++) await new Promise((res, rej) => ch.publish(exchange, 'direct.user.updated', payload, { persistent: true }, (e) => (e ? rej(e) : res())));
    });
    const rabbitRelay = await drain(orm, services, () => RabbitPublisher.connect({ url: 'amqp://guest:guest@127.0.0.1:5672', exchange }));

    const line = (t, v, base) => `${t.padEnd(48)} ${v.toFixed(0).padStart(7)} events/s${base ? `   ratio ${(v / base).toFixed(2)}` : '   (baseline)'}`;
    console.log(`${N} events`);
    console.log(line('NATS JetStream: direct publish, one ack at a time', natsDirect));
    console.log(line('NATS JetStream: outbox relay', natsRelay, natsDirect));
    console.log(line('RabbitMQ: direct publish, one confirm at a time', rabbitDirect));
    console.log(line('RabbitMQ: outbox relay', rabbitRelay, rabbitDirect));
  } finally {
    await (await nc.jetstreamManager()).streams.delete(stream).catch(() => undefined);
    const ch = await amqpConn.createChannel();
    await ch.deleteExchange(exchange).catch(() => undefined);
    await amqpConn.close();
    await nc.close();
    await orm.close(true);
    await db.drop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
