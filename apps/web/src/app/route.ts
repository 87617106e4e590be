// Which page a path shows. No imports: the entry (main.tsx) reads it before any
// of the app's code has loaded.

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
