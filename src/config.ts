import path from 'node:path';

/** The typed environment. Read once at start; see docs/configuration.md. */
export interface Config {
  port: number;
  host: string;
  /** Base of every URL handed to clients: `{publicUrl}/scim/v2/{slug}`. No trailing slash. */
  publicUrl: string;
  /** PostgreSQL connection string; undefined selects embedded PostgreSQL (PGlite) under dataDir. */
  databaseUrl?: string;
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
  /** JetStream replicas of the stream when Provisio creates it (3 on a three-node cluster). */
  natsStreamReplicas: number;
  relayBatchSize: number;
  relayPollMs: number;
  /** Mass-deprovisioning guard: share of active users, window, and the minimum count that can trip it. */
  guardShare: number;
  guardWindowSeconds: number;
  guardMinUsers: number;
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

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = int('PORT', env.PORT, 8080);
  const publicUrl = (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, '');
  return {
    port,
    host: env.HOST || '0.0.0.0',
    publicUrl,
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.DATA_DIR || './data'),
    logLevel: env.LOG_LEVEL || 'info',
    maxBodyBytes: int('MAX_BODY_BYTES', env.MAX_BODY_BYTES, 2 * 1024 * 1024),
    maxResults: int('SCIM_MAX_RESULTS', env.SCIM_MAX_RESULTS, 1000),
    dbPoolMax: int('DB_POOL_MAX', env.DB_POOL_MAX, 10),
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
    natsStreamReplicas: Math.max(1, int('NATS_STREAM_REPLICAS', env.NATS_STREAM_REPLICAS, 1)),
    relayBatchSize: Math.max(1, int('EVENT_RELAY_BATCH', env.EVENT_RELAY_BATCH, 500)),
    relayPollMs: Math.max(10, int('EVENT_RELAY_POLL_MS', env.EVENT_RELAY_POLL_MS, 200)),
    guardShare: share('GUARD_SHARE', env.GUARD_SHARE, 0.2),
    guardWindowSeconds: int('GUARD_WINDOW_SECONDS', env.GUARD_WINDOW_SECONDS, 600),
    guardMinUsers: int('GUARD_MIN_USERS', env.GUARD_MIN_USERS, 10),
  };
}
