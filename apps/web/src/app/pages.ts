// The app's pages, each its own chunk: a share link's page loads none of the
// sender's or the admin's code. The entry (main.tsx) starts loading the page of
// the address at once, alongside the app, and the app renders once it is there
// (App.tsx); no React here, so the entry stays small.
import type { Route } from './route.ts';

const loaders = {
  send: () => import('../send/SendPage.tsx').then((m) => m.SendPage),
  receive: () => import('../receive/ReceivePage.tsx').then((m) => m.ReceivePage),
  links: () => import('../links/LinksPage.tsx').then((m) => m.LinksPage),
  admin: () => import('../admin/AdminPage.tsx').then((m) => m.AdminPage),
  keys: () => import('../keys/KeysPage.tsx').then((m) => m.KeysPage),
  requests: () => import('../keys/RequestsPage.tsx').then((m) => m.RequestsPage),
  'request-send': () => import('../keys/RequestSendPage.tsx').then((m) => m.RequestSendPage),
} satisfies Record<Exclude<Route['page'], 'not-found'>, () => Promise<unknown>>;

export type PageName = keyof typeof loaders;
type Component<K extends PageName> = Awaited<ReturnType<(typeof loaders)[K]>>;

/** The pages loaded so far. */
export const loadedPages: { [K in PageName]?: Component<K> } = {};
const loading = new Map<PageName, Promise<unknown>>();

/** Loads a page's chunk (once); its component is then in loadedPages. */
export function loadPage<K extends PageName>(name: K): Promise<Component<K>> {
  let p = loading.get(name) as Promise<Component<K>> | undefined;
  if (!p) {
    p = (loaders[name]() as Promise<Component<K>>).then((c) => ((loadedPages as Record<PageName, unknown>)[name] = c));
    loading.set(name, p);
    p.catch(() => loading.delete(name)); // a failed load is tried again on the next visit
  }
  return p;
}
