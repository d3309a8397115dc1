import request from 'supertest';
import { createTestApp, scim, SCIM_JSON, TestApp } from '../support/app';
import { USER } from '../support/events';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => app.close());

/** Review finding 4: unauthenticated writes never wait for their audit INSERT. */
describe('audit of requests refused before authentication', () => {
  it('answers a refused write without waiting for its audit entry, which is still stored; an authenticated write still waits', async () => {
    const t = await app.tenant('Flooded');
    const audit = app.services.audit;
    const record = audit.record;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // every audit write is held until the gate opens (the database is real; only the moment of the INSERT is delayed)
    audit.record = (input) => gate.then(() => record.call(audit, input));
    const order: string[] = [];
    try {
      const authenticated = scim(app, t.token)
        .post(`${t.base}/Users`, { schemas: [USER], userName: 'waits@example.com' })
        .then((r) => (order.push('authenticated'), r));
      const refused = await request(app.server)
        .post(`${t.base}/Users`)
        .set('Authorization', 'Bearer prv_not-a-real-token')
        .set('Content-Type', SCIM_JSON)
        .send({ schemas: [USER], userName: 'flood@example.com' });
      order.push('refused');
      expect(refused.status).toBe(401);
      release();
      expect((await authenticated).status).toBe(201);
    } finally {
      audit.record = record;
      release();
    }
    expect(order).toEqual(['refused', 'authenticated']);
    await audit.drain();
    const { entries } = await audit.query(t.id, { actorKind: 'anonymous' });
    expect(entries.map((e) => [e.method, e.operation, e.status])).toEqual([['POST', 'User.create', 401]]);
  });
});
