import fs from 'node:fs';
import readline from 'node:readline';
import { v4 as uuid } from 'uuid';
import { InvalidValueError, NotFoundError } from '../domain/errors';
import { URN } from '../domain/schema/core-schemas';
import type { BulkResponse } from '../scim/bulk';
import { substituteBulkIds } from '../scim/bulk-plan';
import { BULK_REQUEST_URN } from '../scim/bulk-request';
import type { CommandArgs, CommandName } from './commands';
import type { Progress } from './progress';

/** `provisio import` options, as commander gives them. */
export interface ImportArgs {
  file?: string;
  tenant?: string;
  batchSize?: string;
  /** a user whose userName, or a group whose displayName, the tenant already has is replaced (PUT), not refused */
  update?: boolean;
}

/** A line that was not imported: its 1-based number and why (a SCIM status and Error, RFC 7644 §3.12). */
export interface ImportFailure {
  line: number;
  status: number;
  scimType?: string;
  message: string;
}

/** What `provisio import --json` prints when the import ran (even if lines failed). */
export interface ImportReport {
  tenant: string;
  file: string;
  /** non-blank lines read */
  resources: number;
  /** lines written: created, or (with --update) existing resources replaced */
  imported: number;
  /** of those, the existing resources replaced (--update) */
  updated: number;
  failed: number;
  failures: ImportFailure[];
}

/** Runs a CLI command where the CLI runs them (the database, or the server's control socket). */
export type RunCommand = (command: CommandName, args: CommandArgs) => Promise<unknown>;

export const DEFAULT_BATCH = 100;

/** The bulkId of the POST of line `n`: a group's member can reference a user of the same file as `bulkId:line-<n>`. */
const bulkIdOf = (line: number) => `line-${line}`;

type Endpoint = '/Users' | '/Groups';

/** A member of a resource by name, matched case-insensitively (RFC 7643 §2.1). */
function memberOf(resource: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(resource).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : resource[key];
}

/** What makes a line's resource the same as an existing one: a user's userName, a group's displayName (each unique in a tenant). */
function naturalKey(path: Endpoint, resource: Record<string, unknown>): string | undefined {
  const value = memberOf(resource, path === '/Users' ? 'userName' : 'displayName');
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function endpointOf(resource: Record<string, unknown>): Endpoint | undefined {
  const schemas = memberOf(resource, 'schemas');
  if (!Array.isArray(schemas)) return undefined;
  const lower = schemas.filter((s): s is string => typeof s === 'string').map((s) => s.toLowerCase());
  if (lower.includes(URN.user.toLowerCase())) return '/Users';
  if (lower.includes(URN.group.toLowerCase())) return '/Groups';
  return undefined;
}

async function* lines(file: string): AsyncGenerator<{ n: number; text: string }> {
  const rl = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  for await (const text of rl) {
    n++;
    if (text.trim() !== '') yield { n, text };
  }
}

/** The batch size: `--batch-size`, 1 to the /Bulk maxOperations (default 100, or that limit if lower). */
export function batchSize(value: string | undefined, maxOperations: number): number {
  if (value === undefined) return Math.min(DEFAULT_BATCH, maxOperations);
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > maxOperations) throw new InvalidValueError(`--batch-size must be an integer from 1 to ${maxOperations} (BULK_MAX_OPERATIONS)`);
  return n;
}

/** The tenant to import into: `--tenant`, or the only tenant there is. */
async function tenantOf(run: RunCommand, wanted: string | undefined): Promise<string> {
  const tenants = (await run('tenant.list', {})) as { slug: string }[];
  if (wanted !== undefined) {
    if (!tenants.some((t) => t.slug === wanted)) throw new NotFoundError(`tenant "${wanted}" not found`);
    return wanted;
  }
  if (tenants.length === 1) return tenants[0].slug;
  throw new InvalidValueError(tenants.length === 0 ? '--tenant is required, and there is no tenant yet (provisio tenant create)' : `--tenant is required: there are ${tenants.length} tenants (provisio tenant list)`);
}

/**
 * `provisio import`: a file of JSON lines, each a SCIM User or Group resource (its `schemas` say
 * which), created through the /Bulk machinery (RFC 7644 §3.7) in batches of `--batch-size` POSTs.
 * Each line's POST has the bulkId `line-<n>`, so a later line can reference a resource of an earlier
 * one (a group's `members[].value: "bulkId:line-3"`, §3.7.2); references to lines of earlier batches
 * are replaced by the ids those lines got. Each resource is its own transaction: a failed line
 * (not JSON, not a User or Group, refused by the service) is reported with its number and the rest
 * go on. Fatal errors (no such file or tenant, database unreachable) throw.
 *
 * With `update`, a line whose user (by userName) or group (by displayName, both unique in a tenant
 * and compared as their uniqueness is) already exists replaces it: a PUT of the resource (RFC 7644
 * §3.5.1) in the same batch, whose id later lines' `bulkId:line-N` references then name. Each batch
 * looks its names up once, just before it is sent.
 */
export async function importFile(run: RunCommand, args: ImportArgs, maxOperations: number, progress: Progress): Promise<ImportReport> {
  const file = args.file;
  if (!file) throw new InvalidValueError('--file is required');
  const size = batchSize(args.batchSize, maxOperations);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (e) {
    throw new InvalidValueError(`--file ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  if (!stat.isFile()) throw new InvalidValueError(`--file ${file}: not a file`);
  const tenant = await tenantOf(run, args.tenant);

  let total = 0;
  for await (const _ of lines(file)) total++;
  const report: ImportReport = { tenant, file, resources: 0, imported: 0, updated: 0, failed: 0, failures: [] };
  const fail = (f: ImportFailure) => {
    report.failed++;
    report.failures.push(f);
  };
  /** bulkId -> the id its line's resource got, for references from later batches */
  const created = new Map<string, string>();
  const requestId = `cli-import-${uuid()}`;
  let batch: { bulkId: string; path: Endpoint; resource: Record<string, unknown> }[] = [];
  const lineOf = new Map<string, number>();

  /** With --update: the batch's lines that name an existing resource -> its id. */
  const existing = async (): Promise<Map<string, string>> => {
    const found = new Map<string, string>();
    if (!args.update) return found;
    for (const path of ['/Users', '/Groups'] as const) {
      const keyed: [bulkId: string, name: string][] = [];
      for (const b of batch) {
        const name = b.path === path ? naturalKey(path, b.resource) : undefined;
        if (name !== undefined) keyed.push([b.bulkId, name]);
      }
      if (keyed.length === 0) continue;
      const ids = (await run('scim.ids', { tenant, type: path === '/Users' ? 'User' : 'Group', names: JSON.stringify(keyed.map(([, name]) => name)) })) as Record<string, string>;
      for (const [bulkId, name] of keyed) if (Object.hasOwn(ids, name)) found.set(bulkId, ids[name]);
    }
    return found;
  };

  const send = async () => {
    if (batch.length === 0) return;
    const replaced = await existing();
    // a replaced line's id is known now: references to it, in this batch too, name it
    for (const [bulkId, id] of replaced) created.set(bulkId, id);
    const operations = batch.map(({ bulkId, path, resource }) => {
      const data = substituteBulkIds(resource, (id) => created.get(id) ?? `bulkId:${id}`);
      const id = replaced.get(bulkId);
      return id === undefined ? { method: 'POST', bulkId, path, data } : { method: 'PUT', bulkId, path: `${path}/${id}`, data };
    });
    const request = { schemas: [BULK_REQUEST_URN], Operations: operations };
    const response = (await run('scim.bulk', { tenant, request: JSON.stringify(request), requestId })) as BulkResponse;
    for (const r of response.Operations) {
      const line = lineOf.get(r.bulkId ?? '') ?? 0;
      const status = Number(r.status);
      if (status >= 400) {
        const detail = r.response?.detail ?? `status ${status}`;
        // a reference to a line that failed: say which line
        const ref = /^bulkId "line-(\d+)" cannot be resolved/.exec(detail);
        const message = ref ? `it references line ${ref[1]} (bulkId:line-${ref[1]}), which was not imported in this or an earlier batch` : detail;
        fail({ line, status, ...(r.response?.scimType ? { scimType: r.response.scimType } : {}), message });
      } else {
        report.imported++;
        if (r.bulkId && replaced.has(r.bulkId)) report.updated++;
        else if (r.bulkId && r.location) created.set(r.bulkId, r.location.slice(r.location.lastIndexOf('/') + 1));
      }
    }
    batch = [];
    lineOf.clear();
  };

  progress.start(total);
  try {
    for await (const { n, text } of lines(file)) {
      report.resources++;
      let resource: unknown;
      try {
        resource = JSON.parse(text);
      } catch (e) {
        fail({ line: n, status: 400, scimType: 'invalidSyntax', message: `not JSON: ${(e as Error).message}` });
        continue;
      }
      if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) {
        fail({ line: n, status: 400, scimType: 'invalidSyntax', message: 'a line must be one SCIM User or Group resource (a JSON object)' });
        continue;
      }
      const path = endpointOf(resource as Record<string, unknown>);
      if (!path) {
        fail({ line: n, status: 400, scimType: 'invalidValue', message: `schemas must include ${URN.user} or ${URN.group}` });
        continue;
      }
      const bulkId = bulkIdOf(n);
      lineOf.set(bulkId, n);
      // at send: earlier batches' lines (and replaced ones) by their ids; this batch's new ones stay bulkId references, resolved by /Bulk
      batch.push({ bulkId, path, resource: resource as Record<string, unknown> });
      if (batch.length >= size) {
        await send();
        progress.update(report.resources);
      }
    }
    await send();
    progress.update(report.resources);
  } finally {
    progress.stop();
  }
  report.failures.sort((a, b) => a.line - b.line);
  return report;
}

/** The report as an operator reads it: a summary on stdout, each failed line on stderr as `file:line: status scimType: message`. */
export function importHuman(r: ImportReport): { out: string; err: string[] } {
  const out = `imported ${r.imported} of ${r.resources} resource(s) into tenant ${r.tenant}${r.updated ? ` (${r.updated} existing replaced)` : ''}${r.failed ? `; ${r.failed} failed` : ''}`;
  const err = r.failures.map((f) => `provisio: ${r.file}:${f.line}: ${f.status}${f.scimType ? ` ${f.scimType}` : ''}: ${f.message.replace(/\s*\n\s*/g, ' ')}`);
  return { out, err };
}
