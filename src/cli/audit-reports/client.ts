import Table from 'cli-table3';
import { Command } from 'commander';

/**
 * What the audit reports (`provisio audit tokens|deactivated-users|empty-groups`) share: options (PROVISIO_URL / PROVISIO_ADMIN_KEY or --url / --key), a
 * GraphQL client for the admin API over HTTP, paging over Relay connections, and output as a table
 * (cli-table3) or JSON (--json). They use only the public API, so they run against any instance.
 */
export interface AuditIo {
  argv: string[];
  env: NodeJS.ProcessEnv;
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown };
}

export interface CommonOptions {
  url: string;
  key: string;
  json: boolean;
  tenant?: string;
}

export class AuditError extends Error {
  constructor(
    message: string,
    /** the GraphQL extensions.code, when the API refused */
    readonly code?: string,
    /** bad usage (exit status 2) rather than a failure (1) */
    readonly usage = false,
  ) {
    super(message);
  }
}

/** The command-line parser with the shared options; `configure` adds the script's own. */
export function auditCommand(io: AuditIo, name: string, description: string, configure: (c: Command) => void): Command {
  const cmd = new Command(name)
    .description(description)
    .option('--url <url>', 'Provisio base URL (default: $PROVISIO_URL)')
    .option('--key <key>', 'admin key (default: $PROVISIO_ADMIN_KEY)')
    .option('--tenant <slug>', 'only this tenant (default: every tenant the key sees)')
    .option('--json', 'print JSON instead of a table')
    .exitOverride()
    .configureOutput({ writeOut: (s) => void io.stdout.write(s), writeErr: (s) => void io.stderr.write(s) });
  configure(cmd);
  return cmd;
}

export function commonOptions(opts: Record<string, unknown>, env: NodeJS.ProcessEnv): CommonOptions {
  const url = (opts.url as string | undefined) ?? env.PROVISIO_URL;
  const key = (opts.key as string | undefined) ?? env.PROVISIO_ADMIN_KEY;
  if (!url) throw new AuditError('no Provisio URL: set PROVISIO_URL or pass --url', undefined, true);
  if (!key) throw new AuditError('no admin key: set PROVISIO_ADMIN_KEY or pass --key (create one with `provisio admin-key create --role auditor`)', undefined, true);
  return { url: url.replace(/\/+$/, ''), key, json: !!opts.json, ...(opts.tenant ? { tenant: opts.tenant as string } : {}) };
}

/** A non-negative integer option. */
export function days(value: unknown, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new AuditError(`--${name} must be a non-negative integer`, undefined, true);
  return n;
}

/** One GraphQL operation against `{url}/graphql`; GraphQL errors become an AuditError with their code. */
export async function graphql<T>(o: CommonOptions, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${o.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${o.key}` },
      body: JSON.stringify({ query, variables }),
    });
  } catch (e) {
    throw new AuditError(`cannot reach ${o.url}: ${(e as Error).message}`);
  }
  const body = (await res.json().catch(() => ({}))) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
  if (body.errors?.length) {
    const [first] = body.errors;
    throw new AuditError(`${first.message}${first.extensions?.code ? ` (${first.extensions.code})` : ''}`, first.extensions?.code);
  }
  if (!res.ok || !body.data) throw new AuditError(`unexpected answer from ${o.url}/graphql: HTTP ${res.status}`);
  return body.data;
}

/** Slugs of the tenants to audit: --tenant, or every tenant the key sees. */
export async function tenantSlugs(o: CommonOptions): Promise<string[]> {
  if (o.tenant) return [(await graphql<{ tenant: { slug: string } }>(o, 'query($s: String) { tenant(slug: $s) { slug } }', { s: o.tenant })).tenant.slug];
  return (await graphql<{ tenants: { slug: string }[] }>(o, '{ tenants { slug } }')).tenants.map((t) => t.slug);
}

interface Page<N> {
  nodes: N[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/**
 * Every node of a tenant's connection, page by page. `field` is the connection field of Tenant
 * with `$filter`, `$first` and `$after` in its arguments; `selection` the node fields.
 */
export async function allNodes<N>(o: CommonOptions, slug: string, field: string, selection: string, filter?: string): Promise<N[]> {
  const query = `query($slug: String, $filter: String, $after: String) {
    tenant(slug: $slug) { list: ${field}(filter: $filter, first: 200, after: $after) { nodes { ${selection} } pageInfo { hasNextPage endCursor } } } }`;
  const nodes: N[] = [];
  let after: string | null = null;
  for (;;) {
    const data: { tenant: { list: Page<N> } } = await graphql(o, query, { slug, filter, after });
    nodes.push(...data.tenant.list.nodes);
    if (!data.tenant.list.pageInfo.hasNextPage) return nodes;
    after = data.tenant.list.pageInfo.endCursor;
  }
}

export type Row = Record<string, string | number | null>;

/** A table (cli-table3; plain borders and no colours off a TTY) or, with --json, one JSON document. */
export function output(io: AuditIo, o: CommonOptions, report: { criteria: Record<string, unknown>; rows: Row[] }, columns: string[], title: string): void {
  if (o.json) {
    io.stdout.write(JSON.stringify({ generatedAt: new Date().toISOString(), criteria: report.criteria, count: report.rows.length, items: report.rows }, null, 2) + '\n');
    return;
  }
  io.stdout.write(`${title}: ${report.rows.length}\n`);
  if (report.rows.length === 0) return;
  const table = new Table({ head: columns, style: io.stdout.isTTY ? {} : { head: [], border: [] } });
  for (const r of report.rows) table.push(columns.map((c) => (r[c] === null || r[c] === undefined ? '-' : String(r[c]))));
  io.stdout.write(table.toString() + '\n');
}

/**
 * Runs a report: exit status 0 done, 1 failed (unreachable, refused), 2 bad usage. Under --json an
 * error is one JSON document on stdout, `{"error":{"code","message"}}`; otherwise a line on stderr.
 */
export async function runAudit(io: AuditIo, body: (io: AuditIo) => Promise<void>): Promise<number> {
  const json = io.argv.includes('--json');
  const fail = (code: string, message: string) => {
    if (json) io.stdout.write(JSON.stringify({ error: { code, message } }) + '\n');
    else io.stderr.write(`provisio audit: ${message}\n`);
  };
  let usageMessage = '';
  try {
    // under --json commander's own messages are collected and reported as the JSON error
    await body(json ? { ...io, stderr: { write: (s: string) => (usageMessage += s) } } : io);
    return 0;
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err.code?.startsWith('commander.')) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
      if (json) fail('usage', (usageMessage || err.message).trim().split('\n')[0]);
      return 2; // without --json commander has written the message
    }
    fail(err instanceof AuditError ? (err.code ?? (err.usage ? 'usage' : 'failed')) : 'failed', err.message);
    return err instanceof AuditError && err.usage ? 2 : 1;
  }
}

export const DAY_MS = 86_400_000;
