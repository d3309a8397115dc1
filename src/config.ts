import path from 'node:path';
import type { InputLimits } from './domain/limits';

/** The typed environment. Read once at start; see docs/configuration.md. */
export interface Config {
  port: number;
  host: string;
  /** Base of every URL handed to clients: `{publicUrl}/scim/v2/{slug}`. No trailing slash. */
  publicUrl: string;
  /** PostgreSQL connection string; undefined selects embedded PostgreSQL (PGlite) under dataDir. */
  databaseUrl?: string;
  /** CREATE_DATABASE=1 (or --create-database): create DATABASE_URL's database when it does not exist. */
  createDatabase: boolean;
  dataDir: string;
  logLevel: string;
  /** Largest accepted request body, in bytes (RFC 7644 §3.12: larger -> 413). */
  maxBodyBytes: number;
  /** Largest page a list returns (RFC 7644 §3.4.2.4: count above it is capped). */
  maxResults: number;
  dbPoolMax: number;
  /** RFC 7644 §3.7.4 bulk limits: operations per request, and request body size in bytes (over either -> 413). */
  bulkMaxOperations: number;
  bulkMaxPayloadBytes: number;
  /** Default and maximum token lifetime, in days. */
  tokenDefaultDays: number;
  tokenMaxDays: number;
  /** Where domain events go (see src/events/): none keeps them in the outbox for polling consumers. */
  eventBroker: 'none' | 'nats' | 'rabbitmq';
  natsUrl: string;
  /** JetStream stream holding `<eventSubjectPrefix>.>`; created when missing. */
  natsStream: string;
  /** Subjects are `<prefix>.<tenant slug>.<type>`. */
  eventSubjectPrefix: string;
  amqpUrl: string;
  /** Durable topic exchange; routing keys are `<tenant slug>.<type>`. */
  amqpExchange: string;
  /** Published events (with a broker) or all ready events (without) are deleted after this many hours. */
  eventRetentionHours: number;
  /** Audit entries older than this many days are dropped, a day's partition at a time (0: kept for ever). */
  auditRetentionDays: number;
  /** How often the hot tables' planner statistics are checked, and refreshed once stale (0: never; StatisticsKeeper). */
  analyzeEveryMs: number;
  /** JetStream replicas of the stream when Provisio creates it (3 on a three-node cluster). */
  natsStreamReplicas: number;
  relayBatchSize: number;
  relayPollMs: number;
  /** Mass-deprovisioning guard: share of active users, window, and the minimum count that can trip it. */
  guardShare: number;
  guardWindowSeconds: number;
  guardMinUsers: number;
  /** GraphQL: wall-clock budget of one operation in ms (GRAPHQL_TIME_BUDGET_MS); past it, resolvers fail with QUERY_TIMEOUT */
  graphqlTimeBudgetMs?: number;
  /** Input caps of the domain (docs/limits.md); absent fields keep DEFAULT_INPUT_LIMITS */
  inputLimits?: Partial<InputLimits>;
  /** Database timeouts (see docs/operations-limits.md and src/db/timeouts.ts). */
  db: DbLimits;
  /** Request-rate and concurrency limits of the SCIM facade (see src/http/limits.ts). */
  limits: RequestLimits;
}

export interface DbLimits {
  /** statement_timeout of request work (reads and write transactions), ms; 0 = none. */
  statementTimeoutMs: number;
  /** statement_timeout of admin work (GraphQL stats, erasure), ms. */
  adminStatementTimeoutMs: number;
  /** idle_in_transaction_session_timeout, ms. */
  idleInTransactionTimeoutMs: number;
  /** Longest wait for a pooled connection (or a new one to open), ms. */
  acquireTimeoutMs: number;
  /** Longest wait for the server to answer a statement, client side (a frozen server), ms; 0 = statement timeout + 5 s. */
  queryTimeoutMs: number;
  /** How long /readyz waits for the database before answering 503, ms. */
  readyTimeoutMs: number;
  /** Retry-After sent with a 503 caused by a database fault, seconds. */
  retryAfterSeconds: number;
  /** max_parallel_workers_per_gather of every request connection; undefined = the server's own setting. */
  parallelWorkersPerRequest?: number;
}

export interface RequestLimits {
  /** Token bucket per tenant: sustained requests per second (0 = no limit) and burst size. */
  tenantRatePerSecond: number;
  tenantBurst: number;
  /** Token bucket per SCIM connection. */
  connectionRatePerSecond: number;
  connectionBurst: number;
  /** Requests of one tenant served at once; more wait in the tenant's queue (0 = no cap). */
  tenantConcurrency: number;
  /** Requests that may wait in one tenant's queue; beyond it: 429. */
  tenantQueue: number;
  /** Longest wait in the queue before a 429, ms. */
  tenantQueueTimeoutMs: number;
  /** Slow lane: a tenant whose requests average more than this (ms, moving average) runs only tenantSlowConcurrency at once (0 = no slow lane). */
  tenantSlowMs: number;
  tenantSlowConcurrency: number;
  /** Token bucket per admin key of the GraphQL API: sustained requests per second (0 = no limit) and burst size. */
  adminKeyRatePerSecond: number;
  adminKeyBurst: number;
  /** Requests of one admin key served at once (GraphQL, GET /events); 0 = no cap (the default in embedded mode). */
  adminKeyConcurrency: number;
}

/**
 * The project's directory (where package.json is, from src/ or dist/src/). A relative DATA_DIR is
 * resolved against it, not the current directory, so the CLI run from another folder opens the
 * server's database instead of silently creating an empty one.
 */
export const PROJECT_ROOT = path.resolve(__dirname, path.basename(path.dirname(__dirname)) === 'dist' ? '../..' : '..');

function flag(name: string, value: string | undefined): boolean {
  if (value === undefined || value === '' || value === '0' || value.toLowerCase() === 'false') return false;
  if (value === '1' || value.toLowerCase() === 'true') return true;
  throw new Error(`${name} must be 1 or 0, got "${value}"`);
}

function share(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 1) throw new Error(`${name} must be a number in (0, 1], got "${value}"`);
  return n;
}

function broker(value: string | undefined): Config['eventBroker'] {
  const v = (value || 'none').toLowerCase();
  if (v !== 'none' && v !== 'nats' && v !== 'rabbitmq') throw new Error(`EVENT_BROKER must be none, nats or rabbitmq, got "${value}"`);
  return v;
}

function int(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return n;
}

/** MAX_VALUES, MAX_VALUES_PER_ATTRIBUTE ("emails=20,roles=500"), MAX_UNKNOWN_ATTRIBUTES, MAX_PATCH_OPERATIONS, MAX_JSON_* (docs/limits.md). */
function inputLimitsFrom(env: NodeJS.ProcessEnv): Partial<InputLimits> {
  const out: Partial<InputLimits> = {};
  if (env.MAX_VALUES) out.maxValues = int('MAX_VALUES', env.MAX_VALUES, 0);
  if (env.MAX_UNKNOWN_ATTRIBUTES) out.maxUnknownKeys = int('MAX_UNKNOWN_ATTRIBUTES', env.MAX_UNKNOWN_ATTRIBUTES, 0);
  if (env.MAX_PATCH_OPERATIONS) out.maxPatchOperations = int('MAX_PATCH_OPERATIONS', env.MAX_PATCH_OPERATIONS, 0);
  if (env.MAX_JSON_OBJECT_MEMBERS) out.maxObjectMembers = Math.max(1, int('MAX_JSON_OBJECT_MEMBERS', env.MAX_JSON_OBJECT_MEMBERS, 0));
  if (env.MAX_JSON_CONTAINERS) out.maxContainers = Math.max(1, int('MAX_JSON_CONTAINERS', env.MAX_JSON_CONTAINERS, 0));
  if (env.MAX_JSON_NAME_PATHS) out.maxNamePaths = Math.min(1_000_000, Math.max(1, int('MAX_JSON_NAME_PATHS', env.MAX_JSON_NAME_PATHS, 0)));
  if (env.BULK_MAX_JSON_NAME_PATHS) out.maxBulkNamePaths = Math.min(1_000_000, Math.max(1, int('BULK_MAX_JSON_NAME_PATHS', env.BULK_MAX_JSON_NAME_PATHS, 0)));
  if (env.MAX_JSON_DEPTH) out.maxDepth = Math.min(10_000, Math.max(1, int('MAX_JSON_DEPTH', env.MAX_JSON_DEPTH, 0)));
  if (env.MAX_VALUES_PER_ATTRIBUTE) {
    out.maxValuesByAttribute = Object.fromEntries(
      env.MAX_VALUES_PER_ATTRIBUTE.split(',').filter((p) => p.trim()).map((pair) => {
        const [name, value] = pair.split('=').map((x) => x.trim());
        if (!name || !/^[A-Za-z0-9:._-]+$/.test(name)) throw new Error(`MAX_VALUES_PER_ATTRIBUTE: "${pair}" is not name=count`);
        return [name, int(`MAX_VALUES_PER_ATTRIBUTE (${name})`, value, 0)];
      }),
    );
  }
  return out;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = int('PORT', env.PORT, 8080);
  const publicUrl = (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, '');
  const dbPoolMax = int('DB_POOL_MAX', env.DB_POOL_MAX, 10);
  /** a tenant's (and an admin key's) default share of the pool: half of it, so others always have the rest */
  const halfPool = Math.max(1, Math.ceil(dbPoolMax / 2));
  return {
    port,
    host: env.HOST || '0.0.0.0',
    publicUrl,
    databaseUrl: env.DATABASE_URL || undefined,
    createDatabase: flag('CREATE_DATABASE', env.CREATE_DATABASE),
    dataDir: path.resolve(PROJECT_ROOT, env.DATA_DIR || './data'),
    logLevel: env.LOG_LEVEL || 'info',
    maxBodyBytes: int('MAX_BODY_BYTES', env.MAX_BODY_BYTES, 2 * 1024 * 1024),
    maxResults: int('SCIM_MAX_RESULTS', env.SCIM_MAX_RESULTS, 1000),
    dbPoolMax,
    bulkMaxOperations: int('BULK_MAX_OPERATIONS', env.BULK_MAX_OPERATIONS, 1000),
    bulkMaxPayloadBytes: int('BULK_MAX_PAYLOAD_BYTES', env.BULK_MAX_PAYLOAD_BYTES, 2 * 1024 * 1024),
    tokenDefaultDays: 365,
    tokenMaxDays: 3650,
    eventBroker: broker(env.EVENT_BROKER),
    natsUrl: env.NATS_URL || 'nats://127.0.0.1:4222',
    natsStream: env.NATS_STREAM || 'PROVISIO_EVENTS',
    eventSubjectPrefix: env.EVENT_SUBJECT_PREFIX || 'provisio',
    amqpUrl: env.AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672',
    amqpExchange: env.AMQP_EXCHANGE || 'provisio.events',
    eventRetentionHours: int('EVENT_RETENTION_HOURS', env.EVENT_RETENTION_HOURS, 168),
    auditRetentionDays: int('AUDIT_RETENTION_DAYS', env.AUDIT_RETENTION_DAYS, 400),
    analyzeEveryMs: int('ANALYZE_EVERY_SECONDS', env.ANALYZE_EVERY_SECONDS, 1) * 1000,
    natsStreamReplicas: Math.max(1, int('NATS_STREAM_REPLICAS', env.NATS_STREAM_REPLICAS, 1)),
    relayBatchSize: Math.max(1, int('EVENT_RELAY_BATCH', env.EVENT_RELAY_BATCH, 500)),
    relayPollMs: Math.max(10, int('EVENT_RELAY_POLL_MS', env.EVENT_RELAY_POLL_MS, 200)),
    guardShare: share('GUARD_SHARE', env.GUARD_SHARE, 0.2),
    guardWindowSeconds: int('GUARD_WINDOW_SECONDS', env.GUARD_WINDOW_SECONDS, 600),
    guardMinUsers: int('GUARD_MIN_USERS', env.GUARD_MIN_USERS, 10),
    graphqlTimeBudgetMs: int('GRAPHQL_TIME_BUDGET_MS', env.GRAPHQL_TIME_BUDGET_MS, 10_000),
    inputLimits: inputLimitsFrom(env),
    db: {
      statementTimeoutMs: int('DB_STATEMENT_TIMEOUT_MS', env.DB_STATEMENT_TIMEOUT_MS, 10_000),
      adminStatementTimeoutMs: int('DB_ADMIN_STATEMENT_TIMEOUT_MS', env.DB_ADMIN_STATEMENT_TIMEOUT_MS, 60_000),
      idleInTransactionTimeoutMs: int('DB_IDLE_IN_TRANSACTION_TIMEOUT_MS', env.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS, 15_000),
      acquireTimeoutMs: Math.max(1, int('DB_ACQUIRE_TIMEOUT_MS', env.DB_ACQUIRE_TIMEOUT_MS, 5_000)),
      queryTimeoutMs: int('DB_QUERY_TIMEOUT_MS', env.DB_QUERY_TIMEOUT_MS, 0),
      readyTimeoutMs: Math.max(1, int('READY_TIMEOUT_MS', env.READY_TIMEOUT_MS, 2_000)),
      retryAfterSeconds: Math.max(1, int('DB_RETRY_AFTER_SECONDS', env.DB_RETRY_AFTER_SECONDS, 5)),
      parallelWorkersPerRequest: int('DB_PARALLEL_WORKERS_PER_REQUEST', env.DB_PARALLEL_WORKERS_PER_REQUEST, 0),
    },
    limits: {
      tenantRatePerSecond: int('RATE_LIMIT_TENANT_PER_SECOND', env.RATE_LIMIT_TENANT_PER_SECOND, 500),
      tenantBurst: int('RATE_LIMIT_TENANT_BURST', env.RATE_LIMIT_TENANT_BURST, 1000),
      connectionRatePerSecond: int('RATE_LIMIT_CONNECTION_PER_SECOND', env.RATE_LIMIT_CONNECTION_PER_SECOND, 250),
      connectionBurst: int('RATE_LIMIT_CONNECTION_BURST', env.RATE_LIMIT_CONNECTION_BURST, 500),
      tenantConcurrency: int('TENANT_CONCURRENCY', env.TENANT_CONCURRENCY, halfPool),
      tenantQueue: int('TENANT_QUEUE', env.TENANT_QUEUE, 200),
      tenantQueueTimeoutMs: int('TENANT_QUEUE_TIMEOUT_MS', env.TENANT_QUEUE_TIMEOUT_MS, 10_000),
      // embedded PGlite is one session that serialises every request anyway: there the lane would only
      // shrink a tenant's (and an admin key's) share of a queue that forms regardless, and a request
      // stuck in that one session would hold the lane's only slot
      tenantSlowMs: int('TENANT_SLOW_MS', env.TENANT_SLOW_MS, env.DATABASE_URL ? 100 : 0),
      tenantSlowConcurrency: Math.max(1, int('TENANT_SLOW_CONCURRENCY', env.TENANT_SLOW_CONCURRENCY, 1)),
      adminKeyRatePerSecond: int('RATE_LIMIT_ADMIN_KEY_PER_SECOND', env.RATE_LIMIT_ADMIN_KEY_PER_SECOND, 100),
      adminKeyBurst: int('RATE_LIMIT_ADMIN_KEY_BURST', env.RATE_LIMIT_ADMIN_KEY_BURST, 200),
      // on a server, an admin key gets a tenant's share of the pool; embedded PGlite's one session
      // serialises every request anyway, and a console request stuck there must not starve the key
      adminKeyConcurrency: int('ADMIN_KEY_CONCURRENCY', env.ADMIN_KEY_CONCURRENCY, env.DATABASE_URL ? halfPool : 0),
    },
  };
}
