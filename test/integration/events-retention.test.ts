import type { EntityManager } from '@mikro-orm/postgresql';
import request from 'supertest';
import http from 'node:http';
import pino from 'pino';
import { buildApp } from '../../src/app';
import { sql } from '../../src/db/sql';
import { createTestDb, TestDb } from '../support/database';
import { allEvents, scimContext, USER } from '../support/events';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => db.close());

const em = () => db.orm.em.fork() as EntityManager;
const age = (tenantId: string, days: number) => sql(em(), `update event_outbox set time = now() - make_interval(days => ?) where tenant_id = ?`, [days, tenantId]);

describe('retention', () => {
  it('with a broker, deletes old delivered events only; never an undelivered or held one', async () => {
    const ctx = await scimContext(db, 'Kept');
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await db.services.users.create(ctx, { schemas: [USER], userName: `k${i}@example.com` })).user.id);
    await sql(em(), `update event_outbox set published_at = now() where subject = any(?::uuid[])`, [`{${ids.slice(0, 2).join(',')}}`]);
    await sql(em(), `update event_outbox set state = 'held' where subject = ?`, [ids[3]]);
    await age(ctx.tenant.id, 10);
    await db.services.events.prune(24 * 7, true);
    const left = await sql<{ subject: string }>(em(), 'select subject from event_outbox where tenant_id = ? order by sequence', [ctx.tenant.id]);
    expect(left.map((r) => r.subject)).toEqual([ids[2], ids[3]]);
    // young events stay whatever their state
    const young = await scimContext(db, 'Young');
    await db.services.users.create(young, { schemas: [USER], userName: 'y@example.com' });
    await db.services.events.prune(24 * 7, false);
    expect(await allEvents(db, young.tenant.id)).toHaveLength(1);
  });

  it('without a broker, deletes ready events by age (held ones stay)', async () => {
    const ctx = await scimContext(db, 'Aged');
    const { user } = await db.services.users.create(ctx, { schemas: [USER], userName: 'a@example.com' });
    const { user: held } = await db.services.users.create(ctx, { schemas: [USER], userName: 'b@example.com' });
    await sql(em(), `update event_outbox set state = 'held' where subject = ?`, [held.id]);
    await age(ctx.tenant.id, 2);
    expect(await db.services.events.prune(24, false)).toBeGreaterThanOrEqual(1);
    const left = await sql<{ subject: string }>(em(), 'select subject from event_outbox where tenant_id = ?', [ctx.tenant.id]);
    expect(left.map((r) => r.subject)).toEqual([held.id]);
    expect(left.map((r) => r.subject)).not.toContain(user.id);
  });
});

describe('GET /metrics', () => {
  it('exposes backlog, lag, held, published and failures in the Prometheus text format', async () => {
    const ctx = await scimContext(db, 'Metered');
    await db.services.users.create(ctx, { schemas: [USER], userName: 'm@example.com' });
    const withBroker = buildApp({ config: { ...db.config, eventBroker: 'nats' }, services: db.services, logger: pino({ level: 'silent' }) });
    const res = await request(http.createServer(withBroker.callback())).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    const backlog = Number(/^provisio_outbox_backlog (\d+)/m.exec(res.text)?.[1]);
    expect(backlog).toBeGreaterThanOrEqual(1);
    expect(Number(/^provisio_relay_lag_seconds ([\d.e-]+)/m.exec(res.text)?.[1])).toBeGreaterThan(0);
    expect(res.text).toMatch(/^provisio_events_held \d+/m);
    expect(res.text).toContain('# TYPE provisio_events_published_total counter');
    expect(res.text).toContain('# TYPE provisio_relay_failures_total counter');
    // without a broker nothing is "behind": consumers poll
    const none = buildApp({ config: db.config, services: db.services, logger: pino({ level: 'silent' }) });
    expect((await request(http.createServer(none.callback())).get('/metrics')).text).toMatch(/^provisio_outbox_backlog 0$/m);
  });
});
