import { useState, type FormEvent } from 'react';
import { getKey } from '../session';

const EXAMPLE = `query {
  viewer { role tenant }
  tenants { slug name stats { usersActive groups } }
}`;

/** A small GraphQL explorer bundled with the console (works offline); the admin key goes as a header. */
export function Explorer() {
  const [query, setQuery] = useState(EXAMPLE);
  const [variables, setVariables] = useState('{}');
  const [result, setResult] = useState('');
  const [busy, setBusy] = useState(false);
  const run = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const vars = variables.trim() ? (JSON.parse(variables) as unknown) : {};
      const res = await fetch('/graphql', {
        method: 'POST',
        credentials: 'omit',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${getKey() ?? ''}` },
        body: JSON.stringify({ query, variables: vars }),
      });
      setResult(`HTTP ${res.status}\n${JSON.stringify(await res.json(), null, 2)}`);
    } catch (err) {
      setResult(String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section>
      <h1>GraphQL explorer</h1>
      <p className="muted">Requests go to <code>/graphql</code> with your admin key as <code>Authorization: Bearer …</code>. The schema is <code>schema/admin.graphql</code>.</p>
      <form className="explorer" onSubmit={run}>
        <label htmlFor="gql-query">Query</label>
        <textarea id="gql-query" value={query} onChange={(e) => setQuery(e.target.value)} rows={14} spellCheck={false} />
        <label htmlFor="gql-vars">Variables (JSON)</label>
        <textarea id="gql-vars" value={variables} onChange={(e) => setVariables(e.target.value)} rows={3} spellCheck={false} />
        <button type="submit" disabled={busy}>Run</button>
      </form>
      {result && <pre className="json" tabIndex={0} aria-label="Result">{result}</pre>}
    </section>
  );
}
