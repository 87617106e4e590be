// GETs the entry (main.tsx) starts before the page's code has loaded, each handed
// to the first API call that asks for the same URL, once: the app's client
// (api.ts) fetches through here, so the answer goes through its usual checks.
// Only for GETs that spend nothing (a share's GET /api/shares/:id).

/** An answer older than this is not handed out (a share's challenge lives 5 minutes). */
const FRESH_MS = 30_000;
const early = new Map<string, { answer: Promise<Response>; at: number }>();

/** Starts a GET of `path` (same origin) now. */
export function prefetch(path: string): void {
  const url = location.origin + path;
  if (!early.has(url)) early.set(url, { answer: fetch(url, { method: 'GET' }), at: performance.now() });
}

/** fetch, except that the first GET of a prefetched URL gets the answer already on its way. */
export function fetchPrefetched(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const started = (init?.method ?? 'GET') === 'GET' && !init?.signal ? early.get(url) : undefined;
  if (started) early.delete(url);
  if (!started || performance.now() - started.at > FRESH_MS) return fetch(input, init);
  return started.answer;
}
