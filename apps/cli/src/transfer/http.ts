// The CLI's HTTP transport: a small fetch() on node:http(s) for SealdropClient.
//
// Why not the global fetch (undici): it copies a Uint8Array request body before
// sending it, several times over for parts sent in parallel, so memory grew with
// part size × parallelism; and loading it costs ~10-17 MB of RSS on its own. Here
// a part goes to the socket straight from its buffer with a known Content-Length
// (R2 needs one), and response bodies stream as web ReadableStreams with
// backpressure. No keep-alive: a pooled socket keeps a reference to its last
// request, hence to that request's whole part buffer; a connection per request
// costs little next to a 16 MiB part.

import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';

const agents = {
  'http:': new http.Agent({ keepAlive: false }),
  'https:': new https.Agent({ keepAlive: false }),
};

/** The parts of the Fetch API's Response that SealdropClient and the CLI use. */
class NodeResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly headers: { get(name: string): string | null };
  readonly #res: http.IncomingMessage;
  #body: ReadableStream<Uint8Array> | null = null;

  constructor(res: http.IncomingMessage) {
    this.#res = res;
    this.status = res.statusCode ?? 502;
    this.statusText = res.statusMessage ?? '';
    this.ok = this.status >= 200 && this.status < 300;
    const h = res.headers;
    this.headers = {
      get(name) {
        const v = h[name.toLowerCase()];
        return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
      },
    };
  }

  get body(): ReadableStream<Uint8Array> {
    this.#body ??= Readable.toWeb(this.#res) as unknown as ReadableStream<Uint8Array>;
    return this.#body;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const chunks: Buffer[] = [];
    for await (const c of this.#res) chunks.push(c as Buffer);
    const all = Buffer.concat(chunks);
    return all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(await this.arrayBuffer());
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
}

function headersOf(init: RequestInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const h = init?.headers;
  if (!h) return out;
  if (Array.isArray(h)) for (const [k, v] of h) out[k.toLowerCase()] = v;
  else if (typeof (h as Headers).forEach === 'function') (h as Headers).forEach((v, k) => (out[k.toLowerCase()] = v));
  else for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = String(v);
  return out;
}

/**
 * A request body of known length produced on the fly (a part made slice by
 * slice). If the producer throws, the request is destroyed before it completes,
 * so the server never accepts a partial body.
 */
export class SizedBody {
  constructor(
    readonly length: number,
    readonly chunks: () => AsyncIterable<Uint8Array>,
  ) {}
}

async function pump(req: http.ClientRequest, body: SizedBody): Promise<void> {
  let sent = 0;
  for await (const chunk of body.chunks()) {
    if (req.destroyed) return;
    sent += chunk.length;
    if (sent > body.length) throw new Error('request body longer than declared');
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (!req.write(buf)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          req.off('drain', done);
          req.off('close', done);
          resolve();
        };
        req.once('drain', done);
        req.once('close', done);
      });
    }
  }
  if (sent !== body.length) throw new Error('request body shorter than declared');
  req.end();
}

function bodyBytes(body: unknown): Buffer | null {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength); // no copy
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  throw new TypeError('cliFetch: unsupported request body');
}

/** Sockets whose errors are already handled (a server that answers early may reset the connection afterwards). */
const guarded = new WeakSet<object>();

export const cliFetch = ((input: string | URL | Request, init?: RequestInit): Promise<NodeResponse> => {
  return new Promise((resolve, reject) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return reject(new TypeError(`unsupported protocol ${url.protocol}`));
    const sized = init?.body instanceof SizedBody ? init.body : null;
    const body = sized ? null : bodyBytes(init?.body);
    const headers = headersOf(init);
    if (body) headers['content-length'] = String(body.byteLength);
    if (sized) headers['content-length'] = String(sized.length);
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(url, { method: init?.method ?? 'GET', headers, agent: agents[url.protocol] }, (res) => resolve(new NodeResponse(res)));
    req.on('socket', (socket) => {
      if (!guarded.has(socket)) {
        guarded.add(socket);
        socket.on('error', () => {});
      }
    });
    req.on('error', (e) => reject(Object.assign(new TypeError(`fetch failed: ${e.message}`), { cause: e })));
    const signal = init?.signal;
    if (signal) {
      if (signal.aborted) return req.destroy(signal.reason as Error);
      // One transfer's signal outlives many requests: each removes its listener when done.
      const onAbort = () => req.destroy(signal.reason as Error);
      signal.addEventListener('abort', onAbort, { once: true });
      req.once('close', () => signal.removeEventListener('abort', onAbort));
    }
    if (sized) {
      pump(req, sized).catch((e) => {
        req.destroy(e as Error);
        reject(e);
      });
    } else req.end(body ?? undefined);
  });
}) as unknown as typeof fetch;
