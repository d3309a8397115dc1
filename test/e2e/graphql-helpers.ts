import pino from 'pino';
import request from 'supertest';
import http from 'node:http';
import { buildApp } from '../../src/app';
import { graphqlRouter } from '../../src/graphql/router';
import { eventFeedRouter } from '../../src/events/feed.routes';
import type { QueryLimits } from '../../src/graphql/limits';
import { createTestDb } from '../support/database';
import type { TestApp } from '../support/app';

export interface GqlTestApp extends TestApp {
  /** an admin key: role admin over every tenant unless told otherwise */
  key(role?: 'admin' | 'auditor', tenant?: string): Promise<string>;
  gql(key: string | undefined, query: string, variables?: Record<string, unknown>): Promise<GqlResponse>;
}

export interface GqlResponse {
  status: number;
  body: { data?: any; errors?: { message: string; extensions?: Record<string, any>; path?: unknown[] }[] };
}

/** The real app with the GraphQL admin API mounted, over a real database, driven through app.callback(). */
export async function createGqlTestApp(opts: { limits?: QueryLimits } = {}): Promise<GqlTestApp> {
  const db = await createTestDb();
  const logger = pino({ level: 'silent' });
  const graphql = await graphqlRouter({ services: db.services, config: db.config, logger, ...(opts.limits ? { limits: opts.limits } : {}) });
  const app = buildApp({ config: db.config, services: db.services, logger, extraRouters: [graphql, eventFeedRouter(db.services)] });
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
    async key(role = 'admin', tenant?: string) {
      return (await db.services.adminKeys.create({ role, tenant })).key;
    },
    async gql(key, query, variables) {
      const req = request(server).post('/graphql').set('Content-Type', 'application/json');
      if (key) req.set('Authorization', `Bearer ${key}`);
      const res = await req.send({ query, variables });
      return { status: res.status, body: res.body };
    },
  };
}

/** The extensions.code of every error of a response. */
export function codes(res: GqlResponse): string[] {
  return (res.body.errors ?? []).map((e) => e.extensions?.code as string);
}
