import 'reflect-metadata';
import http from 'node:http';
import pino from 'pino';
import { buildApp } from './app';
import { startControlSocket } from './cli/control-socket';
import { loadConfig } from './config';
import { openDatabase } from './db/database';
import { TokenRevocationListener } from './db/token-revocations';
import { graphqlRouter } from './graphql/router';
import { eventFeedRouter } from './events/feed.routes';
import { consoleRouter } from './http/console.routes';
import { CatalogueListener } from './db/catalogue-listener';
import { scimBaseUrl } from './scim/urls';
import { createServices, Services } from './services';
import { EventMetrics } from './events/metrics';
import { EventRelay, relayOptions } from './events/relay';
import { StorageMaintenance } from './db/storage-maintenance';

/** First start on an empty embedded database: a demo tenant, so a newcomer can curl at once. */
async function bootstrapDemo(services: Services): Promise<{ slug: string; token: string; adminKey: string } | undefined> {
  if ((await services.tenants.count()) > 0) return undefined;
  const tenant = await services.tenants.create({ name: 'Demo', slug: 'demo' });
  const { token } = await services.connections.createConnection(tenant.id, { idp: 'generic', name: 'demo' });
  const adminKey = await services.adminKeys.create({ role: 'admin' });
  return { slug: tenant.slug, token: token.token, adminKey: adminKey.key };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ level: config.logLevel });
  const db = await openDatabase(config);
  const applied = await db.migrate();
  if (applied.length) logger.info({ applied }, 'migrations applied');
  const services = createServices(db.orm, config);
  // today's and the coming days' audit/outbox partitions exist before the first write; audit retention
  const maintenance = new StorageMaintenance(db.orm, services.audit, config, logger.child({ component: 'partitions' }));
  await maintenance.start();

  // Embedded: this process owns every write, so the token cache needs no notifications.
  // PostgreSQL: other processes (the CLI, more instances) revoke too, so listen for them.
  const revocations = config.databaseUrl ? new TokenRevocationListener(config.databaseUrl, services.connections.tokenCache, logger) : undefined;
  if (revocations) await revocations.start();
  else services.connections.tokenCache.setEnabled(true);
  // custom attributes defined by another process: invalidated at once (else after the catalogue TTL)
  const catalogueChanges = config.databaseUrl ? new CatalogueListener(config.databaseUrl, services.catalogue, logger) : undefined;
  await catalogueChanges?.start();
  const control = db.embedded ? await startControlSocket(services, config, db.migrate) : undefined;
  const demo = db.embedded ? await bootstrapDemo(services) : undefined;

  // The relay publishes the outbox to the configured broker (and prunes it by retention, broker or not).
  const metrics = new EventMetrics(db.orm, config.eventBroker !== 'none');
  const relay = new EventRelay(db.orm, services.events, relayOptions(config), logger.child({ component: 'event-relay' }), metrics);
  relay.start();

  const app = buildApp({ config, services, logger, metrics, extraRouters: [await graphqlRouter({ services, config, logger }), eventFeedRouter(services), consoleRouter()] });
  const server = http.createServer(app.callback());
  server.keepAliveTimeout = 65_000; // longer than common load-balancer idle timeouts
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  logger.info({ port: config.port, publicUrl: config.publicUrl, database: db.embedded ? 'embedded' : 'postgresql' }, 'Provisio listening');
  process.send?.('ready'); // for a parent that started us with an IPC channel (the benchmarks)
  if (demo) {
    process.stdout.write(
      `\nFirst start: created the "demo" tenant. This token and the admin key are shown only once.\n` +
        `  SCIM URL: ${scimBaseUrl(config, demo.slug)}\n  Token:    ${demo.token}\n` +
        `  Try: curl -H "Authorization: Bearer ${demo.token}" ${scimBaseUrl(config, demo.slug)}/Users\n` +
        `  GraphQL:  ${config.publicUrl}/graphql (admin API; open it in a browser to explore)\n  Console:  ${config.publicUrl}/admin (sign in with the admin key)\n  Admin key: ${demo.adminKey}\n\n`,
    );
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    control?.close();
    // close() stops accepting and waits for in-flight requests; idle keep-alive sockets go now.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const force = setTimeout(() => server.closeAllConnections(), 10_000);
    await closed;
    clearTimeout(force);
    await services.audit.drain(); // queued audit entries of the last reads
    await services.health.drain(); // queued mapping-health observations
    await relay.stop(); // the batch in flight finishes and is marked; the rest waits in the outbox
    await maintenance.stop();
    await revocations?.stop();
    await catalogueChanges?.stop();
    await db.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((e: unknown) => {
  process.stderr.write(`provisio: failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
