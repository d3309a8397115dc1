import { useMemo, useState, type ReactNode } from 'react';
import { Provider, useQuery } from 'urql';
import { createClient } from './client';
import { ViewerQuery } from './operations';
import { Link, match, navigate, PathContext, usePath } from './router';
import { clearKey, getKey } from './session';
import { ErrorBox, Loading } from './ui';
import { SignIn } from './pages/SignIn';
import { Tenants } from './pages/Tenants';
import { TenantOverview } from './pages/TenantOverview';
import { ConnectWizard } from './pages/ConnectWizard';
import { ConnectionDetail } from './pages/ConnectionDetail';
import { Users, UserDetail } from './pages/Users';
import { Groups } from './pages/Groups';
import { Activity } from './pages/Activity';
import { Events } from './pages/Events';
import { Attributes } from './pages/Attributes';
import { AdminKeys } from './pages/AdminKeys';
import { SetupLinks } from './pages/SetupLinks';
import { PublicSetup } from './pages/PublicSetup';
import { Explorer } from './pages/Explorer';
import { ViewerContext, type Viewer } from './viewer';

export function App() {
  const path = usePath();
  const [session, setSession] = useState(0);
  const client = useMemo(() => createClient(path !== '/setup'), [session, path === '/setup']); // eslint-disable-line react-hooks/exhaustive-deps
  if (path === '/setup') {
    return (
      <Provider value={client}>
        <PublicSetup />
      </Provider>
    );
  }
  if (!getKey()) return <SignIn onSignedIn={() => setSession((s) => s + 1)} />;
  return (
    <Provider value={client}>
      <PathContext.Provider value={path}>
        <Signed path={path} onSignOut={() => { clearKey(); setSession((s) => s + 1); navigate('/'); }} />
      </PathContext.Provider>
    </Provider>
  );
}

function Signed({ path, onSignOut }: { path: string; onSignOut: () => void }) {
  const [{ data, fetching, error }] = useQuery({ query: ViewerQuery, requestPolicy: 'network-only' });
  if (fetching && !data) return <Loading what="Signing in" />;
  if (error || !data) {
    return (
      <main className="signin">
        <ErrorBox error={error} />
        <button type="button" onClick={onSignOut}>Sign in again</button>
      </main>
    );
  }
  const viewer: Viewer = { ...data.viewer, canWrite: data.viewer.role === 'ADMIN' };
  const t = /^\/t\/([^/]+)/.exec(path);
  const slug = t ? decodeURIComponent(t[1]) : viewer.tenant;
  return (
    <ViewerContext.Provider value={viewer}>
      <a className="skip" href="#main">Skip to content</a>
      <div className="layout">
        <nav className="sidebar" aria-label="Main">
          <div className="brand">Provisio</div>
          <ul>
            {!viewer.tenant && <li><Link to="/" exact>Tenants</Link></li>}
            {slug && (
              <>
                <li className="group">{slug}</li>
                <li><Link to={`/t/${slug}`} exact>Overview</Link></li>
                <li><Link to={`/t/${slug}/users`}>Users</Link></li>
                <li><Link to={`/t/${slug}/groups`}>Groups</Link></li>
                <li><Link to={`/t/${slug}/activity`}>Activity</Link></li>
                <li><Link to={`/t/${slug}/events`}>Events</Link></li>
                <li><Link to={`/t/${slug}/attributes`}>Custom attributes</Link></li>
                <li><Link to={`/t/${slug}/setup-links`}>Setup links</Link></li>
              </>
            )}
            <li className="group">Tools</li>
            {viewer.canWrite && !viewer.tenant && <li><Link to="/keys">Admin keys</Link></li>}
            <li><Link to="/explorer">GraphQL explorer</Link></li>
          </ul>
          <div className="who">
            <span>{viewer.role === 'ADMIN' ? 'Admin' : 'Auditor (read only)'}{viewer.tenant ? ` · ${viewer.tenant}` : ''}</span>
            <button type="button" className="secondary" onClick={onSignOut}>Sign out</button>
          </div>
        </nav>
        <main id="main" className="content">
          <Page path={path} viewer={viewer} />
        </main>
      </div>
    </ViewerContext.Provider>
  );
}

function Page({ path, viewer }: { path: string; viewer: Viewer }): ReactNode {
  let m: Record<string, string> | null;
  if (path === '/') {
    if (viewer.tenant) return <TenantOverview slug={viewer.tenant} />;
    return <Tenants />;
  }
  if (path === '/keys') return <AdminKeys />;
  if (path === '/explorer') return <Explorer />;
  if ((m = match('/t/:slug', path))) return <TenantOverview slug={m.slug} />;
  if ((m = match('/t/:slug/connect/:idp', path))) return <ConnectWizard slug={m.slug} idp={m.idp} />;
  if ((m = match('/t/:slug/connections/:id', path))) return <ConnectionDetail slug={m.slug} id={m.id} />;
  if ((m = match('/t/:slug/users', path))) return <Users slug={m.slug} />;
  if ((m = match('/t/:slug/users/:id', path))) return <UserDetail slug={m.slug} id={m.id} />;
  if ((m = match('/t/:slug/groups', path))) return <Groups slug={m.slug} />;
  if ((m = match('/t/:slug/activity', path))) return <Activity slug={m.slug} />;
  if ((m = match('/t/:slug/events', path))) return <Events slug={m.slug} />;
  if ((m = match('/t/:slug/attributes', path))) return <Attributes slug={m.slug} />;
  if ((m = match('/t/:slug/setup-links', path))) return <SetupLinks slug={m.slug} />;
  return (
    <section>
      <h1>Not found</h1>
      <p>No page at this address. <Link to="/">Back to the start</Link></p>
    </section>
  );
}
