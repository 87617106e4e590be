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
//
// A request that makes no progress (no byte sent or received while the CLI waits)
// for SEALDROP_TIMEOUT / --timeout seconds is cut with a TransientError, so the one
// retry policy tries again and, once its attempts are spent, the command fails
// with exit 2 instead of hanging on a server that accepted and then stalled.

import http from 'node:http';
import https from 'node:https';
import { TransientError } from '@sealdrop/transfer';

/** Seconds without progress before a request is given up (0: never). */
export const DEFAULT_TIMEOUT_SECONDS = 30;
let timeoutSeconds: number | undefined;

/** --timeout of send and receive; otherwise SEALDROP_TIMEOUT, else the default. */
export function setRequestTimeout(seconds: number | undefined): void {
  if (seconds !== undefined) timeoutSeconds = seconds;
}

function timeoutMs(): number {
  const env = Number(process.env.SEALDROP_TIMEOUT);
  const s = timeoutSeconds ?? (process.env.SEALDROP_TIMEOUT && Number.isFinite(env) && env >= 0 ? env : DEFAULT_TIMEOUT_SECONDS);
  return s * 1000;
}

/** A request that made no progress for the timeout. */
export class StalledError extends TransientError {
  override name = 'StalledError';
}

/**
 * The no-progress clock of one request. It runs only while the CLI waits on the
 * server (connecting, sending, waiting for an answer, or a body read in progress),
 * so a reader busy with its disk is never taken for a stalled server.
 */
class Stall {
  #timer: NodeJS.Timeout | undefined;
  #done = false;
  constructor(
    private readonly ms: number,
    private readonly fire: (e: StalledError) => void,
  ) {}
  /** Bytes moved: a running clock starts again. */
  touch(): void {
    this.#timer?.refresh();
  }
  /** A wait on the server begins (or goes on after progress): the clock starts again. */
  arm(): void {
    if (!this.ms || this.#done) return;
    if (this.#timer) this.#timer.refresh();
    else
      this.#timer = setTimeout(() => {
        this.#done = true;
        this.fire(new StalledError(`no progress for ${this.ms / 1000} s: the server stopped responding (--timeout, SEALDROP_TIMEOUT)`));
      }, this.ms);
  }
  /** Nothing is awaited from the server. */
  pause(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
  stop(): void {
    this.pause();
    this.#done = true;
  }
}

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
  readonly #stall: Stall;
  #body: ReadableStream<Uint8Array> | null = null;

  constructor(res: http.IncomingMessage, stall: Stall) {
    this.#res = res;
    this.#stall = stall;
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
    this.#body ??= bodyStream(this.#res, this.#stall);
    return this.#body;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const chunks: Buffer[] = [];
    this.#stall.arm();
    try {
      for await (const c of this.#res) {
        chunks.push(c as Buffer);
        this.#stall.touch();
      }
    } finally {
      this.#stall.pause();
    }
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

/** A body piece is handed on once this much arrived (or the body ended): each piece costs every stage of a receive once. */
const PIECE_BYTES = 256 * 1024;
/** Bytes gathered at most before the socket is paused (back-pressure). */
const GATHER_BYTES = 1024 * 1024;
/**
 * A socket read that brought less than this means the CLI reads faster than the
 * server sends (a local server writes 4 KiB at a time): reading then waits NAP_MS,
 * so one read takes what arrived meanwhile instead of one wake-up per 4 KiB
 * (what SO_RCVLOWAT would do; a wake-up and a read cost more CPU than the bytes).
 * 1 ms at 100 MB/s is 100 KB, within the socket buffers, so the server never waits.
 */
const SMALL_READ_BYTES = 16 * 1024;
const NAP_MS = 1;

/**
 * A response body as a web ReadableStream, read straight off the message (no
 * Readable.toWeb layer), in pieces of about PIECE_BYTES: a socket read brings
 * 4-16 KiB from a local server, and each piece handed on costs the receive
 * pipeline (Range guard, decryptor, writer, hash) a round of promises, so
 * gathering them cut the CLI's CPU per GiB (issue 11), and so does reading
 * less often when the reads are small (NAP_MS). Back-pressure stays:
 * past GATHER_BYTES not yet pulled the message is paused. The clock runs only
 * while a pull waits for the server, and every byte that comes in restarts it.
 */
function bodyStream(res: http.IncomingMessage, stall: Stall): ReadableStream<Uint8Array> {
  let queue: Buffer[] = [];
  let queued = 0;
  let ended = false;
  let failed: unknown = null;
  let wake: (() => void) | null = null;
  let napping = false;
  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  res.on('data', (chunk: Buffer) => {
    queue.push(chunk);
    queued += chunk.length;
    stall.touch();
    if (queued >= GATHER_BYTES) res.pause();
    if (queued >= PIECE_BYTES) poke();
    else if (chunk.length < SMALL_READ_BYTES && !napping) {
      // Reading faster than the server sends: let the next read bring more.
      napping = true;
      res.pause();
      setTimeout(() => {
        napping = false;
        res.resume();
      }, NAP_MS);
    }
  });
  res.once('end', () => {
    ended = true;
    poke();
  });
  res.once('error', (e) => {
    failed ??= e;
    poke();
  });
  res.once('close', () => {
    // Destroyed without an error and before its end: a body cut short.
    if (!ended) failed ??= new TransientError('the connection closed before the response ended');
    poke();
  });
  const take = (): Uint8Array => {
    const piece = queue.length === 1 ? queue[0] : Buffer.concat(queue, queued);
    queue = [];
    queued = 0;
    if (res.isPaused()) res.resume();
    return new Uint8Array(piece.buffer, piece.byteOffset, piece.byteLength);
  };
  res.pause(); // nothing flows before the first pull
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        res.resume();
        while (queued < PIECE_BYTES && !ended && !failed) {
          stall.arm();
          try {
            await new Promise<void>((r) => (wake = r));
          } finally {
            stall.pause();
          }
        }
        // What came in before a failure is handed on first; the failure with the next pull.
        if (queued > 0) return controller.enqueue(take());
        if (failed) throw failed;
        controller.close();
      },
      cancel: (reason) => {
        res.destroy(reason instanceof Error ? reason : undefined);
      },
    },
    { highWaterMark: 0 },
  );
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

async function pump(req: http.ClientRequest, body: SizedBody, stall: Stall): Promise<void> {
  let sent = 0;
  // Making the next slice is the CLI's own work: the clock runs only while a slice waits to leave.
  stall.pause();
  for await (const chunk of body.chunks()) {
    if (req.destroyed) return;
    sent += chunk.length;
    if (sent > body.length) throw new Error('request body longer than declared');
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    stall.arm();
    // Bytes leaving for the socket are progress; a server that stops reading stops the drains.
    if (!req.write(buf, () => stall.touch())) {
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
    stall.pause();
  }
  if (sent !== body.length) throw new Error('request body shorter than declared');
  stall.arm();
  req.end(() => stall.touch());
}

function bodyBytes(body: unknown): Buffer | null {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength); // no copy
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  throw new TypeError('cliFetch: unsupported request body');
}

const SLICE = 1024 * 1024;

async function* slices(buf: Buffer): AsyncIterable<Uint8Array> {
  for (let off = 0; off < buf.byteLength; off += SLICE) yield buf.subarray(off, off + SLICE);
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
    let response: http.IncomingMessage | null = null;
    const stall = new Stall(timeoutMs(), (e) => (response ? response.destroy(e) : req.destroy(e)));
    const req = mod.request(url, { method: init?.method ?? 'GET', headers, agent: agents[url.protocol] }, (res) => {
      response = res;
      stall.pause();
      res.once('close', () => stall.stop());
      resolve(new NodeResponse(res, stall));
    });
    stall.arm();
    req.on('socket', (socket) => {
      if (!guarded.has(socket)) {
        guarded.add(socket);
        socket.on('error', () => {});
      }
      socket.once('connect', () => stall.touch());
    });
    req.once('close', () => response === null && stall.stop());
    req.on('error', (e) => reject(e instanceof StalledError ? e : Object.assign(new TypeError(`fetch failed: ${e.message}`), { cause: e })));
    const signal = init?.signal;
    if (signal) {
      if (signal.aborted) return req.destroy(signal.reason as Error);
      // One transfer's signal outlives many requests: each removes its listener when done.
      const onAbort = () => req.destroy(signal.reason as Error);
      signal.addEventListener('abort', onAbort, { once: true });
      req.once('close', () => signal.removeEventListener('abort', onAbort));
    }
    // A large buffer goes out in slices too, so its progress shows (no copy: subarrays).
    const streamed = sized ?? (body && body.byteLength > SLICE ? new SizedBody(body.byteLength, () => slices(body)) : null);
    if (streamed) {
      pump(req, streamed, stall).catch((e) => {
        req.destroy(e as Error);
        reject(e);
      });
    } else req.end(body ?? undefined, () => stall.touch());
  });
}) as unknown as typeof fetch;
