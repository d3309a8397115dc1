import { useState, type FormEvent } from 'react';
import { useQuery } from 'urql';
import { GroupsQuery } from '../operations';
import { Empty, ErrorBox, Loading, Time } from '../ui';

export function Groups({ slug }: { slug: string }) {
  const [draft, setDraft] = useState('');
  const [filter, setFilter] = useState<string | null>(null);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [{ data, fetching, error }] = useQuery({ query: GroupsQuery, variables: { slug, filter, after: cursors[cursors.length - 1] } });
  const page = data?.tenant.groups;
  const submit = (e: FormEvent) => { e.preventDefault(); setFilter(draft.trim() || null); setCursors([null]); };
  return (
    <section>
      <h1>Groups</h1>
      <form className="toolbar" onSubmit={submit} role="search">
        <label className="grow" htmlFor="group-filter">SCIM filter<input id="group-filter" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder='displayName sw "Eng"' /></label>
        <button type="submit">Apply filter</button>
      </form>
      <ErrorBox error={error} />
      {fetching && !data ? <Loading /> : !page ? null : page.nodes.length === 0 ? <Empty>{filter ? 'No group matches this filter.' : 'No groups yet.'}</Empty> : (
        <>
          <p className="muted">{page.totalCount} group(s)</p>
          <table>
            <thead><tr><th scope="col">displayName</th><th scope="col">externalId</th><th scope="col">Members</th><th scope="col">Updated</th></tr></thead>
            <tbody>{page.nodes.map((g) => <tr key={g.id}><td>{g.displayName}</td><td>{g.externalId ?? '—'}</td><td>{g.memberCount}</td><td><Time value={g.updatedAt} /></td></tr>)}</tbody>
          </table>
          <div className="pager">
            <button type="button" className="secondary" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>Previous page</button>
            <span>Page {cursors.length}</span>
            <button type="button" className="secondary" disabled={!page.pageInfo.hasNextPage} onClick={() => setCursors([...cursors, page.pageInfo.endCursor ?? null])}>Next page</button>
          </div>
        </>
      )}
    </section>
  );
}
