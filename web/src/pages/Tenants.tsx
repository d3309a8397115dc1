import { useMemo, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { CreateTenant, TenantsQuery } from '../operations';
import { Link, navigate } from '../router';
import { Empty, ErrorBox, Loading, Time } from '../ui';
import { useViewer } from '../viewer';

export function Tenants() {
  const viewer = useViewer();
  const since = useMemo(() => new Date(Date.now() - 86_400_000).toISOString(), []);
  const [{ data, fetching, error }] = useQuery({ query: TenantsQuery, variables: { since } });
  const [search, setSearch] = useState('');
  const rows = (data?.tenants ?? []).filter((t) => `${t.name} ${t.slug}`.toLowerCase().includes(search.toLowerCase()));
  return (
    <section>
      <h1>Tenants</h1>
      {viewer.canWrite && <NewTenant />}
      <div className="toolbar">
        <label>
          Search tenants
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="name or slug" />
        </label>
      </div>
      <ErrorBox error={error} />
      {fetching && !data ? (
        <Loading />
      ) : rows.length === 0 ? (
        <Empty>{search ? 'No tenant matches.' : 'No tenants yet.'}</Empty>
      ) : (
        <table>
          <thead>
            <tr><th scope="col">Tenant</th><th scope="col">Users</th><th scope="col">Groups</th><th scope="col">Last request</th><th scope="col">Error rate (24 h)</th></tr>
          </thead>
          <tbody>
            {rows.map((t) => {
              const outcomes = data!.stats.requestsByOutcome.filter((r) => r.tenantId === t.id);
              const total = outcomes.reduce((n, r) => n + r.count, 0);
              const failed = outcomes.filter((r) => r.statusClass !== '2xx').reduce((n, r) => n + r.count, 0);
              const last = t.scimConnections.map((c) => c.lastRequestAt).filter(Boolean).sort().pop();
              return (
                <tr key={t.id}>
                  <td><Link to={`/t/${t.slug}`}>{t.name}</Link> <span className="muted">{t.slug}</span></td>
                  <td>{t.stats.usersActive + t.stats.usersInactive}</td>
                  <td>{t.stats.groups}</td>
                  <td><Time value={last} /></td>
                  <td>{total ? `${((100 * failed) / total).toFixed(1)} % of ${total}` : '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

function NewTenant() {
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [{ fetching, error }, create] = useMutation(CreateTenant);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const res = await create({ input: { name, ...(slug ? { slug } : {}) } });
    if (res.data) navigate(`/t/${res.data.createTenant.slug}`);
  };
  return (
    <form className="card inline-form" onSubmit={submit} aria-label="Create tenant">
      <label>Tenant name <input value={name} onChange={(e) => setName(e.target.value)} required /></label>
      <label>Slug (optional) <input value={slug} onChange={(e) => setSlug(e.target.value)} placeholder="derived from the name" /></label>
      <button type="submit" disabled={fetching || !name.trim()}>Create tenant</button>
      <ErrorBox error={error} />
    </form>
  );
}
