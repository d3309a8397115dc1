import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { DeletedUsersQuery, PurgeUser, RestoreUser, UserQuery, UsersQuery } from '../operations';
import { Link } from '../router';
import { Badge, Empty, ErrorBox, Loading, Time, TypedConfirm } from '../ui';
import { useViewer } from '../viewer';

const COLUMNS = ['userName', 'displayName', 'externalId', 'active', 'updatedAt', 'email'] as const;
type Column = (typeof COLUMNS)[number];
const PAGE_SIZES = [10, 25, 50, 100];

/** Users browser: SCIM filter box (errors inline), keyset paging, columns chosen by the user. */
export function Users({ slug }: { slug: string }) {
  const [draft, setDraft] = useState('');
  const [filter, setFilter] = useState<string | null>(null);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [size, setSize] = useState(25);
  const [cols, setCols] = useState<Set<Column>>(new Set(['userName', 'displayName', 'active', 'updatedAt']));
  const after = cursors[cursors.length - 1];
  const [{ data, fetching, error }] = useQuery({ query: UsersQuery, variables: { slug, filter, after, first: size } });
  const page = data?.tenant.users;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setFilter(draft.trim() || null);
    setCursors([null]);
  };
  return (
    <section>
      <h1>Users</h1>
      <form className="toolbar" onSubmit={submit} role="search">
        <label className="grow" htmlFor="user-filter">
          SCIM filter
          <input id="user-filter" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder='userName sw "a" and active eq true' aria-describedby="filter-error" />
        </label>
        <button type="submit">Apply filter</button>
        <label htmlFor="page-size">
          Per page
          <select id="page-size" value={size} onChange={(e) => { setSize(Number(e.target.value)); setCursors([null]); }}>
            {PAGE_SIZES.map((n) => <option key={n}>{n}</option>)}
          </select>
        </label>
      </form>
      <fieldset className="columns">
        <legend>Columns</legend>
        {COLUMNS.map((c) => (
          <label key={c}>
            <input type="checkbox" checked={cols.has(c)} onChange={(e) => { const n = new Set(cols); if (e.target.checked) n.add(c); else n.delete(c); setCols(n); }} /> {c}
          </label>
        ))}
      </fieldset>
      <div id="filter-error">{error && <ErrorBox error={error} />}</div>
      {fetching && !data ? <Loading /> : !page ? null : page.nodes.length === 0 ? (
        <Empty>{filter ? 'No user matches this filter.' : 'No users yet: they appear when the identity provider provisions them.'}</Empty>
      ) : (
        <>
          <p className="muted" data-testid="user-count">{page.totalCount} user(s)</p>
          <table>
            <thead><tr>{COLUMNS.filter((c) => cols.has(c)).map((c) => <th scope="col" key={c}>{c}</th>)}</tr></thead>
            <tbody>
              {page.nodes.map((u) => (
                <tr key={u.id}>
                  {COLUMNS.filter((c) => cols.has(c)).map((c) => (
                    <td key={c}>
                      {c === 'userName' ? <Link to={`/t/${slug}/users/${u.id}`}>{u.userName}</Link>
                        : c === 'active' ? <Badge tone={u.active ? 'ok' : 'muted'}>{u.active ? 'active' : 'inactive'}</Badge>
                        : c === 'updatedAt' ? <Time value={u.updatedAt} />
                        : c === 'email' ? ((u.attributes?.emails as { value: string }[] | undefined)?.[0]?.value ?? '—')
                        : (u[c] ?? '—')}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <div className="pager">
            <button type="button" className="secondary" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>Previous page</button>
            <span data-testid="page-number">Page {cursors.length}</span>
            <button type="button" className="secondary" disabled={!page.pageInfo.hasNextPage} onClick={() => setCursors([...cursors, page.pageInfo.endCursor ?? null])}>Next page</button>
          </div>
        </>
      )}
      <DeletedUsers slug={slug} />
    </section>
  );
}

function DeletedUsers({ slug }: { slug: string }) {
  const viewer = useViewer();
  const [{ data, error }, refetch] = useQuery({ query: DeletedUsersQuery, variables: { slug } });
  const [purged, purge] = useMutation(PurgeUser);
  const [restored, restore] = useMutation(RestoreUser);
  const nodes = data?.tenant.deletedUsers.nodes ?? [];
  const again = () => refetch({ requestPolicy: 'network-only' });
  return (
    <>
      <h2>Deleted users</h2>
      <ErrorBox error={error ?? purged.error ?? restored.error} />
      {nodes.length === 0 ? <Empty>No deleted users.</Empty> : (
        <table>
          <thead><tr><th scope="col">userName</th><th scope="col">Deleted</th>{viewer.canWrite && <th scope="col">Actions</th>}</tr></thead>
          <tbody>
            {nodes.map((u) => (
              <tr key={u.id}>
                <td>{u.userName}</td>
                <td><Time value={u.updatedAt} /></td>
                {viewer.canWrite && (
                  <td>
                    <button type="button" className="secondary" onClick={() => void restore({ tenant: slug, id: u.id }).then(again)}>Restore</button>{' '}
                    <TypedConfirm word="purge" label="Purge for good" onConfirm={() => void purge({ tenant: slug, id: u.id }).then(again)} busy={purged.fetching} />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

export function UserDetail({ slug, id }: { slug: string; id: string }) {
  const [{ data, fetching, error }] = useQuery({ query: UserQuery, variables: { slug, id } });
  if (fetching && !data) return <Loading />;
  if (error || !data) return <ErrorBox error={error} />;
  const u = data.tenant.user;
  return (
    <section>
      <h1>{u.displayName ?? u.userName}</h1>
      <dl className="facts">
        <dt>userName</dt><dd>{u.userName}</dd>
        <dt>id</dt><dd><code>{u.id}</code></dd>
        <dt>externalId</dt><dd>{u.externalId ?? '—'}</dd>
        <dt>Status</dt><dd><Badge tone={u.active ? 'ok' : 'muted'}>{u.active ? 'active' : 'inactive'}</Badge> (version {u.version})</dd>
        <dt>Created</dt><dd><Time value={u.createdAt} /></dd>
        <dt>Updated</dt><dd><Time value={u.updatedAt} /></dd>
        <dt>Groups</dt><dd>{u.groups.length ? u.groups.map((g) => g.displayName).join(', ') : 'none'}</dd>
      </dl>
      <h2>SCIM document (with custom attributes)</h2>
      <pre className="json" tabIndex={0}>{JSON.stringify(u.attributes, null, 2)}</pre>
      <h2>History</h2>
      {data.tenant.auditEntries.nodes.length === 0 ? <Empty>No audit entries.</Empty> : (
        <table>
          <thead><tr><th scope="col">Time</th><th scope="col">Operation</th><th scope="col">Actor</th><th scope="col">Status</th></tr></thead>
          <tbody>{data.tenant.auditEntries.nodes.map((a) => <tr key={a.id}><td><Time value={a.time} /></td><td>{a.operation}</td><td>{a.actorKind.toLowerCase()}</td><td>{a.status}{a.scimType ? ` (${a.scimType})` : ''}</td></tr>)}</tbody>
        </table>
      )}
    </section>
  );
}
