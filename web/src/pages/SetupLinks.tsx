import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import type { IdpKind } from '../gql/graphql';
import { CreateSetupLink, RevokeSetupLink, SetupLinksQuery } from '../operations';
import { Badge, Empty, ErrorBox, IDP_NAMES, Loading, Secret, Time } from '../ui';
import { useViewer } from '../viewer';

/** Self-serve setup links: send one to a customer's IT admin, who sets up the IdP without an admin key. */
export function SetupLinks({ slug }: { slug: string }) {
  const viewer = useViewer();
  const [{ data, fetching, error }, refetch] = useQuery({ query: SetupLinksQuery, variables: { slug } });
  const [created, create] = useMutation(CreateSetupLink);
  const [revoked, revoke] = useMutation(RevokeSetupLink);
  const [idp, setIdp] = useState<IdpKind>('ENTRA');
  const [days, setDays] = useState(7);
  const again = () => refetch({ requestPolicy: 'network-only' });
  const submit = (e: FormEvent) => { e.preventDefault(); void create({ tenant: slug, idp, days }).then(again); };
  const links = data?.tenant.setupLinks ?? [];
  return (
    <section>
      <h1>Setup links</h1>
      <p>A setup link lets your customer's IT admin connect their identity provider without an admin key. It works once, until it expires or you revoke it.</p>
      {viewer.canWrite && (
        <form className="card inline-form" onSubmit={submit} aria-label="Create setup link">
          <label>Identity provider<select value={idp} onChange={(e) => setIdp(e.target.value as IdpKind)}>{(['ENTRA', 'OKTA', 'JUMPCLOUD', 'GENERIC'] as const).map((k) => <option key={k} value={k}>{IDP_NAMES[k]}</option>)}</select></label>
          <label>Valid for (days)<input type="number" min={1} max={90} value={days} onChange={(e) => setDays(Number(e.target.value))} /></label>
          <button type="submit" disabled={created.fetching}>Create setup link</button>
          <ErrorBox error={created.error} />
        </form>
      )}
      {created.data && <div className="notice"><p>Send this link to the customer; it is shown <strong>only once</strong>:</p><Secret label="Setup link" value={created.data.createSetupLink.url} /></div>}
      <ErrorBox error={error ?? revoked.error} />
      {fetching && !data ? <Loading /> : links.length === 0 ? <Empty>No setup links.</Empty> : (
        <table>
          <thead><tr><th scope="col">Link</th><th scope="col">IdP</th><th scope="col">State</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Opened</th><th scope="col">Completed</th>{viewer.canWrite && <th scope="col">Actions</th>}</tr></thead>
          <tbody>
            {links.map((l) => (
              <tr key={l.id}>
                <td><code>{l.prefix}…</code></td><td>{IDP_NAMES[l.idp]}</td>
                <td><Badge tone={l.state === 'PENDING' ? 'warn' : l.state === 'COMPLETED' ? 'ok' : 'muted'}>{l.state.toLowerCase()}</Badge></td>
                <td><Time value={l.createdAt} /></td><td><Time value={l.expiresAt} /></td><td><Time value={l.openedAt} /></td><td><Time value={l.completedAt} /></td>
                {viewer.canWrite && <td>{l.state === 'PENDING' && <button type="button" className="danger" onClick={() => void revoke({ tenant: slug, id: l.id }).then(again)}>Revoke link</button>}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
