// The download service worker, served at /dl/sw.js so its scope is /dl/ and it
// sees nothing else of the app (no page, no fragment). The page hands it a job
// over a MessagePort, then navigates to /dl/<token> while it takes the grant;
// once the grant follows over the port, this worker answers that navigation with
// the decrypted stream as an attachment, so the browser saves it as a normal
// download, straight to disk, with flat memory (without a grant it answers 204:
// the page stays and nothing is downloaded). Progress, the SHA-256 of each file
// and any failure go back over the port. On a failure the response stream is
// errored, so the browser marks the download failed.
//
// Built as one classic script (vite.config.ts, second build): no imports at run time.

import { contentDisposition, eventReporter, jobStream, originClient, saveName, toFailure } from '../transfer/downloadPipeline.ts';
import type { DownloadEvent, DownloadJob, SwGrantMessage, SwJobMessage } from '../transfer/downloadTypes.ts';

// Minimal service-worker types (the app's tsconfig has the DOM lib, not WebWorker).
interface ExtendableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  request: Request;
  respondWith(r: Response | Promise<Response>): void;
}
interface ExtendableMessageEvent extends ExtendableEvent {
  data: unknown;
  ports: readonly MessagePort[];
}
interface SwScope {
  location: Location;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  addEventListener(type: 'install' | 'activate', fn: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', fn: (e: FetchEvent) => void): void;
  addEventListener(type: 'message', fn: (e: ExtendableMessageEvent) => void): void;
}
const sw = self as unknown as SwScope;

/** A job handed over and not yet fetched; `grant` settles with the grant, or null once there will be none. */
interface Pending {
  job: DownloadJob;
  port: MessagePort;
  grant: Promise<string | null>;
  abort: AbortController;
}
/** A job is used once, and forgotten within a minute if no grant comes. */
const pending = new Map<string, Pending>();
const TOKEN_RE = /^[A-Za-z0-9_-]{16,64}$/;
const GRANT_WAIT_MS = 60_000;

sw.addEventListener('install', () => {
  void sw.skipWaiting();
});
sw.addEventListener('activate', (e) => e.waitUntil(sw.clients.claim()));

const forget = (job: DownloadJob) => {
  for (const f of job.files) f.key.fill(0);
};

sw.addEventListener('message', (e) => {
  const msg = e.data as Partial<SwJobMessage> | null;
  // 'ping' messages only keep this worker alive during a long download.
  if (!msg || msg.type !== 'job') return;
  const port = e.ports[0];
  if (!port) return;
  if (msg.v !== 2 || typeof msg.token !== 'string' || !TOKEN_RE.test(msg.token) || !msg.job || !Array.isArray(msg.job.files) || msg.job.files.length === 0) {
    port.postMessage({ type: 'error', error: { kind: 'other', message: 'The download helper did not understand the request (an old version?). Reload the page.' } } satisfies DownloadEvent);
    return;
  }
  const { token, job } = msg as SwJobMessage;
  const abort = new AbortController();
  const grant = new Promise<string | null>((resolve) => {
    let settled = false;
    const settle = (g: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (g === null) {
        pending.delete(token);
        forget(job);
      }
      resolve(g);
    };
    const timer = setTimeout(() => settle(null), GRANT_WAIT_MS);
    port.onmessage = (ev) => {
      const m = ev.data as Partial<SwGrantMessage> | null;
      if (m?.type === 'grant' && typeof m.grant === 'string' && m.grant) settle(m.grant);
      else if (m?.type === 'no-grant') settle(null);
      else if (m?.type === 'cancel') {
        settle(null);
        abort.abort(new DOMException('canceled', 'AbortError'));
      }
    };
  });
  pending.set(token, { job, port, grant, abort });
  port.postMessage({ type: 'accepted' } satisfies DownloadEvent);
});

sw.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (url.origin !== sw.location.origin || !url.pathname.startsWith('/dl/') || url.pathname === '/dl/sw.js') return;
  const token = url.pathname.slice('/dl/'.length);
  const entry = pending.get(token);
  if (!entry) {
    // Unknown or used token: 204 keeps the page where it is instead of navigating away.
    e.respondWith(new Response(null, { status: 204 }));
    return;
  }
  pending.delete(token);
  // The navigation waits here for the grant the page is taking meanwhile.
  e.respondWith(entry.grant.then((grant) => (grant === null ? new Response(null, { status: 204 }) : respond({ ...entry.job, grant }, entry.port, entry.abort))));
});

function respond(job: DownloadJob, port: MessagePort, abort: AbortController): Response {
  const post = (ev: DownloadEvent) => port.postMessage(ev);
  // The response body is the pipeline's own stream (no hop of ours in between); it tells us how it ended.
  const { stream: body, length } = jobStream(originClient(sw.location.origin), job, eventReporter(job, post), abort.signal, {
    closed() {
      post({ type: 'done' });
      forget(job);
    },
    failed(err) {
      post({ type: 'error', error: toFailure(err) });
      forget(job);
    },
    canceled(reason) {
      abort.abort(reason);
      post({ type: 'error', error: { kind: 'canceled', message: 'The download was canceled in the browser.' } });
    },
  });
  post({ type: 'started' });
  return new Response(body, {
    headers: {
      'content-type': 'application/octet-stream',
      'content-length': String(length),
      'content-disposition': contentDisposition(saveName(job)),
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
    },
  });
}
