import pino from 'pino';
import request from 'supertest';
import type { Server } from 'node:http';
import http from 'node:http';
import { buildApp } from '../../src/app';
import { createTestDb, TestDb, TestDbOptions } from './database';

export interface TestApp extends TestDb {
  server: Server;
  /**
   * Creates a tenant with a connection of the IdP kind (default generic) and delete policy (default:
   * a new connection's, deactivate); returns its slug, SCIM base path and token.
   */
  tenant(name: string, idp?: string, options?: { deletePolicy?: 'delete' | 'deactivate' }): Promise<{ id: string; slug: string; base: string; token: string; connectionId: string; tokenId: string }>;
}

/** The real app over a real database, driven through app.callback() (no port is opened). */
export async function createTestApp(options: TestDbOptions = {}): Promise<TestApp> {
  const db = await createTestDb(options);
  const app = buildApp({ config: db.config, services: db.services, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }) });
  const server = http.createServer(app.callback());
  return {
    ...db,
    server,
    async close() {
      await db.services.audit.drain(); // reads' audit entries are written after their answer
      await db.services.health.drain(); // mapping-health observations are written after the answer
      await db.close();
    },
    async tenant(name: string, idp = 'generic', options: { deletePolicy?: 'delete' | 'deactivate' } = {}) {
      const t = await db.services.tenants.create({ name });
      const { connection, token } = await db.services.connections.createConnection(t.id, { idp, ...options });
      return { id: t.id, slug: t.slug, base: `/scim/v2/${t.slug}`, token: token.token, connectionId: connection.id, tokenId: token.id };
    },
  };
}

export const SCIM_JSON = 'application/scim+json';

/** A supertest agent with the tenant's bearer token. */
export function scim(app: TestApp, token: string) {
  const agent = request(app.server);
  const auth = (r: request.Test) => r.set('Authorization', `Bearer ${token}`);
  return {
    get: (url: string) => auth(agent.get(url)),
    delete: (url: string) => auth(agent.delete(url)),
    post: (url: string, body?: unknown) => auth(agent.post(url)).set('Content-Type', SCIM_JSON).send(body as object),
    put: (url: string, body?: unknown) => auth(agent.put(url)).set('Content-Type', SCIM_JSON).send(body as object),
    patch: (url: string, body?: unknown) => auth(agent.patch(url)).set('Content-Type', SCIM_JSON).send(body as object),
  };
}
