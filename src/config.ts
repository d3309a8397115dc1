import path from 'node:path';

/** The typed environment. Read once at start; see the README's configuration table. */
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
  };
}
