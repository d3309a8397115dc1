import type { ChildProcess } from 'node:child_process';
import { connect, JetStreamManager, NatsConnection } from 'nats';
import { v7 as uuidv7 } from 'uuid';
import { loadConfig } from '../../src/config';
import type { CloudEvent } from '../../src/domain/event/event-types';
import { RELAY_BATCH_HEADER } from '../../src/events/publisher';
import { relayOptions } from '../../src/events/relay';
import { createTestDb, TestDb } from '../support/database';
import { allEvents, USER } from '../support/events';
import { ensureBuilt } from '../support/dist';
import { NatsCluster, startNatsCluster } from '../support/nats-cluster';
import { freePort } from '../support/ports';
import { startServerProcess, stopProcess } from '../support/server-process';
import { eventually } from '../support/tcp-proxy';

/**
 * Issue 16 §3: several instances on one database and one broker, tested rather than assumed. Three
 * Provisio processes (the built server) share one PostgreSQL database and a three-node NATS
 * JetStream cluster (started here, stream replicas 3); SCIM traffic goes round-robin, as behind a
 * load balancer. Several processes on one database need a PostgreSQL server (embedded PGlite admits
 * one process): that part runs when DATABASE_URL is set, as in CI; the publisher's own part on the
 * cluster runs on both.
 */
const onServer = (name: string, fn: () => void) => (process.env.DATABASE_URL ? describe(name, fn) : undefined);

interface Instance {
  proc: ChildProcess;
  base: string;
  alive: boolean;
}

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let nats: NatsCluster;
let nc: NatsConnection;
let jsm: JetStreamManager;
beforeAll(async () => {
  nats = await startNatsCluster(3);
  nc = await connect({ servers: nats.urls });
  jsm = await nc.jetstreamManager();
}, 120_000);
afterAll(async () => {
  await nc?.close();
  await nats?.stop();
});

describe('the relay\'s publisher on a JetStream cluster', () => {
  it('takes the cluster as a comma-separated URL list, creates the stream with 3 replicas, and names the batch of each event', async () => {
    const stream = `PROVISIO_PUB_${Math.random().toString(36).slice(2, 8)}`.toUpperCase();
    const config = loadConfig({ NATS_URL: nats.url, NATS_STREAM: stream, NATS_STREAM_REPLICAS: '3', EVENT_SUBJECT_PREFIX: stream.toLowerCase(), EVENT_BROKER: 'nats' });
    expect(config.natsStreamReplicas).toBe(3);
    const publisher = await relayOptions(config).connect!();
    try {
      const event = { id: uuidv7(), sequence: 1, subject: uuidv7(), type: 'com.provisio.user.created', data: { version: 1 } } as unknown as CloudEvent;
      await publisher.publish(event, 'acme', 'host:1/7');
      const info = await jsm.streams.info(stream);
      expect(info.config.num_replicas).toBe(3);
      // the leader and its replicas are the three nodes (during an election a node can be listed twice)
    const peers = new Set([info.cluster?.leader, ...(info.cluster?.replicas ?? []).map((r) => r.name)].filter(Boolean));
    expect([...peers].sort()).toEqual(['n0', 'n1', 'n2']);
      const m = await jsm.streams.getMessage(stream, { seq: 1 });
      expect(m.subject).toBe(`${stream.toLowerCase()}.acme.user.created`);
      expect(m.header.get(RELAY_BATCH_HEADER)).toBe('host:1/7');
      expect(m.json<CloudEvent>().id).toBe(event.id);
    } finally {
      await publisher.close();
      await jsm.streams.delete(stream);
    }
    expect(() => loadConfig({ NATS_STREAM_REPLICAS: 'three' })).toThrow(/NATS_STREAM_REPLICAS/);
  });
});

onServer('three instances on one PostgreSQL and a three-node JetStream cluster', () => {
  const run = Math.random().toString(36).slice(2, 8);
  const stream = `PROVISIO_MI_${run}`.toUpperCase();
  const prefix = `provisio_mi_${run}`;
  let db: TestDb;
  let instances: Instance[] = [];
  let slug: string;
  let tenantId: string;
  let connectionId: string;
  let token: string;
  let adminKey: string;
  const killAll = () => instances.forEach((i) => i.proc.kill('SIGKILL'));

  beforeAll(async () => {
    ensureBuilt();
    db = await createTestDb();
    const tenant = await db.services.tenants.create({ name: 'Many Instances' });
    ({ slug } = tenant);
    tenantId = tenant.id;
    const conn = await db.services.connections.createConnection(tenant.id, { idp: 'generic' });
    connectionId = conn.connection.id;
    token = conn.token.token;
    adminKey = (await db.services.adminKeys.create({ role: 'admin' })).key;
    process.once('exit', killAll); // never leave servers behind, even if jest dies
    const ports = [await freePort(), await freePort(), await freePort()];
    const started = await Promise.allSettled(
      ports.map((port) =>
        startServerProcess({
          DATABASE_URL: db.url,
          PORT: String(port),
          HOST: '127.0.0.1',
          PUBLIC_URL: 'https://provisio.test', // one name behind the load balancer
          LOG_LEVEL: 'error',
          DB_POOL_MAX: '4',
          EVENT_BROKER: 'nats',
          NATS_URL: nats.url,
          NATS_STREAM: stream,
          NATS_STREAM_REPLICAS: '3',
          EVENT_SUBJECT_PREFIX: prefix,
          EVENT_RELAY_POLL_MS: '20',
          EVENT_RELAY_BATCH: '5', // small batches: the relays take turns often
        }).then((proc) => instances.push({ proc, base: `http://127.0.0.1:${port}`, alive: true })),
      ),
    );
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }, 180_000);

  afterAll(async () => {
    await Promise.all(instances.map((i) => stopProcess(i.proc)));
    process.removeListener('exit', killAll);
    await db?.close();
  });

  const scim = (i: Instance, path: string, init: RequestInit = {}, bearer = token) =>
    fetch(`${i.base}/scim/v2/${slug}${path}`, { ...init, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/scim+json', ...(init.headers ?? {}) } });
  const graphql = async (i: Instance, query: string, variables: Record<string, unknown>) => {
    const res = await fetch(`${i.base}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data?: Record<string, any>; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    return body.data!;
  };
  const createUser = async (i: Instance, userName: string, extra: Record<string, unknown> = {}) => {
    const res = await scim(i, '/Users', { method: 'POST', body: JSON.stringify({ schemas: [USER, ...Object.keys(extra)], userName, ...extra }) });
    expect(res.status).toBe(201);
    return (await res.json()) as { id: string } & Record<string, any>;
  };

  it('the stream is replicated on the three nodes', async () => {
    await eventually(async () => (await jsm.streams.info(stream).catch(() => undefined))?.config.num_replicas === 3, 'the relays to create the stream');
    const info = await jsm.streams.info(stream);
    // the leader and its replicas are the three nodes (during an election a node can be listed twice)
    const peers = new Set([info.cluster?.leader, ...(info.cluster?.replicas ?? []).map((r) => r.name)].filter(Boolean));
    expect([...peers].sort()).toEqual(['n0', 'n1', 'n2']);
  });

  it('long polls on every instance see an event written through another', async () => {
    const after = (await db.services.events.stats(tenantId)).lastSequence;
    const polls = instances.map(async (i) => {
      const res = await fetch(`${i.base}/events?tenant=${slug}&after=${after}&wait=25`, { headers: { authorization: `Bearer ${adminKey}` } });
      expect(res.status).toBe(200);
      return ((await res.json()) as { events: CloudEvent[] }).events;
    });
    const user = await createUser(instances[1], 'polled@example.com');
    for (const events of await Promise.all(polls)) expect(events.map((e) => [e.type, e.subject])).toEqual([['com.provisio.user.created', user.id]]);
  });

  it('a token revoked through one instance is refused by the others', async () => {
    const second = await db.services.connections.issueToken(tenantId, connectionId);
    for (const i of instances) expect((await scim(i, '/Users?count=1', {}, second.token)).status).toBe(200); // cached as valid everywhere
    await graphql(instances[0], 'mutation($id: ID!, $t: String!) { revokeToken(id: $id, tenant: $t) { id } }', { id: second.id, t: slug });
    expect((await scim(instances[0], '/Users?count=1', {}, second.token)).status).toBe(401);
    for (const i of instances.slice(1)) await eventually(async () => (await scim(i, '/Users?count=1', {}, second.token)).status === 401, 'the revocation to reach another instance');
    for (const i of instances) expect((await scim(i, '/Users?count=1')).status).toBe(200); // the other token still works
  });

  it('a custom attribute defined through one instance is served by the others', async () => {
    const urn = `urn:ietf:params:scim:schemas:extension:${slug}:2.0:User`;
    const hasIt = async (i: Instance) => {
      const schema = (await (await scim(i, `/Schemas/${encodeURIComponent(urn)}`)).json()) as { attributes?: { name: string }[] };
      return !!schema.attributes?.some((a) => a.name === 'costCenter');
    };
    for (const i of instances) expect(await hasIt(i)).toBe(false); // each catalogue is loaded (and cached) without it
    await graphql(instances[0], 'mutation($t: String!, $in: DefineAttributeInput!) { defineAttribute(tenant: $t, input: $in) { name } }', {
      t: slug,
      in: { resourceType: 'User', name: 'costCenter', type: 'string' },
    });
    for (const i of instances) await eventually(() => hasIt(i), 'the attribute on every instance');
    const user = await createUser(instances[2], 'cost@example.com', { [urn]: { costCenter: 'CC-7' } });
    expect(user[urn]).toEqual({ costCenter: 'CC-7' });
    const found = (await (await scim(instances[1], `/Users?filter=${encodeURIComponent(`${urn}:costCenter eq "CC-7"`)}`)).json()) as { Resources: { id: string }[] };
    expect(found.Resources.map((r) => r.id)).toEqual([user.id]);
  });

  it('a cursor from one instance is accepted by another', async () => {
    for (let n = 0; n < 4; n++) await createUser(instances[n % 3], `paged${n}@example.com`);
    const all = (await (await scim(instances[2], '/Users?cursor=&count=100')).json()) as { Resources: { id: string }[] };
    expect(all.Resources.length).toBeGreaterThanOrEqual(6);
    const first = (await (await scim(instances[0], '/Users?cursor=&count=2')).json()) as { Resources: { id: string }[]; nextCursor: string };
    const res = await scim(instances[1], `/Users?cursor=${encodeURIComponent(first.nextCursor)}&count=2`);
    expect(res.status).toBe(200);
    const second = (await res.json()) as { Resources: { id: string }[]; nextCursor: string };
    expect([...first.Resources, ...second.Resources].map((r) => r.id)).toEqual(all.Resources.slice(0, 4).map((r) => r.id));
    const third = await scim(instances[2], `/Users?cursor=${encodeURIComponent(second.nextCursor)}&count=2`);
    expect(((await third.json()) as { Resources: { id: string }[] }).Resources.map((r) => r.id)).toEqual(all.Resources.slice(4, 6).map((r) => r.id));
  });

  it('one relay publishes at a time; when its process is SIGKILLed another takes over; no event is lost or reordered per resource', async () => {
    const pidOf = (batch: string) => Number(batch.split('/')[0].split(':').pop());
    const lastPublished = async (): Promise<{ seq: number; pid: number } | undefined> => {
      const seq = (await jsm.streams.info(stream)).state.last_seq;
      if (!seq) return undefined;
      const m = await jsm.streams.getMessage(stream, { seq });
      return { seq, pid: pidOf(m.header.get(RELAY_BATCH_HEADER)) };
    };
    // round-robin over the live instances, as a load balancer would: create, then patch twice elsewhere
    let stop = false;
    let answered = 0;
    let turn = 0;
    const next = () => {
      const live = instances.filter((i) => i.alive);
      return live[turn++ % live.length];
    };
    const worker = async (w: number) => {
      for (let n = 0; !stop; n++) {
        try {
          const res = await scim(next(), '/Users', { method: 'POST', body: JSON.stringify({ schemas: [USER], userName: `w${w}-${n}@example.com` }) });
          if (res.status !== 201) continue;
          const { id } = (await res.json()) as { id: string };
          answered++;
          for (const value of ['a', 'b']) {
            const patched = await scim(next(), `/Users/${id}`, { method: 'PATCH', body: JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value }] }) });
            if (patched.status !== 200) break;
            answered++;
          }
        } catch {
          // a request in flight to the instance being killed: not answered, so nothing is expected of it
        }
      }
    };
    const workers = Array.from({ length: 6 }, (_, w) => worker(w));
    try {
      await eventually(async () => answered >= 60 && ((await lastPublished())?.seq ?? 0) >= 30, 'load and publishing to build up');
      // kill the relay that published last, mid-load
      const leader = await lastPublished();
      const victim = instances.find((i) => i.proc.pid === leader!.pid)!;
      expect(victim).toBeDefined();
      victim.alive = false;
      await stopProcess(victim.proc, 'SIGKILL');
      const killedAt = (await jsm.streams.info(stream)).state.last_seq;
      const answeredAtKill = answered;
      // another instance publishes what is written after the kill
      await eventually(async () => {
        const last = await lastPublished();
        return answered >= answeredAtKill + 60 && !!last && last.seq > killedAt && last.pid !== victim.proc.pid;
      }, 'another relay to take over');
    } finally {
      stop = true;
      await Promise.all(workers);
    }
    await eventually(async () => (await db.services.events.stats(tenantId)).unpublished === 0, 'everything to be published');

    // the whole stream, in stream order (a relay publishes one event at a time and waits for its ack)
    const last = (await jsm.streams.info(stream)).state.last_seq;
    const stored: { seq: number; batch: string; event: CloudEvent }[] = [];
    for (let seq = 1; seq <= last; seq++) {
      const m = await jsm.streams.getMessage(stream, { seq });
      stored.push({ seq, batch: m.header.get(RELAY_BATCH_HEADER), event: m.json<CloudEvent>() });
    }
    const outbox = await allEvents(db, tenantId);
    expect(outbox.length).toBeGreaterThanOrEqual(answered); // every change answered 2xx has its event
    const mine = stored.filter((s) => s.event.tenantid === tenantId);
    // nothing lost, nothing twice (a republish after the kill is dropped by its Nats-Msg-Id)
    expect(mine.map((s) => s.event.id).sort()).toEqual(outbox.map((e) => e.id).sort());
    // the tenant's sequence order, hence every resource's order
    expect(mine.map((s) => s.event.sequence)).toEqual(outbox.map((e) => e.sequence));
    const versions = new Map<string, number[]>();
    for (const s of mine) versions.set(s.event.subject, [...(versions.get(s.event.subject) ?? []), Number(s.event.data.version)]);
    for (const vs of versions.values()) expect(vs).toEqual(vs.map((_, k) => k + 1));
    // one relay at a time: every batch's events are contiguous in the stream, never interleaved with another's
    const batches = new Map<string, number[]>();
    for (const s of stored) {
      expect(s.batch).toMatch(/^.+:\d+\/\d+$/);
      batches.set(s.batch, [...(batches.get(s.batch) ?? []), s.seq]);
    }
    for (const seqs of batches.values()) expect(seqs[seqs.length - 1] - seqs[0] + 1).toBe(seqs.length);
    // the killed instance published before its death, the others after it
    const publishers = new Set(stored.map((s) => pidOf(s.batch)));
    expect(publishers.size).toBeGreaterThanOrEqual(2);
  }, 180_000);
});
