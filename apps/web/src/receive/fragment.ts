// The link secret S arrives in the URL fragment (/s/<id>#<S>), which browsers
// never send to a server. It is read once, kept in this tab's memory only, and
// removed from the address bar at once (history.replaceState) so it does not
// linger in the history, in screenshots or in a shoulder-surfer's view.
//
// Choice: S is NOT stored (no sessionStorage): a reload of the page shows "the
// key is missing", and the recipient opens the original link again. That keeps
// the security review's rule "no S in storage by default" (finding 12).

const secrets = new Map<string, string>();

/** The raw fragment for share `id` ('' when there is none); strips it from the URL on first read. */
export function takeFragment(id: string): string {
  if (location.hash.length > 1) {
    secrets.set(id, location.hash.slice(1));
  }
  if (location.hash) history.replaceState(history.state, '', location.pathname + location.search);
  return secrets.get(id) ?? '';
}

/**
 * Calls `onNew` whenever a fragment arrives on the open page (a link pasted into
 * the address bar of this tab, or a changed key): a same-document navigation
 * fires hashchange, not a load. Returns the unsubscribe function.
 */
export function onFragment(onNew: () => void): () => void {
  const listener = () => {
    if (location.hash.length > 1) onNew();
  };
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
}
