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
  format?: string;
}

const CSV_COLUMNS: (keyof AuditRecord)[] = [
  'id', 'time', 'actorKind', 'connectionId', 'tokenId', 'adminKeyId', 'idp', 'method', 'path', 'operation', 'filter',
  'status', 'scimType', 'latencyMs', 'requestId', 'resourceIds', 'changedAttributes', 'holdId', 'note',
];

function csvRow(r: AuditRecord): Record<string, unknown> {
  return { ...r, time: r.time.toISOString(), resourceIds: r.resourceIds.join(' '), changedAttributes: r.changedAttributes.join(' ') };
}

/** Validates `--tenant`, `--since` and `--format` of `provisio audit export`. */
export function exportParams(args: AuditExportArgs): { slug: string; since: Date; format: 'jsonl' | 'csv' } {
  if (!args.tenant) throw new InvalidValueError('--tenant is required');
  const since = new Date(args.since ?? '');
  if (!args.since || Number.isNaN(since.getTime())) throw new InvalidValueError('--since must be an ISO 8601 date or date-time');
  const format = (args.format ?? 'jsonl').toLowerCase();
  if (format !== 'jsonl' && format !== 'csv') throw new InvalidValueError('--format must be jsonl or csv');
  return { slug: args.tenant, since, format };
}

/**
 * Streams a tenant's audit entries from `--since`, oldest first, as JSON lines or CSV (with a
 * header row), reading the table in keyset batches and honouring the output's backpressure, so
 * the export's memory stays flat however large the trail. A progress bar goes to stderr only
 * when `progress` (a terminal) is asked. Returns the number of entries written.
 */
export async function exportAudit(services: Services, args: AuditExportArgs, out: Writable, progress = false): Promise<number> {
  const { slug, since, format } = exportParams(args);
  const tenant = await services.tenants.get(slug, { includeDeleted: true }); // a deleted tenant's trail is kept
  const bar = progress ? new SingleBar({ stream: process.stderr, format: 'audit export [{bar}] {value}/{total} entries' }, Presets.shades_classic) : undefined;
  bar?.start(await services.audit.count(tenant.id, since), 0);
  let written = 0;
  async function* records() {
    for await (const batch of services.audit.export(tenant.id, since)) {
      for (const r of batch) yield r;
      written += batch.length;
      bar?.update(written);
    }
  }
  try {
    if (format === 'csv') {
      await pipeline(
        Readable.from((async function* () { for await (const r of records()) yield csvRow(r); })()),
        stringify({ header: true, columns: CSV_COLUMNS as string[] }),
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
