import { useEffect, useRef, useState } from 'react';
import { useClient, useMutation, useQuery, type CombinedError } from 'urql';
import type { EventFeedQuery as FeedResult } from '../gql/graphql';
import { DiscardHold, EventFeedQuery, EventHoldsQuery, ReleaseHold } from '../operations';
import { Badge, Empty, ErrorBox, Loading, Time } from '../ui';
import { useViewer } from '../viewer';

type FeedEvent = FeedResult['events']['nodes'][number];

/** Seconds each request of the live feed may wait on the server for the next event (the server caps it at 30). */
const LONG_POLL_SECONDS = 25;
/** Events kept on the page (the newest). */
const KEEP = 500;
/** After a failed request, the next try waits this long. */
const RETRY_MS = 5000;

interface Feed {
  events: FeedEvent[];
  loaded: boolean;
  /** a long poll is waiting on the server for the next event */
  waiting: boolean;
  error: CombinedError | null;
}

/**
 * The tenant's event feed, live: pages are read without waiting until the feed is caught up, then
 * each request long-polls (`events(wait:)`): the server answers as soon as an event commits, so new
 * events show at once with one request in flight, not a refresh every few seconds. Leaving the page
 * (or unticking Live) aborts the waiting request.
 */
function useLiveFeed(slug: string, type: string, live: boolean, onWake: () => void): Feed {
  const client = useClient();
  const key = `${slug}\n${type}`;
  const cursor = useRef<{ key: string; after: string | null; events: FeedEvent[] }>({ key, after: null, events: [] });
  const [feed, setFeed] = useState<Feed>({ events: [], loaded: false, waiting: false, error: null });
  const wake = useRef(onWake);
  wake.current = onWake;
  useEffect(() => {
    if (cursor.current.key !== key) cursor.current = { key, after: null, events: [] };
    setFeed((f) => ({ ...f, events: cursor.current.events, loaded: cursor.current.after !== null && f.loaded }));
    let stopped = false;
    let current: { unsubscribe(): void } | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = (wait: number) => {
      if (stopped) return;
      setFeed((f) => ({ ...f, waiting: wait > 0 }));
      let handled = false;
      const variables = { slug, after: cursor.current.after, types: type ? [type] : null, wait: wait > 0 ? wait : null };
      const own = client.query(EventFeedQuery, variables, { requestPolicy: 'network-only' }).subscribe((res) => {
        if (handled || stopped) return;
        handled = true;
        // one answer per request: end this operation so the client keeps no finished long poll active
        queueMicrotask(() => own.unsubscribe());
        if (res.error || !res.data) {
          setFeed((f) => ({ ...f, waiting: false, error: res.error ?? null }));
          if (live) timer = setTimeout(() => read(0), RETRY_MS);
          return;
        }
        const page = res.data.events;
        cursor.current = { key, after: page.endCursor, events: [...cursor.current.events, ...page.nodes].slice(-KEEP) };
        setFeed({ events: cursor.current.events, loaded: true, waiting: false, error: null });
        if (wait > 0) wake.current();
        if (page.hasNextPage) read(0);
        else if (live) read(LONG_POLL_SECONDS);
      });
      if (!handled) current = own;
    };
    read(0);
    return () => {
      stopped = true;
      clearTimeout(timer);
      current?.unsubscribe(); // aborts a waiting request
    };
  }, [client, key, slug, type, live]);
  return feed;
}

/** The event feed (live: long-polling) and the guard's holds with release/discard. */
export function Events({ slug }: { slug: string }) {
  const viewer = useViewer();
  const [type, setType] = useState('');
  const [subject, setSubject] = useState('');
  const [live, setLive] = useState(true);
  const [holdsResult, refetch] = useQuery({ query: EventHoldsQuery, variables: { slug } });
  const [released, release] = useMutation(ReleaseHold);
  const [discarded, discard] = useMutation(DiscardHold);
  const again = () => refetch({ requestPolicy: 'network-only' });
  // each answered long poll (an event, or the wait over) also refreshes the holds
  const feed = useLiveFeed(slug, type, live, again);
  const holds = holdsResult.data?.tenant.eventHolds ?? [];
  const events = feed.events.filter((e) => !subject || e.subject.includes(subject)).slice().reverse();
  return (
    <section data-feed={feed.waiting ? 'waiting' : feed.loaded ? 'loaded' : 'loading'} data-holds={holdsResult.data ? 'loaded' : 'loading'}>
      <h1>Events</h1>
      <h2>Deprovisioning holds</h2>
      <ErrorBox error={released.error ?? discarded.error ?? holdsResult.error} />
      {holdsResult.fetching && !holdsResult.data ? <Loading /> : holds.length === 0 ? <Empty>No holds: the mass-deprovisioning guard has not tripped.</Empty> : (
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
        <span className="muted" role="status">{live ? (feed.waiting ? 'Live: waiting for the next event' : 'Live') : 'Paused'}</span>
      </form>
      <ErrorBox error={feed.error} />
      {!feed.loaded && !feed.error ? <Loading /> : events.length === 0 ? <Empty>No events.</Empty> : (
        <table>
          <thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Type</th><th scope="col">Subject</th></tr></thead>
          <tbody>{events.map((e) => <tr key={e.id} data-event={e.type}><td>{e.sequence}</td><td><Time value={e.time} /></td><td>{e.type}</td><td><code>{e.subject}</code></td></tr>)}</tbody>
        </table>
      )}
    </section>
  );
}
