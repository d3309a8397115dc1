import { useEffect, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { DiscardHold, EventsQuery, ReleaseHold } from '../operations';
import { Badge, Empty, ErrorBox, Loading, Time } from '../ui';
import { useViewer } from '../viewer';

/** The event feed (refreshed every few seconds while open) and the guard's holds with release/discard. */
export function Events({ slug }: { slug: string }) {
  const viewer = useViewer();
  const [type, setType] = useState('');
  const [subject, setSubject] = useState('');
  const [live, setLive] = useState(true);
  const [{ data, fetching, error }, refetch] = useQuery({ query: EventsQuery, variables: { slug, types: type ? [type] : null } });
  const [released, release] = useMutation(ReleaseHold);
  const [discarded, discard] = useMutation(DiscardHold);
  useEffect(() => {
    if (!live) return;
    const t = setInterval(() => refetch({ requestPolicy: 'network-only' }), 3000);
    return () => clearInterval(t);
  }, [live, refetch]);
  const again = () => refetch({ requestPolicy: 'network-only' });
  const holds = data?.tenant.eventHolds ?? [];
  const events = (data?.events.nodes ?? []).filter((e) => !subject || e.subject.includes(subject)).slice().reverse();
  return (
    <section>
      <h1>Events</h1>
      <h2>Deprovisioning holds</h2>
      <ErrorBox error={released.error ?? discarded.error} />
      {holds.length === 0 ? <Empty>No holds: the mass-deprovisioning guard has not tripped.</Empty> : (
        <table>
          <thead><tr><th scope="col">Opened</th><th scope="col">State</th><th scope="col">Events</th><th scope="col">Reason</th>{viewer.canWrite && <th scope="col">Actions</th>}</tr></thead>
          <tbody>
            {holds.map((h) => (
              <tr key={h.id} data-hold={h.id}>
                <td><Time value={h.createdAt} /></td>
                <td><Badge tone={h.state === 'OPEN' ? 'warn' : 'muted'}>{h.state.toLowerCase()}</Badge></td>
                <td>{h.events}</td>
                <td>{h.reason}</td>
                {viewer.canWrite && (
                  <td>
                    {h.state === 'OPEN' && (
                      <>
                        <button type="button" onClick={() => void release({ tenant: slug, id: h.id }).then(again)} disabled={released.fetching}>Release hold</button>{' '}
                        <button type="button" className="danger" onClick={() => void discard({ tenant: slug, id: h.id }).then(again)} disabled={discarded.fetching}>Discard hold</button>
                      </>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Feed</h2>
      <form className="toolbar" onSubmit={(e) => e.preventDefault()} aria-label="Event filters">
        <label>Type<select value={type} onChange={(e) => setType(e.target.value)}>
          <option value="">all</option>
          {['user.created', 'user.updated', 'user.deactivated', 'user.deleted', 'group.created', 'group.updated', 'group.deleted'].map((t) => <option key={t}>{t}</option>)}
        </select></label>
        <label>Subject contains<input value={subject} onChange={(e) => setSubject(e.target.value)} /></label>
        <label className="check"><input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} /> Live</label>
      </form>
      <ErrorBox error={error} />
      {fetching && !data ? <Loading /> : events.length === 0 ? <Empty>No events.</Empty> : (
        <table>
          <thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Type</th><th scope="col">Subject</th></tr></thead>
          <tbody>{events.map((e) => <tr key={e.id}><td>{e.sequence}</td><td><Time value={e.time} /></td><td>{e.type}</td><td><code>{e.subject}</code></td></tr>)}</tbody>
        </table>
      )}
    </section>
  );
}
