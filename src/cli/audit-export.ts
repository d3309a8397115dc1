import { stringify } from 'csv-stringify';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AuditRecord } from '../domain/audit/audit.service';
import { InvalidValueError } from '../domain/errors';
import type { Services } from '../services';
import type { Progress } from './progress';

export interface AuditExportArgs {
  tenant?: string;
  since?: string;
  before?: string;
  format?: string;
  /** through the control socket: "true" when the CLI wants the number of entries (its progress bar) */
  count?: string;
}

const CSV_COLUMNS: (keyof AuditRecord)[] = [
  'id', 'time', 'actorKind', 'connectionId', 'tokenId', 'adminKeyId', 'idp', 'method', 'path', 'operation', 'filter',
  'status', 'scimType', 'latencyMs', 'requestId', 'resourceIds', 'changedAttributes', 'holdId', 'note',
];

function csvRow(r: AuditRecord): Record<string, unknown> {
  return { ...r, time: r.time.toISOString(), resourceIds: r.resourceIds.join(' '), changedAttributes: r.changedAttributes.join(' ') };
}

function date(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (value === '' || Number.isNaN(d.getTime())) throw new InvalidValueError(`${name} must be an ISO 8601 date or date-time`);
  return d;
}

/**
 * Validates `--tenant`, `--since`, `--before` and `--format` of `provisio audit export`: one
 * tenant's trail from `--since`, or (with `--before`, the archive of what retention will drop)
 * every tenant's entries older than a date, or any window of the two.
 */
export function exportParams(args: AuditExportArgs): { slug?: string; since?: Date; before?: Date; format: 'jsonl' | 'csv' } {
  const since = date('--since', args.since);
  const before = date('--before', args.before);
  if (!since && !before) throw new InvalidValueError('--since or --before is required');
  if (!args.tenant && !before) throw new InvalidValueError('--tenant is required (or --before, to archive every tenant)');
  if (since && before && since.getTime() >= before.getTime()) throw new InvalidValueError('--since must be earlier than --before');
  const format = (args.format ?? 'jsonl').toLowerCase();
  if (format !== 'jsonl' && format !== 'csv') throw new InvalidValueError('--format must be jsonl or csv');
  return { ...(args.tenant ? { slug: args.tenant } : {}), ...(since ? { since } : {}), ...(before ? { before } : {}), format };
}

/** What an export reads: the validated options and the scope (a deleted tenant's trail is kept, so it can be exported). */
export async function exportScope(services: Services, args: AuditExportArgs) {
  const params = exportParams(args);
  const scope = { ...(params.slug ? { tenantId: (await services.tenants.get(params.slug, { includeDeleted: true })).id } : {}), since: params.since, before: params.before };
  return { ...params, scope };
}

/**
 * Streams audit entries (one tenant's, or every tenant's with a `tenantId` column), oldest first, as JSON lines or CSV (with a
 * header row), reading the table in keyset batches and honouring the output's backpressure, so
 * the export's memory stays flat however large the trail. `progress` (src/cli/progress.ts) gets
 * the number of entries, then the count written after each batch. Returns the number of entries written.
 */
export async function exportAudit(services: Services, args: AuditExportArgs, out: Writable, progress?: Progress): Promise<number> {
  const { slug, format, scope } = await exportScope(services, args);
  if (progress) progress.start(await services.audit.count(scope));
  let written = 0;
  async function* records() {
    for await (const batch of services.audit.export(scope)) {
      for (const r of batch) yield r;
      written += batch.length;
      progress?.update(written);
    }
  }
  try {
    if (format === 'csv') {
      await pipeline(
        Readable.from((async function* () { for await (const r of records()) yield csvRow(r); })()),
        stringify({ header: true, columns: (slug ? CSV_COLUMNS : ['tenantId', ...CSV_COLUMNS]) as string[] }),
        out,
        { end: false },
      );
    } else {
      await pipeline(Readable.from((async function* () { for await (const r of records()) yield JSON.stringify(r) + '\n'; })()), out, { end: false });
    }
  } finally {
    progress?.stop();
  }
  return written;
}

/**
 * Counts the records of an export streamed by the server (socket mode), for the progress bar:
 * JSON lines end with a newline (JSON.stringify escapes the ones inside values); CSV records end
 * with a newline outside double quotes (csv-stringify quotes a value holding one; an escaped `""`
 * toggles twice), minus the header row.
 */
export function recordCounter(format: string, onCount: (records: number) => void): Transform {
  const csv = format.toLowerCase() === 'csv';
  let quoted = false;
  let lines = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk[i];
        if (csv && c === 0x22) quoted = !quoted;
        else if (c === 0x0a && !quoted) lines++;
      }
      onCount(csv ? Math.max(0, lines - 1) : lines);
      done(null, chunk);
    },
  });
}
