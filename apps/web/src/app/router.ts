// A tiny history router: four pages do not need a routing library.
import { useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();
function subscribe(fn: () => void) {
  listeners.add(fn);
  window.addEventListener('popstate', fn);
  return () => {
    listeners.delete(fn);
    window.removeEventListener('popstate', fn);
  };
}

export function navigate(to: string, opts: { replace?: boolean } = {}) {
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  for (const fn of listeners) fn();
  window.scrollTo(0, 0);
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => location.pathname);
}

export type Route =
  | { page: 'send' }
  | { page: 'receive'; id: string }
  | { page: 'links' }
  | { page: 'keys' }
  | { page: 'requests' }
  | { page: 'request-send'; id: string }
  | { page: 'admin' }
  | { page: 'not-found' };

export function matchRoute(path: string): Route {
  if (path === '/' || path === '') return { page: 'send' };
  const s = /^\/s\/([^/]+)\/?$/.exec(path);
  if (s) return { page: 'receive', id: decodeURIComponent(s[1]) };
  if (path === '/links' || path === '/links/') return { page: 'links' };
  if (path === '/keys' || path === '/keys/') return { page: 'keys' };
  if (path === '/requests' || path === '/requests/') return { page: 'requests' };
  const r = /^\/r\/([^/]+)\/?$/.exec(path);
  if (r) return { page: 'request-send', id: decodeURIComponent(r[1]) };
  if (path === '/admin' || path.startsWith('/admin/')) return { page: 'admin' };
  return { page: 'not-found' };
}
