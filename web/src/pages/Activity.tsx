import { useState } from 'react';
import { useQuery } from 'urql';
import type { AuditFilter, Outcome } from '../gql/graphql';
import { AuditQuery } from '../operations';
import { Empty, ErrorBox, Loading, Time } from '../ui';

type Entry = NonNullable<ReturnType<typeof useAudit>['data']>['tenant']['auditEntries']['nodes'][number];

function useAudit(slug: string, filter: AuditFilter, after: string | null) {
  return useQuery({ query: AuditQuery, variables: { slug, filter, after } })[0];
}

function download(name: string, text: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  URL.revokeObjectURL(url);
}

const csvCell = (v: unknown) => `"${String(v ?? '').replace(/"/g, '""')}"`;

/** The audit trail with filters, a failed request's detail, and export of what is shown. */
export function Activity({ slug }: { slug: string }) {
  const [outcome, setOutcome] = useState<Outcome | ''>('');
  const [actorId, setActorId] = useState('');
  const [resourceId, setResourceId] = useState('');
  const [operation, setOperation] = useState('');
  const [from, setFrom] = useState('');
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [open, setOpen] = useState<Entry | null>(null);
  const filter: AuditFilter = {
    ...(outcome ? { outcome } : {}),
    ...(actorId ? { actorId } : {}),
    ...(resourceId ? { resourceId } : {}),
    ...(operation ? { operation } : {}),
    ...(from ? { from: new Date(from).toISOString() } : {}),
  };
  const { data, fetching, error } = useAudit(slug, filter, cursors[cursors.length - 1]);
  const page = data?.tenant.auditEntries;
  const rows = page?.nodes ?? [];
  const names = new Map((data?.tenant.scimConnections ?? []).map((c) => [c.id, c.name]));
  return (
    <section>
      <h1>Activity</h1>
      <form className="toolbar" onSubmit={(e) => e.preventDefault()} aria-label="Audit filters">
        <label>Outcome<select value={outcome} onChange={(e) => { setOutcome(e.target.value as Outcome | ''); setCursors([null]); }}><option value="">any</option><option value="SUCCESS">success</option><option value="FAILURE">failure</option></select></label>
        <label>Connection<select value={actorId} onChange={(e) => { setActorId(e.target.value); setCursors([null]); }}>
          <option value="">any</option>
          {(data?.tenant.scimConnections ?? []).map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
        </select></label>
        <label>Resource id<input value={resourceId} onChange={(e) => { setResourceId(e.target.value.trim()); setCursors([null]); }} /></label>
        <label>Operation<input value={operation} onChange={(e) => { setOperation(e.target.value.trim()); setCursors([null]); }} placeholder="User.create" /></label>
        <label>From<input type="datetime-local" value={from} onChange={(e) => { setFrom(e.target.value); setCursors([null]); }} /></label>
      </form>
      <div className="toolbar">
        <button type="button" className="secondary" disabled={!rows.length} onClick={() => download('audit.jsonl', rows.map((r) => JSON.stringify(r)).join('\n') + '\n', 'application/x-ndjson')}>Export JSONL</button>
        <button type="button" className="secondary" disabled={!rows.length} onClick={() => {
          const cols = ['time', 'actorKind', 'operation', 'method', 'path', 'status', 'scimType', 'latencyMs', 'requestId', 'connectionId'] as const;
          download('audit.csv', [cols.join(','), ...rows.map((r) => cols.map((c) => csvCell(r[c])).join(','))].join('\n') + '\n', 'text/csv');
        }}>Export CSV</button>
      </div>
      <ErrorBox error={error} />
      {fetching && !data ? <Loading /> : rows.length === 0 ? <Empty>No entries match.</Empty> : (
        <table>
          <thead><tr><th scope="col">Time</th><th scope="col">Actor</th><th scope="col">Operation</th><th scope="col">Status</th><th scope="col">Latency</th><th scope="col">Detail</th></tr></thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} className={r.status >= 400 ? 'failed' : undefined}>
                <td><Time value={r.time} /></td>
                <td>{r.actorKind.toLowerCase()}{r.connectionId ? ` · ${names.get(r.connectionId) ?? r.idp}` : ''}</td>
                <td>{r.operation}</td>
                <td>{r.status}{r.scimType ? ` ${r.scimType}` : ''}</td>
                <td>{r.latencyMs.toFixed(1)} ms</td>
                <td><button type="button" className="secondary" onClick={() => setOpen(r)} aria-label={`Details of ${r.operation} at ${r.time}`}>Details</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page && (
        <div className="pager">
          <button type="button" className="secondary" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>Newer</button>
          <button type="button" className="secondary" disabled={!page.pageInfo.hasNextPage} onClick={() => setCursors([...cursors, page.pageInfo.endCursor ?? null])}>Older</button>
        </div>
      )}
      {open && (
        <div className="card detail" role="region" aria-label="Request detail">
          <h2>{open.method} {open.path}</h2>
          <pre className="json" tabIndex={0}>{JSON.stringify(open, null, 2)}</pre>
          <button type="button" className="secondary" onClick={() => setOpen(null)}>Close</button>
        </div>
      )}
    </section>
  );
}
