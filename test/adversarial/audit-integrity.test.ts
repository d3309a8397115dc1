import type { EntityManager } from '@mikro-orm/postgresql';
import request from 'supertest';
import { sql } from '../../src/db/sql';
import { AuditService } from '../../src/domain/audit/audit.service';
import { createTestApp, scim, TestApp } from '../support/app';
import { ensureBuilt } from '../support/dist';
import { startServer } from '../support/server-process';
import { eventually } from '../support/tcp-proxy';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

// A server process killed mid-request needs a PostgreSQL server (embedded PGlite is owned by one process).
const onServer = (name: string, fn: () => void) => (process.env.DATABASE_URL ? describe(name, fn) : undefined);

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => app.close());

const em = () => app.orm.em.fork() as EntityManager;

interface Row {
  operation: string;
  status: number;
  resource_ids: string[];
  bulk_id: string | null;
  filter: string | null;
  path: string;
}
const auditOf = (tenantId: string) =>
  sql<Row>(em(), 'select operation, status, resource_ids, bulk_id, filter, path from audit_entry where tenant_id = ? order by id', [tenantId]);

describe('audit poisoning', () => {
  it("one tenant's NUL bytes and lone surrogates cost no other request its audit row", async () => {
    const a = await app.tenant('Poison A');
    const b = await app.tenant('Poison B');
    const apiA = scim(app, a.token);
    const apiB = scim(app, b.token);
    let stop = false;
    let sentA = 0;
    let routedA = 0;
    const statusesA: number[] = [];
    const attacker = async () => {
      const poisons = [
        () => apiA.get(`${a.base}/Users?filter=${encodeURIComponent('userName eq "a\u0000b"')}`),
        () => apiA.post(`${a.base}/Users/.search`, `{"schemas":["${SEARCH}"],"filter":"userName eq \\"sur\\ud800x\\""}`),
        () => apiA.get(`${a.base}/Users/%00${'x'.repeat(5000)}?attributes=${encodeURIComponent('display\u0000Name')}`),
        () => apiA.post(`${a.base}/Users`, `{"schemas":["${USER}"],"userName":"nul\\u0000${sentA}@example.com"}`),
      ];
      while (!stop) {
        const i = sentA++ % poisons.length;
        const res = await poisons[i]();
        statusesA.push(res.status);
        // bad bytes in the URL are refused at the edge, before routing names a tenant (src/http/url-check.ts):
        // those get a 400 and no tenant audit row; bad text in a body reaches the tenant's routes
        if (i === 1 || i === 3) routedA++;
        else expect(res.status).toBe(400);
      }
    };
    const attackers = [attacker(), attacker(), attacker()];
    const created: string[] = [];
    for (let round = 0; round < 10; round++) {
      const ids = await Promise.all(
        Array.from({ length: 10 }, async (_, i) => {
          const res = await apiB.post(`${b.base}/Users`, { schemas: [USER], userName: `b${round * 10 + i}@example.com` });
          expect(res.status).toBe(201);
          return res.body.id as string;
        }),
      );
      created.push(...ids);
    }
    stop = true;
    await Promise.all(attackers);
    await app.services.audit.drain();

    // (that such input is answered 400, never 500, is input validation's business: bad-bytes tests)
    expect(statusesA).toHaveLength(sentA);
    const rowsB = await auditOf(b.id);
    const creates = rowsB.filter((r) => r.operation === 'User.create' && r.status === 201);
    expect(creates.flatMap((r) => r.resource_ids).sort()).toEqual([...created].sort());
    // the attacker's own requests are all recorded too, their text made storable
    const rowsA = await auditOf(a.id);
    expect(rowsA).toHaveLength(routedA);
    expect(routedA).toBeGreaterThan(4);
    expect(rowsA.every((r) => r.status === 400)).toBe(true); // bad text in a body is refused before it is used (bad-bytes tests)
  });

  it('a row the database refuses is dropped alone: the rest of its batch is stored', async () => {
    const t = await app.tenant('Batch');
    const base = { tenantId: t.id, method: 'GET', path: '/x', operation: 'User.list', status: 200, latencyMs: 1 };
    const actor = { kind: 'scim' as const, connectionId: t.connectionId, tokenId: t.tokenId, idp: 'generic' as const };
    // queued together: the first flush takes one entry, the next ones go as one batch
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        app.services.audit.record({ ...base, actor: i === 17 ? { ...actor, connectionId: 'not-a-uuid' } : actor, requestId: `batch-${i}` }),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect((results[17] as PromiseRejectedResult).reason).toBeDefined();
    const stored = await sql<{ request_id: string }>(em(), 'select request_id from audit_entry where tenant_id = ? order by request_id', [t.id]);
    expect(stored.map((r) => r.request_id).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `batch-${i}`).filter((id) => id !== 'batch-17').sort());
  });
});

describe('audit grouping', () => {
  // a linger far longer than any pause between two synchronous calls (the default 5 ms is not, under a
  // loaded suite's GC), so that what shares a statement depends on the rule alone
  const audit = (lingerMs = 300) => new AuditService(app.orm, lingerMs);
  const entries = async (name: string) => {
    const t = await app.tenant(name);
    const actor = { kind: 'scim' as const, connectionId: t.connectionId, tokenId: t.tokenId, idp: 'generic' as const };
    const entry = (requestId: string) => ({ tenantId: t.id, actor, method: 'GET', path: '/x', operation: 'User.get', status: 200, latencyMs: 1, requestId });
    // rows written by one INSERT share its transaction id
    const statements = async () =>
      (await sql<{ n: number; rows: number }>(em(), 'select count(distinct xmin::text)::int as n, count(*)::int as rows from audit_entry where tenant_id = ?', [t.id]))[0];
    return { entry, statements };
  };

  it('entries nobody waits for (reads) share one INSERT, and are stored with no drain', async () => {
    const { entry, statements } = await entries('Grouping reads');
    const service = audit();
    await Promise.all(Array.from({ length: 20 }, (_, i) => service.record(entry(`read-${i}`), 'soon')));
    // without the linger the first would have gone alone, the other nineteen in the next INSERT
    expect(await statements()).toEqual({ n: 1, rows: 20 });
  });

  it('an awaited entry starts its INSERT at once and takes the lingering ones with it', async () => {
    const { entry, statements } = await entries('Grouping awaited');
    // ten minutes: were the awaited entry to wait for the reads' linger, the test would time out
    const service = audit(600_000);
    const reads = Array.from({ length: 5 }, (_, i) => service.record(entry(`read-${i}`), 'soon'));
    await service.record(entry('failed-write'), 'now');
    expect(await statements()).toEqual({ n: 1, rows: 6 });
    await Promise.all(reads);
  });
});

describe('transactional audit of writes', () => {
  it('/Bulk records one entry per operation with its bulkId, failed operations included, and one for the request', async () => {
    const t = await app.tenant('Bulk Audit');
    const res = await request(app.server)
      .post(`${t.base}/Bulk`)
      .set('Authorization', `Bearer ${t.token}`)
      .set('Content-Type', 'application/scim+json')
      .send({
        schemas: [BULK],
        Operations: [
          { method: 'POST', path: '/Users', bulkId: 'u1', data: { schemas: [USER], userName: 'bulk1@example.com' } },
          { method: 'POST', path: '/Users', bulkId: 'u2', data: { schemas: [USER], userName: 'bulk1@example.com' } },
          { method: 'PATCH', path: '/Users/bulkId:u1', data: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'displayName', value: 'One' }] } },
        ],
      });
    expect(res.status).toBe(200);
    const [first, second, patch] = res.body.Operations;
    expect([first.status, second.status, patch.status]).toEqual(['201', '409', '200']);
    await app.services.audit.drain();
    const rows = await auditOf(t.id);
    const id = first.location.split('/').pop();
    expect(rows.filter((r) => r.bulk_id !== null).map((r) => [r.bulk_id, r.operation, r.status, r.path]).sort()).toEqual(
      [
        ['u1', 'User.create', 201, `${t.base}/Users`],
        ['u2', 'User.create', 409, `${t.base}/Users`],
        [null, 'User.patch', 200, `${t.base}/Users/bulkId:u1`],
      ]
        .filter((x) => x[0] !== null)
        .sort(),
    );
    // the PATCH has no bulkId of its own (RFC 7644 §3.7: only POST needs one): one row, naming the user
    const patchRows = rows.filter((r) => r.operation === 'User.patch');
    expect(patchRows).toHaveLength(1);
    expect(patchRows[0].resource_ids).toEqual([id]);
    expect(rows.filter((r) => r.operation === 'Bulk.create')).toHaveLength(1);
  });

  it('a committed write finds its entry in its own transaction: present as soon as the answer is, and absent for a write that rolled back', async () => {
    const t = await app.tenant('Tx Audit');
    const api = scim(app, t.token);
    const created = await api.post(`${t.base}/Users`, { schemas: [USER], userName: 'tx@example.com' });
    expect(created.status).toBe(201);
    const stale = await api.put(`${t.base}/Users/${created.body.id}`, { schemas: [USER], userName: 'tx2@example.com' }).set('If-Match', 'W/"7"');
    expect(stale.status).toBe(412);
    const rows = (await auditOf(t.id)).filter((r) => r.resource_ids.includes(created.body.id));
    expect(rows.map((r) => [r.operation, r.status])).toEqual([
      ['User.create', 201],
      ['User.replace', 412],
    ]);
    const user = await sql<{ user_name: string }>(em(), 'select user_name from scim_user where id = ?', [created.body.id]);
    expect(user[0].user_name).toBe('tx@example.com');
  });
});

onServer('SIGKILL in the middle of a /Bulk', () => {
  it('leaves every committed user with its audit entry (bulkId included) and its event', async () => {
    ensureBuilt();
    const t = await app.tenant('Bulk Crash');
    const server = await startServer({ DATABASE_URL: app.url });
    try {
      const operations = Array.from({ length: 1000 }, (_, i) => ({
        method: 'POST',
        path: '/Users',
        bulkId: `k${i}`,
        data: { schemas: [USER], userName: `crash${i}@example.com` },
      }));
      const sent = fetch(`${server.url}/scim/v2/${t.slug}/Bulk`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify({ schemas: [BULK], Operations: operations }),
      }).catch(() => undefined);
      await eventually(async () => (await sql<{ n: number }>(em(), 'select count(*)::int as n from scim_user where tenant_id = ?', [t.id]))[0].n >= 100, 'the bulk to be under way');
      await server.stop(); // SIGKILL
      await sent;
    } finally {
      await server.stop();
    }
    const users = await sql<{ id: string; user_name: string; audits: { bulk_id: string; status: number; operation: string }[]; events: number }>(
      em(),
      `select u.id, u.user_name,
              (select coalesce(jsonb_agg(jsonb_build_object('bulk_id', a.bulk_id, 'status', a.status, 'operation', a.operation)), '[]'::jsonb)
                 from audit_entry a where a.tenant_id = u.tenant_id and a.resource_ids @> jsonb_build_array(u.id::text)) as audits,
              (select count(*)::int from event_outbox e where e.subject = u.id and e.type = 'user.created') as events
         from scim_user u where u.tenant_id = ?`,
      [t.id],
    );
    expect(users.length).toBeGreaterThanOrEqual(100);
    expect(users.length).toBeLessThan(1000); // it was killed mid-way
    for (const u of users) {
      const n = Number(u.user_name.replace(/\D/g, ''));
      expect({ user: u.user_name, audits: u.audits, events: u.events }).toEqual({ user: u.user_name, audits: [{ bulk_id: `k${n}`, status: 201, operation: 'User.create' }], events: 1 });
    }
  });
});
