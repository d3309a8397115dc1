import { useMemo } from 'react';
import { useQuery } from 'urql';
import { hourly, TimeChart } from '../chart';
import { TenantOverviewQuery, TenantTrafficQuery } from '../operations';
import { HealthBadge, HealthWarnings, healthWarnings } from '../health';
import { Link } from '../router';
import { Badge, Empty, ErrorBox, IDP_NAMES, Loading, Time } from '../ui';
import { useViewer } from '../viewer';

const MONTH_MS = 30 * 86_400_000;

export function TenantOverview({ slug }: { slug: string }) {
  const viewer = useViewer();
  const from = useMemo(() => new Date(Date.now() - 86_400_000).toISOString(), []);
  const [{ data, fetching, error }] = useQuery({ query: TenantOverviewQuery, variables: { slug, holds: 'OPEN' } });
  const [traffic] = useQuery({ query: TenantTrafficQuery, variables: { slug, first: 1000, from } });
  const charts = useMemo(() => {
    const t = traffic.data;
    if (!t) return null;
    const names = new Map((data?.tenant.scimConnections ?? []).map((c) => [c.id, c.name]));
    const requests = hourly(
      t.tenant.auditEntries.nodes.map((a) => ({
        time: a.time,
        key: `${a.connectionId ? (names.get(a.connectionId) ?? 'connection') : a.actorKind.toLowerCase()} ${a.status < 400 ? 'ok' : 'failed'}`,
      })),
    );
    const events = hourly(t.events.nodes.map((e) => ({ time: e.time, key: 'events' })));
    return { requests, events };
  }, [traffic.data, data]);
  if (fetching && !data) return <Loading />;
  if (error || !data) return <ErrorBox error={error} />;
  const t = data.tenant;
  const expiring = t.scimConnections.flatMap((c) => c.tokens.filter((k) => k.status === 'ACTIVE' && new Date(k.expiresAt).getTime() - Date.now() < MONTH_MS).map((k) => ({ ...k, connection: c.name })));
  return (
    <section>
      <h1>{t.name}</h1>
      <p className="muted">SCIM base URL <code>{t.scimUrl}</code></p>
      <div className="figures">
        <div className="figure"><span>{t.stats.usersActive}</span> active users</div>
        <div className="figure"><span>{t.stats.usersInactive}</span> inactive</div>
        <div className="figure"><span>{t.stats.groups}</span> groups</div>
        <div className="figure"><span>{t.stats.events.openHolds}</span> open holds</div>
        <div className="figure"><span>{t.stats.events.unpublishedEvents}</span> unpublished events</div>
      </div>

      {t.eventHolds.length > 0 && (
        <div className="warning" role="alert">
          {t.eventHolds.length} deprovisioning hold(s) wait for review. <Link to={`/t/${slug}/events`}>Review holds</Link>
        </div>
      )}

      <h2>Connections</h2>
      {viewer.canWrite && (
        <div className="toolbar" aria-label="Connect an identity provider">
          {(['ENTRA', 'OKTA', 'JUMPCLOUD', 'GENERIC'] as const).map((idp) => (
            <Link key={idp} className="button" to={`/t/${slug}/connect/${idp.toLowerCase()}`}>Connect {IDP_NAMES[idp]}</Link>
          ))}
        </div>
      )}
      {t.scimConnections.length === 0 ? (
        <Empty>No connection yet: connect an identity provider.</Empty>
      ) : (
        <table>
          <thead><tr><th scope="col">Connection</th><th scope="col">IdP</th><th scope="col">Active tokens</th><th scope="col">Last request</th><th scope="col">Health</th></tr></thead>
          <tbody>
            {t.scimConnections.map((c) => (
              <tr key={c.id}>
                <td><Link to={`/t/${slug}/connections/${c.id}`}>{c.name}</Link></td>
                <td>{IDP_NAMES[c.idp]}</td>
                <td>{c.activeTokens}</td>
                <td><Time value={c.lastRequestAt} /></td>
                <td>
                  {!c.lastRequest ? <Badge tone="muted">no request yet</Badge> : c.lastRequest.status < 400 ? <Badge tone="ok">last request {c.lastRequest.status}</Badge> : <Badge tone="bad">last request {c.lastRequest.status}</Badge>}
                  {c.activeTokens === 0 && <Badge tone="bad">no active token</Badge>}
                  <HealthBadge health={c.health} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>Mapping health warnings</h2>
      {(() => {
        const warned = t.scimConnections.filter((c) => healthWarnings(c.health).length > 0);
        return warned.length === 0 ? <Empty>None in the last 24 hours.</Empty> : (
          <div data-testid="health-warnings">
            {warned.map((c) => (
              <div key={c.id} className="card">
                <h3>{c.name}</h3>
                <HealthWarnings health={c.health} />
                <Link to={`/t/${slug}/connections/${c.id}`}>Refused requests and details of {c.name}</Link>
              </div>
            ))}
          </div>
        );
      })()}

      <h2>Tokens expiring within 30 days</h2>
      {expiring.length === 0 ? <Empty>None.</Empty> : (
        <ul>{expiring.map((k) => <li key={k.id}><code>{k.prefix}…</code> of {k.connection}, expires <Time value={k.expiresAt} /></li>)}</ul>
      )}

      <h2>Traffic, last 24 hours</h2>
      <ErrorBox error={traffic.error} />
      {!charts ? <Loading what="Loading traffic" /> : (
        <div className="charts">
          {charts.requests.series.length ? <TimeChart title="Requests per hour by connection and outcome" x={charts.requests.x} series={charts.requests.series} /> : <Empty>No requests in the last 24 hours.</Empty>}
          {charts.events.series.length ? <TimeChart title="Events per hour" x={charts.events.x} series={charts.events.series} /> : <Empty>No events in the last 24 hours.</Empty>}
        </div>
      )}
    </section>
  );
}
