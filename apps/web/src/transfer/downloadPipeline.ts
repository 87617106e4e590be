// The download pipeline, shared by the /dl/ service worker and the fallback Web
// Worker (never run on the page's main thread). The protocol is the engine's
// (@sealdrop/transfer downloadFile: GET by Range inside the grant, resumed from
// the last whole chunk, Cobblestone decryption, size and SHA-256 against the
// manifest); this file turns its output into a stream of plaintext for the
// browser and its failures into what the page shows.
//
// Any failure errors the stream — it never just closes — so the browser marks
// the download failed instead of leaving a complete-looking file; the last
// piece of a file is handed on only once its SHA-256 matched.

import { CobblestoneError } from '@sealdrop/crypto';
import { ApiError, SealdropClient } from '@sealdrop/shared';
import { classify, DigestMismatchError, downloadFile, isAbort, TransferError, type PlaintextSink } from '@sealdrop/transfer';
import { makeZip, predictLength } from 'client-zip';
import type { DownloadEvent, DownloadFailure, DownloadFile, DownloadJob } from './downloadTypes.ts';

export class DownloadError extends Error {
  override name = 'DownloadError';
  constructor(
    readonly failure: DownloadFailure,
  ) {
    super(failure.message);
  }
}

export interface DownloadHooks {
  /** Plaintext bytes of file `file` released so far (throttled by the caller if it likes). */
  progress?(file: number, bytes: number): void;
  /** A dropped connection is being resumed. */
  retry?(file: number, attempt: number): void;
  /** File `file` decrypted completely and its SHA-256 matched the manifest. */
  fileDone?(file: number, sha256: string): void;
}

/**
 * Each progress event re-renders the page (its main thread, compositor and GPU
 * process: about 1 CPU-s per GiB at 10 per second, issue 11); four a second
 * still move the bar smoothly.
 */
const PROGRESS_MS = 250;

/**
 * Hooks that report a job to the page as DownloadEvents (from the /dl/ service
 * worker or the fallback worker): progress at most every PROGRESS_MS, and a
 * file's full size once it is verified.
 */
export function eventReporter(job: DownloadJob, post: (ev: DownloadEvent) => void): DownloadHooks {
  let lastPost = 0;
  return {
    progress(file, bytes) {
      const now = Date.now();
      if (now - lastPost >= PROGRESS_MS) {
        lastPost = now;
        post({ type: 'progress', file, bytes });
      }
    },
    retry: (file, attempt) => post({ type: 'retry', file, attempt }),
    fileDone(file, sha256) {
      post({ type: 'progress', file, bytes: job.files.find((f) => f.index === file)?.size ?? 0 });
      post({ type: 'file-done', file, sha256 });
    },
  };
}

/** Plaintext is handed on in pieces of about this size (fewer, larger writes to disk). */
const OUT_BYTES = 256 * 1024;
/** A piece at least this large is handed on as it is (a copy costs more than the hop it saves). */
const PASS_BYTES = 64 * 1024;

/** Turns anything thrown on the way into the failure the page shows. */
export function toFailure(e: unknown, file?: number): DownloadFailure {
  if (e instanceof DownloadError) return { ...e.failure, file: e.failure.file ?? file };
  if (e instanceof DigestMismatchError) {
    return { kind: 'integrity', file, message: `The SHA-256 of the decrypted file (${e.actual}) differs from the one the sender recorded (${e.expected}).` };
  }
  if (e instanceof TransferError) {
    if (e.reason === 'size') return { kind: 'integrity', file, message: 'The file is shorter than the sender said.' };
    return { kind: e.kind === 'integrity' ? 'integrity' : 'other', file, message: e.message };
  }
  if (e instanceof CobblestoneError) {
    return {
      kind: 'integrity',
      file,
      message: `The file failed its integrity check (${e.kind === 'auth' ? 'a block of it was modified or damaged' : e.message}). Nothing of it was kept.`,
    };
  }
  if (e instanceof ApiError) {
    switch (e.code) {
      case 'expired':
      case 'revoked':
      case 'exhausted':
      case 'not_found':
      case 'rate_limited':
        return { kind: e.code, file, message: e.message };
      case 'unauthorized':
      case 'forbidden':
        return { kind: 'grant', file, message: 'The server no longer accepts this download permission. Start the download again.' };
      case 'network':
        return { kind: 'network', file, message: e.message };
      default:
        return { kind: 'other', file, message: `The server answered ${e.status}: ${e.message}` };
    }
  }
  const name = (e as Error)?.name;
  if (name === 'AbortError') return { kind: 'canceled', file, message: 'The download was canceled.' };
  return { kind: 'other', file, message: String((e as Error)?.message ?? e) };
}

/** A failure of the engine's download of file `file` as the page shows it. */
function fileFailure(e: unknown, file: number): DownloadFailure {
  // The retries of the one policy are used up on a connection that keeps dropping.
  if (!isAbort(e) && classify(e) === 'transient' && !(e instanceof ApiError && e.code !== 'network')) {
    return { kind: 'network', file, message: 'The connection to the server keeps dropping. Try again later.' };
  }
  return toFailure(e, file);
}

/** How a job's stream ended, for whoever serves it (the service worker tells the page). */
export interface StreamEnds {
  /** Everything went out and verified. */
  closed(): void;
  /** The stream errored with `e` (a DownloadError). */
  failed(e: unknown): void;
  /** The reader (the browser's download) canceled the stream. */
  canceled(reason: unknown): void;
}

/**
 * The engine's sink as a pull source: each authenticated piece waits until the
 * reader asks for more. Small pieces are gathered into OUT_BYTES; large ones
 * (the engine hands on a body read's chunks at once) go on as they are, with no
 * copy. The newest piece is always held back until a later write or `release`
 * (the file verified), so the end of a file never leaves unverified.
 */
function pullSink(put: (piece: Uint8Array) => Promise<void>): PlaintextSink & { release(): Promise<void> } {
  let buf = new Uint8Array(OUT_BYTES);
  let len = 0;
  let held: Uint8Array | null = null;
  const pass = async (piece: Uint8Array) => {
    const out = held;
    held = piece;
    if (out) await put(out);
  };
  const gathered = async () => {
    if (len === 0) return;
    const full = buf.subarray(0, len);
    buf = new Uint8Array(OUT_BYTES);
    len = 0;
    await pass(full);
  };
  return {
    async write(chunk) {
      if (chunk.length >= PASS_BYTES) {
        await gathered();
        await pass(chunk);
        return;
      }
      for (let off = 0; off < chunk.length; ) {
        const take = Math.min(OUT_BYTES - len, chunk.length - off);
        buf.set(chunk.subarray(off, off + take), len);
        len += take;
        off += take;
        if (len === OUT_BYTES) await gathered();
      }
    },
    async release() {
      await gathered();
      const out = held;
      held = null;
      if (out) await put(out);
    },
  };
}

/**
 * The decrypted, verified plaintext of one file, as one stream whose reader
 * drives the engine: the engine reads the body, decrypts and hashes, and each
 * piece is enqueued only when the reader asks (no stream hop in between).
 * Fetching starts now and goes one piece ahead of the reader (a ZIP creates
 * each file's stream only when the archive reaches it).
 */
export function decryptedFile(client: SealdropClient, job: DownloadJob, f: DownloadFile, hooks: DownloadHooks, signal?: AbortSignal, ends?: StreamEnds): ReadableStream<Uint8Array> {
  const stop = new AbortController();
  const abort = AbortSignal.any([stop.signal, ...(signal ? [signal] : [])]);
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let finished = false;
  // A read waiting for a piece (pull was called), or the engine waiting for a read.
  let asked = false;
  let waiting: { resolve(): void; reject(e: unknown): void } | null = null;
  const canceled = () => new DOMException('canceled', 'AbortError');
  const put = async (piece: Uint8Array) => {
    if (stop.signal.aborted) throw canceled();
    if (!asked) await new Promise<void>((resolve, reject) => (waiting = { resolve, reject }));
    asked = false;
    controller.enqueue(piece);
  };
  const run = async () => {
    const sink = pullSink(put);
    let bytes = 0;
    const source = { client, id: job.id, keys: { fileKey: async () => f.key } };
    try {
      await downloadFile(source, job.grant, f.index, {
        size: f.size,
        sha256: f.sha256,
        sink,
        signal: abort,
        // Per-piece stream and hash calls are most of the worker's CPU: take the chunks a body read brought at once.
        joinChunks: true,
        onEvent: (ev) => {
          if (ev.type === 'received') hooks.progress?.(f.index, (bytes += ev.bytes));
          else if (ev.type === 'retry') hooks.retry?.(f.index, ev.attempt);
        },
      });
      await sink.release();
      hooks.fileDone?.(f.index, f.sha256);
      if (finished) return;
      finished = true;
      controller.close();
      ends?.closed();
    } catch (e) {
      if (finished) return;
      finished = true;
      const err = new DownloadError(fileFailure(e, f.index));
      controller.error(err);
      ends?.failed(err);
    }
  };
  return new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        void run();
      },
      pull() {
        asked = true;
        waiting?.resolve();
        waiting = null;
      },
      cancel(reason) {
        if (finished) return;
        finished = true;
        stop.abort(reason);
        waiting?.reject(canceled());
        ends?.canceled(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * Reports how `stream` ended (the browser does not tell us) by reading it into
 * a stream of its own: for the ZIP, whose end is client-zip's.
 */
function watched(stream: ReadableStream<Uint8Array>, ends: StreamEnds): ReadableStream<Uint8Array> {
  const reader = stream.getReader();
  let finished = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            finished = true;
            controller.close();
            ends.closed();
          } else controller.enqueue(value);
        } catch (err) {
          finished = true;
          controller.error(err);
          ends.failed(err);
        }
      },
      cancel(reason) {
        if (finished) return;
        finished = true;
        ends.canceled(reason);
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/** The ZIP's entries, for client-zip's length prediction and for the archive itself. */
function zipMeta(f: DownloadFile) {
  return { name: f.name, size: f.size, lastModified: f.lastModified !== undefined ? new Date(f.lastModified) : undefined };
}

function extraEntries(job: DownloadJob) {
  return (job.extras ?? []).map((e) => ({ name: e.name, lastModified: new Date(e.lastModified), input: new TextEncoder().encode(e.text) }));
}

export function zipLength(job: DownloadJob): number {
  return Number(predictLength([...job.files.map(zipMeta), ...extraEntries(job).map((e) => ({ name: e.name, size: e.input.length, lastModified: e.lastModified }))]));
}

/**
 * All files of the job as one stored (uncompressed) ZIP, streamed: each file is
 * fetched and decrypted only when the archive reaches it. Any failure errors the
 * whole archive, so no complete-looking ZIP ever holds a bad or missing file.
 */
export function decryptedZip(client: SealdropClient, job: DownloadJob, hooks: DownloadHooks, signal?: AbortSignal): ReadableStream<Uint8Array> {
  async function* entries() {
    for (const f of job.files) yield { ...zipMeta(f), input: decryptedFile(client, job, f, hooks, signal) };
    yield* extraEntries(job);
  }
  return makeZip(entries(), { buffersAreUTF8: true });
}

/** The stream for a job: one file as it is, several as a ZIP; `ends` is told how it ended. */
export function jobStream(client: SealdropClient, job: DownloadJob, hooks: DownloadHooks, signal?: AbortSignal, ends?: StreamEnds): { stream: ReadableStream<Uint8Array>; length: number } {
  if (job.zipName) {
    const zip = decryptedZip(client, job, hooks, signal);
    return { stream: ends ? watched(zip, ends) : zip, length: zipLength(job) };
  }
  const f = job.files[0];
  return { stream: decryptedFile(client, job, f, hooks, signal, ends), length: f.size };
}

/** The file name a browser download gets: the last path segment for one file, the archive name for a ZIP. */
export function saveName(job: DownloadJob): string {
  if (job.zipName) return job.zipName;
  const name = job.files[0].name;
  return name.slice(name.lastIndexOf('/') + 1);
}

/** `attachment; filename="ascii fallback"; filename*=UTF-8''percent-encoded` (RFC 6266 / 8187). */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** The client every worker uses: same origin as the page that started it. */
export function originClient(origin: string): SealdropClient {
  return new SealdropClient(origin);
}
