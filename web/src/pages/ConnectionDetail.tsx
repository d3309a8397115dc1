import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import type { DeletePolicy } from '../gql/graphql';
import { ExpiryPicker, urlFor } from '../idp-steps';
import { HealthWarnings } from '../health';
import { ConnectionsQuery, DeleteConnection, DisableConnection, EnableConnection, RevokeToken, RotateToken, UpdateConnection } from '../operations';
import { Badge, ErrorBox, IDP_NAMES, Loading, Secret, Time, TypedConfirm } from '../ui';
import { useViewer } from '../viewer';

const OVERLAPS = [
  { minutes: 0, label: 'none: the old token stops now' },
  { minutes: 60, label: '1 hour' },
  { minutes: 1440, label: '1 day' },
  { minutes: 10080, label: '7 days' },
];

export function ConnectionDetail({ slug, id }: { slug: string; id: string }) {
  const viewer = useViewer();
  const [{ data, fetching, error }, refetch] = useQuery({ query: ConnectionsQuery, variables: { slug } });
  const [rotated, rotate] = useMutation(RotateToken);
  const [revoked, revoke] = useMutation(RevokeToken);
  const [updated, update] = useMutation(UpdateConnection);
  const [disabled, disable] = useMutation(DisableConnection);
  const [enabled, enable] = useMutation(EnableConnection);
  const [deleted, remove] = useMutation(DeleteConnection);
  const [overlap, setOverlap] = useState(60);
  const [days, setDays] = useState(365);
  const again = () => refetch({ requestPolicy: 'network-only' });
  if (fetching && !data) return <Loading />;
  if (error || !data) return <ErrorBox error={error} />;
  const c = data.tenant.scimConnections.find((x) => x.id === id);
  if (!c) return <ErrorBox error={new Error('connection not found')} />;
  const active = c.tokens.filter((t) => t.status === 'ACTIVE');
  const issued = rotated.data?.rotateToken;
  return (
    <section>
      <h1>{c.name}</h1>
      <div className="toolbar">
        <Badge tone={c.status === 'ACTIVE' ? 'ok' : c.status === 'DISABLED' ? 'warn' : 'muted'}>{c.status.toLowerCase()}</Badge>
        {viewer.canWrite && c.status === 'ACTIVE' && <button type="button" className="secondary" disabled={disabled.fetching} onClick={() => void disable({ tenant: slug, id }).then(again)}>Disable connection</button>}
        {viewer.canWrite && c.status === 'DISABLED' && <button type="button" disabled={enabled.fetching} onClick={() => void enable({ tenant: slug, id }).then(again)}>Enable connection</button>}
        {viewer.canWrite && c.status !== 'DELETED' && <TypedConfirm word={c.name} label="Delete connection" busy={deleted.fetching} onConfirm={() => void remove({ tenant: slug, id }).then(again)} />}
      </div>
      <ErrorBox error={disabled.error ?? enabled.error ?? deleted.error ?? updated.error} />
      <dl className="facts">
        <dt>Identity provider</dt><dd>{IDP_NAMES[c.idp]} (compatibility profile: {c.idp.toLowerCase()})</dd>
        <dt>SCIM URL</dt><dd><code>{urlFor(c.idp, data.tenant.scimUrl)}</code></dd>
        <dt>Last request</dt><dd>{c.lastRequest ? <>{c.lastRequest.operation} → {c.lastRequest.status} at <Time value={c.lastRequest.time} /></> : 'none yet'}</dd>
        <dt>Delete policy</dt>
        <dd>
          {viewer.canWrite && c.status !== 'DELETED' ? (
            <label htmlFor="delete-policy">
              <span className="visually-hidden">Delete policy</span>
              <select id="delete-policy" value={c.deletePolicy} disabled={updated.fetching} onChange={(e) => void update({ tenant: slug, id, input: { deletePolicy: e.target.value as DeletePolicy } }).then(again)}>
                <option value="DELETE">delete: tombstone, memberships removed, user.deleted</option>
                <option value="DEACTIVATE">deactivate: user.deactivated, memberships held, a re-POST brings the user back</option>
              </select>
            </label>
          ) : (
            c.deletePolicy.toLowerCase()
          )}
        </dd>
        {c.disabledAt && <><dt>Disabled</dt><dd><Time value={c.disabledAt} /></dd></>}
        {c.deletedAt && <><dt>Deleted</dt><dd><Time value={c.deletedAt} /></dd></>}
      </dl>

      <h2>Mapping health (last 24 hours)</h2>
      <div data-testid="connection-health"><HealthWarnings health={c.health} errors /></div>

      <h2>Tokens</h2>
      <table>
        <thead><tr><th scope="col">Prefix</th><th scope="col">Status</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used</th>{viewer.canWrite && <th scope="col">Actions</th>}</tr></thead>
        <tbody>
          {c.tokens.map((t) => (
            <tr key={t.id} data-token={t.prefix}>
              <td><code>{t.prefix}…</code></td>
              <td><Badge tone={t.status === 'ACTIVE' ? 'ok' : 'muted'}>{t.status.toLowerCase()}</Badge></td>
              <td><Time value={t.createdAt} /></td>
              <td><Time value={t.expiresAt} /></td>
              <td><Time value={t.lastUsedAt} /></td>
              {viewer.canWrite && (
                <td>
                  {t.status === 'ACTIVE' && (
                    <button type="button" className="danger" disabled={revoked.fetching} onClick={() => void revoke({ tenant: slug, id: t.id }).then(() => refetch({ requestPolicy: 'network-only' }))}>
                      Revoke {t.prefix}
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      <ErrorBox error={revoked.error} />

      {viewer.canWrite && active.length > 0 && (
        <form
          className="card"
          aria-label="Rotate token"
          onSubmit={(e) => {
            e.preventDefault();
            void rotate({ tenant: slug, id: active[0].id, overlapMinutes: overlap, days }).then(() => refetch({ requestPolicy: 'network-only' }));
          }}
        >
          <h3>Rotate the newest token</h3>
          <label htmlFor="overlap">
            Old token keeps working for
            <select id="overlap" value={overlap} onChange={(e) => setOverlap(Number(e.target.value))}>
              {OVERLAPS.map((o) => <option key={o.minutes} value={o.minutes}>{o.label}</option>)}
            </select>
          </label>
          <ExpiryPicker id="rotate-expiry" value={days} onChange={setDays} />
          <button type="submit" disabled={rotated.fetching}>Rotate token</button>
          <ErrorBox error={rotated.error} />
        </form>
      )}
      {issued && (
        <div className="notice">
          <p>New token, shown <strong>only once</strong>. Paste it into the identity provider{overlap ? ' before the overlap ends' : ''}.</p>
          <Secret label="New token" value={issued.token} />
        </div>
      )}
    </section>
  );
}
