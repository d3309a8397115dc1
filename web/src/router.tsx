import { createContext, useContext, useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from 'react';

/** A small history-API router: every page has its own URL under /admin. */
export const BASE = '/admin';

function current(): string {
  const p = window.location.pathname;
  return p.startsWith(BASE) ? p.slice(BASE.length) || '/' : '/';
}

const listeners = new Set<() => void>();

export function navigate(to: string, replace = false): void {
  const url = BASE + (to === '/' ? '' : to);
  if (replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  listeners.forEach((l) => l());
  window.scrollTo(0, 0);
}

export function usePath(): string {
  const [path, setPath] = useState(current);
  useEffect(() => {
    const update = () => setPath(current());
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return path;
}

/** Matches `/t/:slug/users` style patterns; returns the named parts, or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const a = pattern.split('/').filter(Boolean);
  const b = path.split('/').filter(Boolean);
  if (a.length !== b.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < a.length; i++) {
    if (a[i].startsWith(':')) params[a[i].slice(1)] = decodeURIComponent(b[i]);
    else if (a[i] !== b[i]) return null;
  }
  return params;
}

export const PathContext = createContext('/');
export const usePathContext = () => useContext(PathContext);

export function Link({ to, exact, ...rest }: { to: string; exact?: boolean } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const path = usePathContext();
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    navigate(to);
  };
  const active = path === to || (!exact && to !== '/' && path.startsWith(to + '/'));
  return <a href={BASE + (to === '/' ? '' : to)} onClick={onClick} aria-current={active ? 'page' : undefined} {...rest} />;
}
