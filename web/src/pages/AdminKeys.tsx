import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import type { AdminRole } from '../gql/graphql';
import { AdminKeysQuery, CreateAdminKey, RevokeAdminKey } from '../operations';
import { Badge, ErrorBox, Loading, Secret, Time } from '../ui';

export function AdminKeys() {
  const [{ data, fetching, error }, refetch] = useQuery({ query: AdminKeysQuery });
  const [created, create] = useMutation(CreateAdminKey);
  const [revoked, revoke] = useMutation(RevokeAdminKey);
  const [role, setRole] = useState<AdminRole>('AUDITOR');
  const [tenant, setTenant] = useState('');
  const again = () => refetch({ requestPolicy: 'network-only' });
  const submit = (e: FormEvent) => { e.preventDefault(); void create({ role, tenant: tenant || null }).then(again); };
  return (
    <section>
      <h1>Admin keys</h1>
      <form className="card inline-form" onSubmit={submit} aria-label="Create admin key">
        <label>Role<select value={role} onChange={(e) => setRole(e.target.value as AdminRole)}><option value="AUDITOR">auditor (read only)</option><option value="ADMIN">admin</option></select></label>
        <label>Limited to tenant (slug, optional)<input value={tenant} onChange={(e) => setTenant(e.target.value)} /></label>
        <button type="submit" disabled={created.fetching}>Create key</button>
        <ErrorBox error={created.error} />
      </form>
      {created.data && <div className="notice"><p>Shown <strong>only once</strong>:</p><Secret label="Admin key" value={created.data.createAdminKey.key} /></div>}
      <ErrorBox error={error ?? revoked.error} />
      {fetching && !data ? <Loading /> : (
        <table>
          <thead><tr><th scope="col">Prefix</th><th scope="col">Role</th><th scope="col">Tenant</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Status</th><th scope="col">Actions</th></tr></thead>
          <tbody>
            {(data?.adminKeys ?? []).map((k) => (
              <tr key={k.id}>
                <td><code>{k.prefix}…</code></td><td>{k.role.toLowerCase()}</td><td>{k.tenant ?? 'all'}</td><td><Time value={k.createdAt} /></td><td><Time value={k.lastUsedAt} /></td>
                <td>{k.revokedAt ? <Badge tone="muted">revoked</Badge> : <Badge tone="ok">active</Badge>}</td>
                <td>{!k.revokedAt && <button type="button" className="danger" onClick={() => void revoke({ id: k.id }).then(again)}>Revoke {k.prefix}</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
