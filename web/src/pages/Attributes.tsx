import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { AttributesQuery, DefineAttribute, RemoveAttribute } from '../operations';
import { Empty, ErrorBox, Loading, Time, TypedConfirm } from '../ui';
import { useViewer } from '../viewer';

export function Attributes({ slug }: { slug: string }) {
  const viewer = useViewer();
  const [{ data, fetching, error }, refetch] = useQuery({ query: AttributesQuery, variables: { slug } });
  const [defined, define] = useMutation(DefineAttribute);
  const [removed, remove] = useMutation(RemoveAttribute);
  const [name, setName] = useState('');
  const [resourceType, setResourceType] = useState('User');
  const [type, setType] = useState('string');
  const again = () => refetch({ requestPolicy: 'network-only' });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void define({ tenant: slug, input: { name, resourceType, type } }).then((r) => { if (r.data) { setName(''); again(); } });
  };
  const defs = data?.tenant.attributeDefinitions ?? [];
  return (
    <section>
      <h1>Custom attributes</h1>
      {viewer.canWrite && (
        <form className="card inline-form" onSubmit={submit} aria-label="Define attribute">
          <label>Name<input value={name} onChange={(e) => setName(e.target.value)} required pattern="[A-Za-z][A-Za-z0-9_\-]*" /></label>
          <label>Resource type<select value={resourceType} onChange={(e) => setResourceType(e.target.value)}><option>User</option><option>Group</option></select></label>
          <label>Type<select value={type} onChange={(e) => setType(e.target.value)}>{['string', 'boolean', 'integer', 'decimal', 'dateTime', 'reference'].map((t) => <option key={t}>{t}</option>)}</select></label>
          <button type="submit" disabled={defined.fetching}>Define attribute</button>
          <ErrorBox error={defined.error} />
        </form>
      )}
      <ErrorBox error={error ?? removed.error} />
      {removed.data && <p className="notice" role="status">Removed; {removed.data.removeAttribute.resourcesChanged} resource(s) lost their value.</p>}
      {fetching && !data ? <Loading /> : defs.length === 0 ? <Empty>No custom attributes.</Empty> : (
        <table>
          <thead><tr><th scope="col">Name</th><th scope="col">Resource</th><th scope="col">Type</th><th scope="col">Schema</th><th scope="col">Defined</th>{viewer.canWrite && <th scope="col">Actions</th>}</tr></thead>
          <tbody>
            {defs.map((d) => (
              <tr key={d.id}>
                <td>{d.name}</td><td>{d.resourceType}</td><td>{d.type}{d.multiValued ? '[]' : ''}</td><td><code>{d.schema}</code></td><td><Time value={d.createdAt} /></td>
                {viewer.canWrite && <td><TypedConfirm word={d.name} label={`Remove ${d.name} and its values`} onConfirm={() => void remove({ tenant: slug, name: d.name, resourceType: d.resourceType, schema: d.schema }).then(again)} busy={removed.fetching} /></td>}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
