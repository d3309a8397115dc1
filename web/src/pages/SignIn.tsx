import { useState, type FormEvent } from 'react';
import { setKey } from '../session';
import { ErrorBox } from '../ui';

/** Sign-in with an admin key: checked with one `viewer` query, then kept in sessionStorage. */
export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [key, setValue] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await fetch('/graphql', {
        method: 'POST',
        credentials: 'omit',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key.trim()}` },
        body: JSON.stringify({ query: '{ viewer { role } }' }),
      });
      const body = (await res.json()) as { errors?: { message: string }[] };
      if (body.errors?.length) throw new Error(body.errors[0].message);
      setKey(key.trim());
      onSignedIn();
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="signin" id="main">
      <h1>Provisio console</h1>
      <p>Sign in with an admin key (<code>provisio admin-key create</code>). It is kept in this browser tab only.</p>
      <form onSubmit={submit}>
        <label htmlFor="admin-key">Admin key</label>
        <input id="admin-key" type="password" autoComplete="off" value={key} onChange={(e) => setValue(e.target.value)} required />
        <button type="submit" disabled={busy || !key.trim()}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
      <ErrorBox error={error} />
    </main>
  );
}
