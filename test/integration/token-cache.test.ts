import pino from 'pino';
import { ConnectionService } from '../../src/domain/connection/connection.service';
import { TokenCache } from '../../src/domain/connection/token-cache';
import { TokenRevocationListener } from '../../src/db/token-revocations';
import { createTestDb, TestDb } from '../support/database';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => db.close());

const limits = { defaultDays: 365, maxDays: 3650 };

async function tenantWithToken(name: string) {
  const tenant = await db.services.tenants.create({ name });
  const { token } = await db.services.connections.createConnection(tenant.id, {});
  return { tenant, token };
}

/** Revokes behind the services' back, so only a lookup that reaches the database can see it. */
const revokeInSql = (tokenId: string) =>
  db.orm.em.fork().getConnection().execute('update scim_token set revoked_at = now() where id = ?', [tokenId]);

describe('token cache', () => {
  it('answers repeated authentications from memory once enabled, and only for the right tenant', async () => {
    const { tenant, token } = await tenantWithToken('Cached');
    const service = new ConnectionService(db.orm, limits);
    service.tokenCache.setEnabled(true);
    await service.authenticate(tenant.slug, token.token);
    await revokeInSql(token.id);
    // still served from memory: the database was not asked again
    expect((await service.authenticate(tenant.slug, token.token)).tenant.id).toBe(tenant.id);
    await expect(service.authenticate('someone-else', token.token)).rejects.toMatchObject({ code: 'unauthenticated' });
  });

  it('disabled, every authentication reads the database', async () => {
    const { tenant, token } = await tenantWithToken('Uncached');
    const service = new ConnectionService(db.orm, limits, new TokenCache());
    await service.authenticate(tenant.slug, token.token);
    await revokeInSql(token.id);
    await expect(service.authenticate(tenant.slug, token.token)).rejects.toMatchObject({ code: 'unauthenticated' });
  });

  it('revocation and rotation in the same process take effect on the next request', async () => {
    const { tenant, token } = await tenantWithToken('Revoked Here');
    const service = new ConnectionService(db.orm, limits);
    service.tokenCache.setEnabled(true);
    await service.authenticate(tenant.slug, token.token);
    await service.revokeToken(tenant.id, token.id);
    await expect(service.authenticate(tenant.slug, token.token)).rejects.toMatchObject({ code: 'unauthenticated' });

    const second = await service.issueToken(tenant.id, token.connectionId);
    await service.authenticate(tenant.slug, second.token);
    await service.rotateToken(tenant.id, second.id, 0);
    await expect(service.authenticate(tenant.slug, second.token)).rejects.toMatchObject({ code: 'unauthenticated' });
  });

  // Several processes share a database only on a PostgreSQL server: embedded PGlite is one
  // process (the CLI goes through the server) and needs no notifications, so this runs when
  // DATABASE_URL is set, as in CI.
  if (process.env.DATABASE_URL) it('a revocation made by another process reaches this one through LISTEN/NOTIFY', async () => {
    const { tenant, token } = await tenantWithToken('Revoked Elsewhere');
    const server = new ConnectionService(db.orm, limits);
    const listener = new TokenRevocationListener(db.url, server.tokenCache, pino({ level: 'silent' }));
    await listener.start();
    try {
      await server.authenticate(tenant.slug, token.token);
      const cli = new ConnectionService(db.orm, limits); // another process: its own cache
      await cli.revokeToken(tenant.id, token.id);
      // the notification is delivered at commit; give the listening connection a moment to read it
      const deadline = Date.now() + 5000;
      let refused = false;
      while (!refused && Date.now() < deadline) {
        refused = await server.authenticate(tenant.slug, token.token).then(
          () => false,
          () => true,
        );
        if (!refused) await new Promise((r) => setTimeout(r, 10));
      }
      expect(refused).toBe(true);
    } finally {
      await listener.stop();
    }
  });

  it('is bypassed while the listener is down', async () => {
    const { tenant, token } = await tenantWithToken('Listener Down');
    const server = new ConnectionService(db.orm, limits);
    const listener = new TokenRevocationListener(db.url, server.tokenCache, pino({ level: 'silent' }));
    await listener.start();
    await server.authenticate(tenant.slug, token.token);
    await listener.stop();
    await revokeInSql(token.id);
    await expect(server.authenticate(tenant.slug, token.token)).rejects.toMatchObject({ code: 'unauthenticated' });
  });
});
