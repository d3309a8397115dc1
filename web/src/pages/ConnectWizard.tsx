import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { ExpiryPicker, IdpSteps } from '../idp-steps';
import { ConnectionsQuery, CreateConnection } from '../operations';
import { Link } from '../router';
import { ErrorBox, IDP_NAMES, Time } from '../ui';
import type { IdpKind } from '../gql/graphql';

const KINDS: Record<string, IdpKind> = { entra: 'ENTRA', okta: 'OKTA', jumpcloud: 'JUMPCLOUD', generic: 'GENERIC' };

/** The connection setup wizard: create, show the values once, wait for the IdP's first request. */
export function ConnectWizard({ slug, idp }: { slug: string; idp: string }) {
  const kind = KINDS[idp.toLowerCase()];
  const [name, setName] = useState('');
  const [days, setDays] = useState(365);
  const [{ data, fetching, error }, create] = useMutation(CreateConnection);
  if (!kind) return <ErrorBox error={new Error(`unknown identity provider "${idp}"`)} />;
  const created = data?.createScimConnection;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void create({ tenant: slug, idp: kind, days, name: name || null });
  };
  return (
    <section>
      <h1>Connect {IDP_NAMES[kind]}</h1>
      {!created ? (
        <form className="card" onSubmit={submit} aria-label="New connection">
          <label>Connection name (optional) <input value={name} onChange={(e) => setName(e.target.value)} placeholder={kind.toLowerCase()} /></label>
          <ExpiryPicker value={days} onChange={setDays} />
          <button type="submit" disabled={fetching}>Create connection and token</button>
          <ErrorBox error={error} />
        </form>
      ) : (
        <>
          <p className="notice">The token is shown <strong>only once</strong>: copy it now. It expires <Time value={created.tokenInfo.expiresAt} />.</p>
          <IdpSteps idp={kind} scimUrl={created.scimUrl} token={created.token} />
          <WaitForFirstRequest slug={slug} connectionId={created.connection.id} />
          <p><Link to={`/t/${slug}/connections/${created.connection.id}`}>Connection details</Link></p>
        </>
      )}
    </section>
  );
}

/** Polls the connection until the IdP's first request arrives (its test connection), then turns green. */
export function WaitForFirstRequest({ slug, connectionId }: { slug: string; connectionId: string }) {
  const [{ data }, refetch] = useQuery({ query: ConnectionsQuery, variables: { slug }, requestPolicy: 'network-only' });
  const conn = data?.tenant.scimConnections.find((c) => c.id === connectionId);
  const last = conn?.lastRequest;
  useEffect(() => {
    if (last) return;
    const t = setInterval(() => refetch({ requestPolicy: 'network-only' }), 1500);
    return () => clearInterval(t);
  }, [last, refetch]);
  return last ? (
    <div className={last.status < 400 ? 'waiting done' : 'waiting failed'} role="status" data-testid="first-request">
      {last.status < 400 ? '✓ First request received' : '✗ First request failed'}: {last.operation} answered {last.status} at <Time value={last.time} />
    </div>
  ) : (
    <div className="waiting" role="status" data-testid="first-request">Waiting for the first request from the identity provider…</div>
  );
}
