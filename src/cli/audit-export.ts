import { SingleBar, Presets } from 'cli-progress';
import { stringify } from 'csv-stringify';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AuditRecord } from '../domain/audit/audit.service';
import { InvalidValueError } from '../domain/errors';
import type { Services } from '../services';

export interface AuditExportArgs {
  tenant?: string;
  since?: string;
  before?: string;
  format?: string;
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

/**
 * Streams audit entries (one tenant's, or every tenant's with a `tenantId` column), oldest first, as JSON lines or CSV (with a
 * header row), reading the table in keyset batches and honouring the output's backpressure, so
 * the export's memory stays flat however large the trail. A progress bar goes to stderr only
 * when `progress` (a terminal) is asked. Returns the number of entries written.
 */
export async function exportAudit(services: Services, args: AuditExportArgs, out: Writable, progress = false): Promise<number> {
  const { slug, since, before, format } = exportParams(args);
  // a deleted tenant's trail is kept
  const scope = { ...(slug ? { tenantId: (await services.tenants.get(slug, { includeDeleted: true })).id } : {}), since, before };
  const bar = progress ? new SingleBar({ stream: process.stderr, format: 'audit export [{bar}] {value}/{total} entries' }, Presets.shades_classic) : undefined;
  bar?.start(await services.audit.count(scope), 0);
  let written = 0;
  async function* records() {
    for await (const batch of services.audit.export(scope)) {
      for (const r of batch) yield r;
      written += batch.length;
      bar?.update(written);
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
    bar?.stop();
  }
  return written;
}
