// The download pipeline, shared by the /dl/ service worker and the fallback Web
// Worker (never run on the page's main thread):
//
//   GET /api/shares/:id/files/:i (Range, resumed) ─► Cobblestone decrypt ─► SHA-256 check ─► bytes out
//
// The recipient trusts the manifest, not the server: the ciphertext must be
// exactly ciphertextSize(manifest size) bytes, and chunk k is decrypted as chunk
// k of the byte stream we asked for (Content-Range is only cross-checked). Any
// failure errors the stream — it never just closes — so the browser marks the
// download failed instead of leaving a complete-looking file.

import { CobblestoneError, ciphertextSize, createDecryptStream, createSha256, shareContext } from '@sealdrop/crypto';
import { ApiError, SealdropClient } from '@sealdrop/shared';
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
 * Hooks that report a job to the page as DownloadEvents (from the /dl/ service
 * worker or the fallback worker): progress at most every 100 ms, and a file's
 * full size once it is verified.
 */
export function eventReporter(job: DownloadJob, post: (ev: DownloadEvent) => void): DownloadHooks {
  let lastPost = 0;
  return {
    progress(file, bytes) {
      const now = Date.now();
      if (now - lastPost >= 100) {
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

/** Attempts after a dropped connection without progress in between. */
const MAX_RETRIES = 6;
/** Plaintext is handed on in pieces of about this size (fewer, larger writes to disk). */
const OUT_BYTES = 256 * 1024;

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason);
    });
  });

/** Turns anything thrown on the way into the failure the page shows. */
export function toFailure(e: unknown, file?: number): DownloadFailure {
  if (e instanceof DownloadError) return { ...e.failure, file: e.failure.file ?? file };
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

/** Parses `bytes a-b/n` and returns a, or null. */
function contentRangeStart(header: string | null): number | null {
  const m = header && /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header.trim());
  return m ? Number(m[1]) : null;
}

/**
 * Ciphertext of one file as a stream of exactly the bytes [0, total): reads the
 * whole object, and if the connection drops, asks again with `Range: bytes=pos-`
 * from the first byte not yet handed on, within the same grant.
 */
export function ciphertextStream(
  client: SealdropClient,
  id: string,
  file: number,
  grant: string,
  total: number,
  opts: { signal?: AbortSignal; onRetry?: (attempt: number) => void } = {},
): ReadableStream<Uint8Array> {
  let pos = 0;
  let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  let skip = 0;
  let failures = 0;
  const open = async () => {
    const res = await client.file(id, file, grant, pos > 0 ? { start: pos } : undefined, opts.signal);
    skip = 0;
    if (pos > 0) {
      if (res.status === 206) {
        if (contentRangeStart(res.headers.get('content-range')) !== pos) {
          await res.body?.cancel();
          throw new DownloadError({ kind: 'integrity', file, message: 'The server resumed the download at the wrong place.' });
        }
      } else skip = pos; // a plain 200: the whole object again; drop what we already have
    }
    if (!res.body) throw new DownloadError({ kind: 'other', file, message: 'The server sent no data.' });
    reader = res.body.getReader();
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          try {
            if (!reader) await open();
            const { done, value } = await reader!.read();
            if (done) {
              reader = null;
              if (pos >= total) {
                controller.close();
                return;
              }
              throw new TypeError('the connection closed early'); // resumed below
            }
            let bytes = value;
            if (skip > 0) {
              const drop = Math.min(skip, bytes.length);
              skip -= drop;
              bytes = bytes.subarray(drop);
              if (bytes.length === 0) continue;
            }
            pos += bytes.length;
            failures = 0;
            controller.enqueue(bytes);
            return;
          } catch (e) {
            reader?.cancel().catch(() => {});
            reader = null;
            if (e instanceof DownloadError) throw e;
            // Dropped connections, server hiccups (5xx) and rate limits are retried;
            // answers about the share itself (410, 401, 404, ...) are final.
            const transient = !(e instanceof ApiError) || e.code === 'network' || e.code === 'rate_limited' || e.status >= 500;
            if (!transient) throw e;
            if ((e as Error)?.name === 'AbortError' || opts.signal?.aborted) throw e;
            if (++failures > MAX_RETRIES) {
              if (e instanceof ApiError && e.code !== 'network') throw e;
              throw new DownloadError({ kind: 'network', file, message: 'The connection to the server keeps dropping. Try again later.' });
            }
            opts.onRetry?.(failures);
            const wait = e instanceof ApiError && e.retryAfter ? e.retryAfter * 1000 : 250 * 2 ** failures;
            await sleep(Math.min(wait, 30_000), opts.signal);
          }
        }
      },
      cancel(reason) {
        return reader?.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * Counts, hashes and re-chunks plaintext; at the end checks size and SHA-256
 * against the manifest and errors the stream on a mismatch (before close, so a
 * consumer never sees a clean end of a wrong file).
 */
function verifyStream(f: DownloadFile, hooks: DownloadHooks): TransformStream<Uint8Array, Uint8Array> {
  let hasher: Awaited<ReturnType<typeof createSha256>>;
  let bytes = 0;
  let buf = new Uint8Array(OUT_BYTES);
  let bufLen = 0;
  return new TransformStream<Uint8Array, Uint8Array>({
    async start() {
      hasher = await createSha256();
    },
    transform(chunk, controller) {
      hasher.update(chunk);
      bytes += chunk.length;
      if (bytes > f.size) throw new DownloadError({ kind: 'integrity', file: f.index, message: 'The file is longer than the sender said.' });
      let off = 0;
      while (off < chunk.length) {
        const take = Math.min(OUT_BYTES - bufLen, chunk.length - off);
        buf.set(chunk.subarray(off, off + take), bufLen);
        bufLen += take;
        off += take;
        if (bufLen === OUT_BYTES) {
          controller.enqueue(buf);
          buf = new Uint8Array(OUT_BYTES);
          bufLen = 0;
        }
      }
      hooks.progress?.(f.index, bytes);
    },
    flush(controller) {
      if (bytes !== f.size) throw new DownloadError({ kind: 'integrity', file: f.index, message: 'The file is shorter than the sender said.' });
      const digest = hasher.digestHex();
      if (digest !== f.sha256) {
        throw new DownloadError({
          kind: 'integrity',
          file: f.index,
          message: `The SHA-256 of the decrypted file (${digest}) differs from the one the sender recorded (${f.sha256}).`,
        });
      }
      if (bufLen > 0) controller.enqueue(buf.subarray(0, bufLen));
      hooks.fileDone?.(f.index, digest);
    },
  });
}

/** The decrypted, verified plaintext of one file. */
export function decryptedFile(client: SealdropClient, job: DownloadJob, f: DownloadFile, hooks: DownloadHooks, signal?: AbortSignal): ReadableStream<Uint8Array> {
  const total = ciphertextSize(f.size);
  const source = ciphertextStream(client, job.id, f.index, job.grant, total, { signal, onRetry: (n) => hooks.retry?.(f.index, n) });
  const decrypt = createDecryptStream(f.key, { context: shareContext(job.id), size: f.size, aead: 'AEAD_AES_256_GCM' });
  const out = source.pipeThrough(decrypt, { signal }).pipeThrough(verifyStream(f, hooks), { signal });
  // Name the failing file on any error, whichever stage raised it.
  const reader = out.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let r: ReadableStreamReadResult<Uint8Array>;
        try {
          r = await reader.read();
        } catch (e) {
          throw new DownloadError(toFailure(e, f.index));
        }
        if (r.done) controller.close();
        else controller.enqueue(r.value);
      },
      cancel: (reason) => reader.cancel(reason),
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

/** The stream for a job: one file as it is, several as a ZIP. */
export function jobStream(client: SealdropClient, job: DownloadJob, hooks: DownloadHooks, signal?: AbortSignal): { stream: ReadableStream<Uint8Array>; length: number } {
  if (job.zipName) return { stream: decryptedZip(client, job, hooks, signal), length: zipLength(job) };
  const f = job.files[0];
  return { stream: decryptedFile(client, job, f, hooks, signal), length: f.size };
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
