import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { ExpiryPicker, IdpSteps } from '../idp-steps';
import { CompleteSetupLink, PublicSetupLinkQuery } from '../operations';
import { ErrorBox, IDP_NAMES, Loading, Time } from '../ui';

/** The public setup page (no admin key): the secret is in the URL fragment, never sent to the server's logs. */
export function PublicSetup() {
  const [secret] = useState(() => decodeURIComponent(window.location.hash.slice(1)));
  const [{ data, fetching, error }] = useQuery({ query: PublicSetupLinkQuery, variables: { secret }, pause: !secret, requestPolicy: 'network-only' });
  const [done, complete] = useMutation(CompleteSetupLink);
  const [days, setDays] = useState(365);
  const result = done.data?.completeSetupLink;
  return (
    <main className="public" id="main">
      <h1>Connect your identity provider</h1>
      {!secret ? <ErrorBox error={new Error('This page needs the full setup link you were sent.')} /> : fetching && !data ? <Loading /> : error ? <ErrorBox error={error} /> : data && !result ? (
        <>
          <p>Set up user provisioning from <strong>{IDP_NAMES[data.setupLink.idp]}</strong> to <strong>{data.setupLink.tenantName}</strong>. This link works once and expires <Time value={data.setupLink.expiresAt} />.</p>
          <form className="card" onSubmit={(e) => { e.preventDefault(); void complete({ secret, days }); }} aria-label="Create the connection">
            <ExpiryPicker value={days} onChange={setDays} />
            <button type="submit" disabled={done.fetching}>Create my SCIM connection</button>
            <ErrorBox error={done.error} />
          </form>
        </>
      ) : null}
      {result && (
        <>
          <p className="notice">Your connection is ready. The token is shown <strong>only once</strong>: copy it now. It expires <Time value={result.tokenInfo.expiresAt} />.</p>
          <IdpSteps idp={result.idp} scimUrl={result.scimUrl} token={result.token} />
        </>
      )}
    </main>
  );
}
