import pino from 'pino';
import { ConnectionService } from '../../src/domain/connection/connection.service';
import type { RequestContext } from '../../src/domain/context';
import { TokenRevocationListener } from '../../src/db/token-revocations';
import { createTestDb, TestDb } from '../support/database';

/** Issue 12 §4: disabling or deleting a connection, or deleting a tenant, reaches every process's token cache. */
let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => db.close());

const limits = { defaultDays: 365, maxDays: 3650 };

async function setup(name: string) {
  const tenant = await db.services.tenants.create({ name });
  const { connection, token } = await db.services.connections.createConnection(tenant.id, { name: `${name} IdP` });
  const ctx: RequestContext = { tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name }, actor: { kind: 'admin' }, requestId: 'test' };
  return { tenant, connection, token, ctx };
}

/** Authenticates until refused (the notification arrives at commit, on another connection). */
async function refusedSoon(service: ConnectionService, slug: string, token: string): Promise<unknown> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const error = await service.authenticate(slug, token).then(() => undefined, (e: unknown) => e);
    if (error || Date.now() > deadline) return error;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('connection lifecycle and token caches', () => {
  it('in one process: disable refuses a cached token at once (reason connection_disabled), enable lets it in again', async () => {
    const { tenant, connection, token, ctx } = await setup('Same Process');
    const service = new ConnectionService(db.orm, limits);
    service.tokenCache.setEnabled(true);
    await service.authenticate(tenant.slug, token.token);
    await service.disableConnection(ctx, connection.id);
    await expect(service.authenticate(tenant.slug, token.token)).rejects.toMatchObject({ code: 'unauthenticated', reason: 'connection_disabled' });
    await service.enableConnection(ctx, connection.id);
    expect((await service.authenticate(tenant.slug, token.token)).actor).toMatchObject({ connectionId: connection.id });
  });

  // several processes share a database only on a PostgreSQL server (embedded PGlite is one process)
  if (process.env.DATABASE_URL) {
    for (const [what, act, reason] of [
      ['disabling a connection', (s: Awaited<ReturnType<typeof setup>>, cli: ConnectionService) => cli.disableConnection(s.ctx, s.connection.id), 'connection_disabled'],
      ['deleting a connection', (s: Awaited<ReturnType<typeof setup>>, cli: ConnectionService) => cli.deleteConnection(s.ctx, s.connection.id), 'connection_deleted'],
      ['deleting the tenant', (s: Awaited<ReturnType<typeof setup>>) => db.services.tenants.delete(s.ctx, { confirm: s.tenant.slug }), 'tenant_deleted'],
    ] as const) {
      it(`${what} in another process reaches this one's cache through LISTEN/NOTIFY`, async () => {
        const s = await setup(`Elsewhere ${reason}`);
        const server = new ConnectionService(db.orm, limits);
        const listener = new TokenRevocationListener(db.url, server.tokenCache, pino({ level: 'silent' }));
        await listener.start();
        try {
          await server.authenticate(s.tenant.slug, s.token.token); // cached
          const cli = new ConnectionService(db.orm, limits); // another process: its own cache
          await act(s, cli);
          expect(await refusedSoon(server, s.tenant.slug, s.token.token)).toMatchObject({ code: 'unauthenticated', reason });
        } finally {
          await listener.stop();
        }
      });
    }
  }
});
