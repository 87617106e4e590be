// Tells a Sealdrop server from any other web server. Every answer of Sealdrop's
// API is JSON, except a file's ciphertext and the log exports; a page of
// HTML (a --server URL with a path, the wrong host, a proxy's error page) is not
// parsed as JSON and then reported as a crash or a "try again later": the CLI says
// what the server answered and that it is not a Sealdrop server.

/** The error code the CLI gives such an answer (never sent by a Sealdrop server). */
export const NOT_SEALDROP = 'not_sealdrop';

interface FetchResponse {
  ok: boolean;
  status: number;
  statusText: string;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
  json(): Promise<unknown>;
}
type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<FetchResponse>;

function isSealdropAnswer(res: FetchResponse): boolean {
  const type = (res.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json') return true;
  // A file's ciphertext, and the admin log's exports.
  return res.ok && (type === 'application/octet-stream' || type === 'text/csv' || type === 'application/x-ndjson');
}

function snippet(body: string): string {
  const s = body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

/** A JSON error answer of our own, which the shared client turns into an ApiError. */
function refusal(message: string): FetchResponse {
  const body = JSON.stringify({ error: { code: NOT_SEALDROP, message } });
  return {
    ok: false,
    status: 502,
    statusText: 'Not a Sealdrop server',
    headers: { get: (n) => (n.toLowerCase() === 'content-type' ? 'application/json' : null) },
    text: async () => body,
    json: async () => JSON.parse(body),
  };
}

/** Wraps the transport so that a non-Sealdrop answer becomes a clear error. */
export function sealdropOnly<F extends Fetch>(server: string, inner: F): F {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const res = await inner(input, init);
    if (isSealdropAnswer(res) || (init?.method ?? 'GET') === 'HEAD') return res;
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const type = (res.headers.get('content-type') ?? '').split(';')[0].trim() || 'no content type';
    const text = snippet(await res.text().catch(() => ''));
    const base = new URL(server);
    const hint =
      base.pathname !== '/' && base.pathname !== ''
        ? ` Give --server without a path: ${base.origin}`
        : ' Check --server (or SEALDROP_SERVER): it is the address of the Sealdrop site, e.g. https://drop.example.com';
    return refusal(
      `${server} is not a Sealdrop server: ${init?.method ?? 'GET'} ${url.pathname} answered ${res.status} ${res.statusText || ''} (${type}${text ? `: "${text}"` : ''}).${hint}.`.replace('  (', ' ('),
    );
  }) as F;
}
