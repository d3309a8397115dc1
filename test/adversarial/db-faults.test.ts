import type { EntityManager } from '@mikro-orm/postgresql';
import net from 'node:net';
import { asUnavailable, databaseFault } from '../../src/db/faults';
import { DEFAULT_DB_LIMITS } from '../../src/db/timeouts';
import { UnavailableError } from '../../src/domain/errors';
import { formatError, isUnexpected } from '../../src/graphql/errors';
import { toScimError } from '../../src/scim/scim-error';
import { migrate, openOrm } from '../../src/db/orm';
import { sql } from '../../src/db/sql';
import { createServices } from '../../src/services';
import { testConfig } from '../support/database';
import { createPgCluster, PgCluster } from '../support/pg-cluster';
import { ensureBuilt } from '../support/dist';
import { startServer } from '../support/server-process';
import { eventually } from '../support/tcp-proxy';

// The test stops, crashes and freezes a PostgreSQL cluster of its own (initdb, pg_ctl): it needs
// the PostgreSQL 15 server binaries, present where DATABASE_URL is set, as in CI (embedded PGlite
// runs in-process and cannot be crashed apart from the server).
const onServer = (name: string, fn: () => void) => (process.env.DATABASE_URL ? describe(name, fn) : undefined);

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** The error of the first statement on an ORM (opening it does not connect: ensureDatabase is off). */
async function firstQueryError(orm: Awaited<ReturnType<typeof openOrm>>): Promise<unknown> {
  try {
    await orm.em.fork().getConnection().execute('select 1');
    return undefined;
  } catch (e) {
    return e;
  } finally {
    await orm.close(true).catch(() => undefined);
  }
}

describe('database faults as the driver reports them', () => {
  const refusedPort = async () => {
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    const port = (s.address() as net.AddressInfo).port;
    await new Promise((r) => s.close(r));
    return port;
  };

  it('a refused connection is SCIM 503 with Retry-After and GraphQL SERVICE_UNAVAILABLE, never an unexpected error', async () => {
    const error = await firstQueryError(await openOrm(`postgresql://postgres@127.0.0.1:${await refusedPort()}/x`, 1));
    expect(databaseFault(error)).toMatchObject({ kind: 'unreachable' });
    const unavailable = asUnavailable(error);
    expect(unavailable).toBeInstanceOf(UnavailableError);
    expect((unavailable as UnavailableError).retryAfterSeconds).toBeGreaterThan(0);
    expect(toScimError(error)).toMatchObject({ status: 503, body: { status: '503' } });
    expect(formatError({ message: 'x' }, error).extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(isUnexpected(error)).toBe(false);
  });

  it('a server that accepts and never answers (frozen) is a database fault once DB_ACQUIRE_TIMEOUT_MS has passed: 503', async () => {
    const sockets: net.Socket[] = [];
    const frozen = net.createServer((s) => void sockets.push(s)); // accepts TCP, says nothing
    await new Promise<void>((r) => frozen.listen(0, '127.0.0.1', () => r()));
    const port = (frozen.address() as net.AddressInfo).port;
    try {
      const error = await firstQueryError(await openOrm(`postgresql://postgres@127.0.0.1:${port}/x`, 1, false, { ...DEFAULT_DB_LIMITS, acquireTimeoutMs: 300 }));
      expect(databaseFault(error)).toBeDefined();
      expect(toScimError(error)?.status).toBe(503);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => frozen.close(r));
    }
  });

  it('an error of the request itself stays what it is', () => {
    const syntax = Object.assign(new Error('syntax error at or near "x"'), { code: '42601' });
    expect(databaseFault(syntax)).toBeUndefined();
    expect(asUnavailable(syntax)).toBe(syntax);
    expect(toScimError(syntax)).toBeUndefined();
  });
});

interface Answer {
  phase: string;
  kind: 'create' | 'list' | 'graphql';
  status: number;
  retryAfter: string | null;
  body: { status?: string; schemas?: string[]; errors?: { extensions?: { code?: string } }[] } | null;
}

onServer('the database killed, shut down and frozen under load', () => {
  let cluster: PgCluster;
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  afterAll(async () => {
    await server?.stop();
    cluster?.destroy();
  });

  it('answers 503 + Retry-After (SCIM) and SERVICE_UNAVAILABLE (GraphQL), /readyz 503 in its timeout, recovers alone, and loses no acknowledged write, event or audit row', async () => {
    ensureBuilt();
    cluster = await createPgCluster();
    const orm = await openOrm(cluster.url, 2);
    await migrate(orm);
    const services = createServices(orm, testConfig());
    const tenant = await services.tenants.create({ name: 'Faults' });
    const { token } = await services.connections.createConnection(tenant.id, { idp: 'generic' });
    const { key } = await services.adminKeys.create({ role: 'admin' });
    await orm.close(true);

    const READY_TIMEOUT_MS = 1000;
    server = await startServer({
      DATABASE_URL: cluster.url,
      DB_POOL_MAX: '6',
      DB_STATEMENT_TIMEOUT_MS: '2000',
      DB_QUERY_TIMEOUT_MS: '3000',
      DB_ACQUIRE_TIMEOUT_MS: '1500',
      READY_TIMEOUT_MS: String(READY_TIMEOUT_MS),
      DB_RETRY_AFTER_SECONDS: '2',
    });
    const base = `${server.url}/scim/v2/${tenant.slug}`;
    const headers = { authorization: `Bearer ${token.token}`, 'content-type': 'application/scim+json' };
    const answers: Answer[] = [];
    const acknowledged: string[] = [];
    const hangs: string[] = [];
    let phase = 'warm-up';
    let stop = false;
    let n = 0;

    // a request that does not answer in 20 s counts as a hang (the longest bound configured is 3 s)
    const call = async (kind: Answer['kind'], url: string, init: RequestInit): Promise<Answer | undefined> => {
      try {
        const res = await fetch(url, { ...init, signal: AbortSignal.timeout(20_000) });
        const text = await res.text();
        const a: Answer = { phase, kind, status: res.status, retryAfter: res.headers.get('retry-after'), body: text ? JSON.parse(text) : null };
        answers.push(a);
        return a;
      } catch (e) {
        hangs.push(`${kind} in ${phase}: ${String(e)}`);
        return undefined;
      }
    };
    const worker = async () => {
      while (!stop) {
        const userName = `f${n++}@example.com`;
        const created = await call('create', `${base}/Users`, { method: 'POST', headers, body: JSON.stringify({ schemas: [USER], userName }) });
        if (created?.status === 201) acknowledged.push((created.body as unknown as { id: string }).id);
        await call('list', `${base}/Users?count=1`, { headers });
        if (n % 5 === 0) {
          await call('graphql', `${server!.url}/graphql`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body: JSON.stringify({ query: `{ stats(tenant: "${tenant.slug}") { usersActive } }` }),
          });
        }
        if (created && created.status !== 201) await new Promise((r) => setTimeout(r, 50));
      }
    };
    const readyz = async () => {
      const started = Date.now();
      const res = await fetch(`${server!.url}/readyz`, { signal: AbortSignal.timeout(20_000) });
      return { status: res.status, retryAfter: res.headers.get('retry-after'), ms: Date.now() - started };
    };
    const log = (m: string) => process.env.DEBUG_FAULTS && process.stderr.write(`[faults] ${m} acks=${acknowledged.length} answers=${answers.length}\n`);
    const recovered = async (label: string) => {
      log(`${label}: waiting`);
      await eventually(async () => (await readyz()).status === 200, `${label}: /readyz ready again`);
      const before = acknowledged.length;
      await eventually(async () => acknowledged.length > before + 5, `${label}: writes acknowledged again`);
    };

    const workers = Array.from({ length: 6 }, worker);
    await eventually(async () => acknowledged.length >= 20, 'load to build up');

    const faultReadyz: Awaited<ReturnType<typeof readyz>>[] = [];
    const during = async (label: string, ms: number) => {
      phase = label;
      const until = Date.now() + ms;
      while (Date.now() < until) {
        faultReadyz.push(await readyz());
        await new Promise((r) => setTimeout(r, 300));
      }
    };

    log('loaded');
    cluster.stop('fast'); // sessions end with admin_shutdown (57P01), then connections are refused
    await during('shut down', 3000);
    cluster.start();
    phase = 'after shut down';
    await recovered('after a shutdown');

    cluster.stop('immediate'); // a crash: backends die mid-statement, recovery at the next start
    await during('crashed', 3000);
    cluster.start();
    phase = 'after crash';
    await recovered('after a crash');

    cluster.freeze(); // TCP accepts, nothing answers
    await during('frozen', 5000);
    cluster.thaw();
    phase = 'after freeze';
    await recovered('after a freeze');

    stop = true;
    await Promise.all(workers);

    expect(hangs).toEqual([]);
    // never a 500: a failing database is a 503 with Retry-After and a SCIM error body, or SERVICE_UNAVAILABLE
    const failures = answers.filter((a) => a.status >= 400 || (a.kind === 'graphql' && a.body?.errors));
    for (const a of failures) {
      if (a.kind === 'graphql') {
        expect(a.body?.errors?.map((e) => e.extensions?.code)).toEqual(expect.arrayContaining(['SERVICE_UNAVAILABLE']));
        expect(a.body?.errors?.every((e) => e.extensions?.code === 'SERVICE_UNAVAILABLE')).toBe(true);
      } else {
        expect({ phase: a.phase, status: a.status }).toEqual({ phase: a.phase, status: 503 });
        expect(Number(a.retryAfter)).toBeGreaterThan(0);
        expect(a.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '503' });
      }
    }
    for (const label of ['shut down', 'crashed', 'frozen']) {
      expect(failures.filter((a) => a.phase === label && a.kind !== 'graphql').length).toBeGreaterThan(0);
    }
    expect(failures.some((a) => a.kind === 'graphql')).toBe(true);
    // /readyz said 503 with Retry-After while the database was gone or frozen, each time within its own timeout
    expect(faultReadyz.length).toBeGreaterThan(0);
    for (const r of faultReadyz.filter((x) => x.status !== 200)) {
      expect(r.status).toBe(503);
      expect(Number(r.retryAfter)).toBeGreaterThan(0);
    }
    expect(faultReadyz.filter((r) => r.status === 503).length).toBeGreaterThan(3);
    // "within its own timeout": never much longer than READY_TIMEOUT_MS (a hang would be the 20 s abort)
    expect(Math.max(...faultReadyz.map((r) => r.ms))).toBeLessThan(READY_TIMEOUT_MS * 4);

    // every acknowledged create is there, with its event and its audit row
    await server.stop();
    server = undefined;
    const check = await openOrm(cluster.url, 2);
    try {
      const em = check.em.fork() as EntityManager;
      const rows = await sql<{ id: string; events: number; audits: number }>(
        em,
        `select u.id,
                (select count(*)::int from event_outbox e where e.subject = u.id and e.type = 'user.created') as events,
                (select count(*)::int from audit_entry a where a.resource_ids @> jsonb_build_array(u.id::text) and a.operation = 'User.create' and a.status = 201) as audits
           from scim_user u where u.id = any(?::uuid[])`,
        [`{${acknowledged.join(',')}}`],
      );
      expect(rows).toHaveLength(acknowledged.length);
      expect(rows.filter((r) => r.events !== 1 || r.audits !== 1)).toEqual([]);
      // and no committed user lacks its audit row (acknowledged or not: a commit whose answer was lost)
      const orphans = await sql(em, `select u.id from scim_user u where u.tenant_id = ? and not exists (select 1 from audit_entry a where a.resource_ids @> jsonb_build_array(u.id::text))`, [tenant.id]);
      expect(orphans).toEqual([]);
    } finally {
      await check.close(true);
    }
  }, 240_000);
});
