import 'reflect-metadata';
import http from 'node:http';
import pino from 'pino';
import { buildApp } from './app';
import { startControlSocket } from './cli/control-socket';
import { loadConfig } from './config';
import { openDatabase, StartupError } from './db/database';
import { TokenRevocationListener } from './db/token-revocations';
import { graphqlRouter } from './graphql/router';
import { configureInputLimits } from './domain/limits';
import { eventFeedRouter } from './events/feed.routes';
import { consoleRouter } from './http/console.routes';
import { CatalogueListener } from './db/catalogue-listener';
import { scimBaseUrl } from './scim/urls';
import { createServices } from './services';
import { EventMetrics } from './events/metrics';
import { EventRelay, relayOptions } from './events/relay';
import { StorageMaintenance } from './db/storage-maintenance';
import { autovacuumMissing, StatisticsKeeper } from './db/statistics-keeper';
import { setFaultRetryAfter } from './db/faults';
import { createDemo, demoUnused } from './domain/tenant/demo';
import { adminKeyLimits } from './http/limits';

const USAGE = `usage: provisio-server [--create-database]
  Starts the SCIM and GraphQL server. Configuration comes from the environment (docs/operations.md).
  --create-database  create DATABASE_URL's database when it does not exist (CREATE_DATABASE=1)`;

/** Listens on the configured port, turning "port taken" and friends into one clear line. */
function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') reject(new StartupError(`port ${port} is already in use on ${host}: stop the other process or set PORT to a free port`));
      else if (e.code === 'EACCES') reject(new StartupError(`not allowed to listen on port ${port}: choose a port above 1023 (PORT)`));
      else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') reject(new StartupError(`cannot listen on HOST=${host}: no such local address`));
      else reject(e);
    });
    server.listen(port, host, () => resolve());
  });
}

/** Undone in reverse order when the start fails half-way, so nothing is left open or half-written. */
const undo: (() => Promise<unknown> | unknown)[] = [];

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const unknown = argv.filter((a) => a !== '--create-database');
  if (unknown.length) throw new StartupError(`unknown argument ${unknown[0]} (${USAGE.split('\n')[0]})`);
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    throw new StartupError((e as Error).message);
  }
  if (argv.includes('--create-database')) config.createDatabase = true;
  const logger = pino({ level: config.logLevel });
  setFaultRetryAfter(config.db.retryAfterSeconds);

  // Take the port first: a port in use fails before any database work. Until the app is ready the
  // server answers 503 (readiness probes wait); the demo credentials are created only after this.
  let handler: http.RequestListener = (_req, res) => {
    res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
    res.end('{"status":"starting"}');
  };
  const server = http.createServer((req, res) => handler(req, res));
  server.keepAliveTimeout = 65_000; // longer than common load-balancer idle timeouts
  await listen(server, config.port, config.host);
  undo.push(() => new Promise((resolve) => server.close(resolve)));

  const db = await openDatabase(config);
  undo.push(() => db.close());
  if (db.created) logger.info({ database: config.databaseUrl && new URL(config.databaseUrl).pathname.slice(1) }, 'database created');
  const applied = await db.migrate();
  if (applied.length) logger.info({ applied }, 'migrations applied');
  configureInputLimits(config.inputLimits ?? {});
  const services = createServices(db.orm, config);
  // today's and the coming days' audit/outbox partitions exist before the first write; audit retention
  const maintenance = new StorageMaintenance(db.orm, services.audit, config, logger.child({ component: 'partitions' }));
  await maintenance.start();
  const statistics = new StatisticsKeeper(db.orm, config.analyzeEveryMs, logger.child({ component: 'statistics' }), {
    vacuum: await autovacuumMissing(db.orm, db.embedded),
    // a server: its commands on a connection of their own, without the requests' statement timeout
    url: db.embedded ? undefined : config.databaseUrl,
  });
  statistics.start();

  // Embedded: this process owns every write, so the token cache needs no notifications.
  // PostgreSQL: other processes (the CLI, more instances) revoke too, so listen for them.
  const revocations = config.databaseUrl ? new TokenRevocationListener(config.databaseUrl, services.connections.tokenCache, logger) : undefined;
  if (revocations) await revocations.start();
  else services.connections.tokenCache.setEnabled(true);
  // custom attributes defined by another process: invalidated at once (else after the catalogue TTL)
  const catalogueChanges = config.databaseUrl ? new CatalogueListener(config.databaseUrl, services.catalogue, logger) : undefined;
  if (revocations) undo.push(() => revocations.stop());
  await catalogueChanges?.start();
  if (catalogueChanges) undo.push(() => catalogueChanges.stop());
  const control = db.embedded ? await startControlSocket(services, config, db.migrate) : undefined;
  if (control) undo.push(() => control.close());

  // The relay publishes the outbox to the configured broker (and prunes it by retention, broker or not).
  const metrics = new EventMetrics(db.orm, config.eventBroker !== 'none');
  const relay = new EventRelay(db.orm, services.events, relayOptions(config), logger.child({ component: 'event-relay' }), metrics);
  relay.start();
  undo.push(() => relay.stop());

  // one per-admin-key rate limit and concurrency gate for both admin surfaces (GraphQL, GET /events)
  const perKey = adminKeyLimits(config.limits);
  const app = buildApp({ config, services, logger, metrics, extraRouters: [await graphqlRouter({ services, config, logger, perKey }), eventFeedRouter(services, undefined, perKey), consoleRouter()] });
  handler = app.callback();
  const demo = db.embedded ? await createDemo(services) : undefined;
  if (stopping) return; // a signal came during the start: onSignal() is closing what was opened
  logger.info({ port: config.port, publicUrl: config.publicUrl, database: db.embedded ? 'embedded' : 'postgresql' }, 'Provisio listening');
  process.send?.('ready'); // for a parent that started us with an IPC channel (the benchmarks)
  if (demo) {
    process.stdout.write(
      `\nFirst start: created the "demo" tenant. This token and the admin key are shown only once\n  (lost them? \`provisio demo\` prints new ones).\n` +
        `  SCIM URL: ${scimBaseUrl(config, demo.slug)}\n  Token:    ${demo.token}\n` +
        `  Try: curl -H "Authorization: Bearer ${demo.token}" ${scimBaseUrl(config, demo.slug)}/Users\n` +
        `  GraphQL:  ${config.publicUrl}/graphql (admin API; open it in a browser to explore)\n  Console:  ${config.publicUrl}/admin (sign in with the admin key)\n  Admin key: ${demo.adminKey}\n\n`,
    );
  } else if (db.embedded && (await demoUnused(services))) {
    process.stdout.write(`\nThe "demo" tenant's token has not been used yet. Lost it? \`provisio demo\` prints a new token and admin key.\n\n`);
  } else if (!db.embedded && (await services.tenants.count()) === 0) {
    process.stdout.write(
      `\nNo tenant yet. Next step: create one (it prints the tenant's SCIM URL and token):\n` +
        `  DATABASE_URL=… npx provisio tenant create --name "Acme" --idp okta\n\n`,
    );
  }

  undo.length = 0; // started: from here on, shutdown() stops everything
  shutdown = async (signal: string) => {
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
    await statistics.stop();
    await revocations?.stop();
    await catalogueChanges?.stop();
    await db.close();
    logger.info('stopped');
    process.exit(0);
  };
}

/**
 * SIGTERM / SIGINT: a started server finishes its in-flight work (shutdown); one still starting
 * undoes what it has opened. Installed first thing, so a signal never kills a half-open database.
 */
let shutdown: ((signal: string) => Promise<void>) | undefined;
let stopping = false;
const onSignal = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  if (shutdown) return shutdown(signal);
  for (const step of undo.reverse()) await Promise.resolve(step()).catch(() => undefined);
  process.exit(0);
};
process.on('SIGTERM', () => void onSignal('SIGTERM'));
process.on('SIGINT', () => void onSignal('SIGINT'));

/**
 * A failed start is one line on stderr and exit status 1: the operator's error (port, variable,
 * database) as it is, anything else as its message (the stack only with LOG_LEVEL=debug or trace).
 */
main(process.argv.slice(2)).catch(async (e: unknown) => {
  for (const step of undo.reverse()) await Promise.resolve(step()).catch(() => undefined);
  const debug = /^(debug|trace)$/i.test(process.env.LOG_LEVEL ?? '');
  const message = e instanceof StartupError ? e.message : `failed to start: ${e instanceof Error ? (debug ? (e.stack ?? e.message) : e.message) : String(e)}`;
  process.stderr.write(`provisio: ${message.replace(/\s*\n\s*/g, debug ? '\n' : ' ')}\n`);
  process.exit(1);
});
