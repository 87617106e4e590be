// A pool of Web Workers for the sender's heavy work. Chromium's WebCrypto does
// its work inside each call, so only workers use more cores: each part goes to
// an encryption worker (split across the idle ones when there are no other
// parts to keep them busy), while a separate worker hashes the plaintext at the
// same time.
import { ciphertextSize, chunkOffset, ciphertextRangeChunks, CobblestoneError, type CobblestoneErrorKind } from '../cobblestone.ts';
import type { PoolRequest, PoolResponse, TapRequest, TapResponse } from './protocol.ts';

type Job = { msg: PoolRequest; resolve: (r: Extract<PoolResponse, { ok: true }>) => void; reject: (e: Error) => void; onProgress?: (bytes: number) => void };

/** By default a worker gets at least 256 chunks (4 MiB) of a part: smaller slices cost more in messages than they save. */
const MIN_SLICE_CHUNKS = 256;
/** Recycled buffers a worker keeps (as pool.worker.ts's MAX_SPARES); smaller ones are not worth a message. */
const MAX_SPARES = 2;
const MIN_RECYCLE_BYTES = 1024 * 1024;

export interface CryptoPoolStats {
  encryptWorkers: number;
  /** Slices each encryption worker has finished. */
  slicesPerWorker: number[];
  /** Encryption outputs written into recycled memory. */
  reusedOutputs: number;
  hashJobs: number;
}

export interface CryptoPool {
  /** Ciphertext bytes [start, end) of the message encrypting `blob` (same bytes as encryptRange). */
  encryptPart(blob: Blob, inputKey: Uint8Array, context: Uint8Array, salt: Uint8Array, start: number, end: number): Promise<Uint8Array>;
  /**
   * Hands a part's bytes back once they are used (copied into a request body,
   * say): the workers write later parts into the same memory instead of fresh
   * buffers, which keeps memory flat. `bytes` must not be used afterwards.
   */
  recycle(bytes: Uint8Array): void;
  /**
   * Part [start, end) as a request body and its part digest (partDigest.ts),
   * both made by the one worker that encrypted it (no copy of the bytes on the
   * page's thread; the digest comes from the tags that worker sealed).
   */
  makePart(blob: Blob, inputKey: Uint8Array, context: Uint8Array, salt: Uint8Array, start: number, end: number): Promise<{ body: Blob; sha256: string }>;
  /**
   * Part [start, end) made by one worker, which also passes the plaintext it
   * reads to the tap worker as file `file`'s bytes: its whole-file SHA-256 then
   * needs no read of its own (tapSha256). The part comes as its bytes
   * (transferred) with their part digest; `tapped` counts the batches it passed (for closeTap).
   */
  makeTappedPart(file: number, blob: Blob, inputKey: Uint8Array, context: Uint8Array, salt: Uint8Array, start: number, end: number): Promise<{ bytes: Uint8Array; sha256: string; tapped: number }>;
  /** Hex SHA-256 of file `file` (of `size` bytes) from the tap, once all of it went through; null when that can no longer happen. */
  tapSha256(file: number, size: number): Promise<string | null>;
  /** No more tapped makes of `file`; `batches` is the sum of their `tapped`. */
  closeTap(file: number, size: number, batches: number): void;
  /** Starts an encryption worker and the tap worker now (they take tens of milliseconds to load), e.g. while a share is created. */
  warm(): void;
  /** SHA-256 (hex) of a Blob, in the dedicated hashing worker. */
  sha256Blob(blob: Blob, onProgress?: (bytes: number) => void): Promise<string>;
  /** SHA-256 (hex) of bytes (copied), in the hashing worker; e.g. a part's ciphertext for the resume journal. */
  sha256Bytes(bytes: Uint8Array): Promise<string>;
  /** The v1 Argon2id password key, in a worker of its own (its 64 MiB go away with it). */
  derivePasswordKey(password: string, salt: Uint8Array, kdf?: unknown): Promise<Uint8Array>;
  stats(): CryptoPoolStats;
  terminate(): void;
}

function newWorker(): Worker {
  return new Worker(new URL('./pool.worker.ts', import.meta.url), { type: 'module', name: 'sealdrop-crypto' });
}

function newTapWorker(): Worker {
  return new Worker(new URL('./tap.worker.ts', import.meta.url), { type: 'module', name: 'sealdrop-tap' });
}

function toError(r: Extract<PoolResponse, { ok: false }>): Error {
  if (r.name === 'CobblestoneError' && r.kind) return new CobblestoneError(r.kind as CobblestoneErrorKind);
  const e = new Error(r.message);
  e.name = r.name;
  return e;
}

class Lane {
  worker: Worker | null = null;
  busy: Job | null = null;
  done = 0;
  /** Recycled buffers the worker holds, and outputs it wrote into one, as it last said. */
  spares = 0;
  reused = 0;
  constructor(
    private readonly onIdle: () => void,
    private readonly onSpawn: (w: Worker) => void = () => {},
  ) {}
  run(job: Job): void {
    this.busy = job;
    this.start().postMessage(job.msg);
  }
  /** The worker, started if it is not yet. */
  start(): Worker {
    this.worker ??= this.spawn();
    return this.worker;
  }
  private spawn(): Worker {
    const w = newWorker();
    this.onSpawn(w);
    w.onmessage = (e: MessageEvent<PoolResponse>) => {
      const r = e.data;
      const job = this.busy;
      if (!job || r.id !== job.msg.id) return;
      if ('progress' in r) return job.onProgress?.(r.progress);
      this.busy = null;
      this.done++;
      if (r.ok && r.spares !== undefined) this.spares = r.spares;
      if (r.ok && r.reusedOutputs !== undefined) this.reused = r.reusedOutputs;
      if (r.ok) job.resolve(r);
      else job.reject(toError(r));
      this.onIdle();
    };
    w.onerror = (e) => {
      e.preventDefault();
      const job = this.busy;
      this.busy = null;
      w.terminate();
      this.worker = null;
      job?.reject(new Error(`crypto worker failed: ${e.message || 'could not start'}`));
      this.onIdle();
    };
    return w;
  }
  /** Gives `buffer` to the worker to write a later output into. */
  give(buffer: ArrayBuffer, id: number): void {
    this.worker!.postMessage({ op: 'recycle', id, buffer } satisfies PoolRequest, [buffer]);
    this.spares++;
  }
  terminate(): void {
    this.worker?.terminate();
    this.worker = null;
    this.spares = 0;
    this.busy?.reject(new Error('crypto pool terminated'));
    this.busy = null;
  }
}

export interface CryptoPoolOptions {
  /** Encryption workers (default: one more than the cores). */
  workers?: number;
  /** Encryption workers that run while a file is being hashed (default: one fewer than the cores, at least 1). */
  workersWhileHashing?: number;
  /** The smallest slice of a part worth giving a worker, in chunks. */
  minSliceChunks?: number;
}

export function createCryptoPool(opts: CryptoPoolOptions = {}): CryptoPool {
  const minSlice = Math.max(1, opts.minSliceChunks ?? MIN_SLICE_CHUNKS);
  const cores = typeof navigator !== 'undefined' && navigator.hardwareConcurrency ? navigator.hardwareConcurrency : 2;
  // One encryption worker more than there are cores: each worker still waits on
  // its reads at times, and the extra one fills that time (on 2 cores, 3 workers
  // encrypted about 20 % faster than 2, and 4 no faster than 3).
  const count = Math.max(1, Math.min(8, opts.workers ?? Math.min(5, cores + 1)));
  // SHA-256 of one file cannot be split, so it is the slowest stage of a send:
  // while a file is hashed, its worker keeps a core to itself and encryption
  // (which only has to keep up) makes do with the rest.
  const whileHashing = Math.max(1, Math.min(count, opts.workersWhileHashing ?? cores - 1));
  const limit = () => (hashLane.busy ? whileHashing : count);
  const running = () => lanes.filter((l) => l.busy).length;
  let nextId = 1;
  let closed = false;
  const queue: Job[] = [];
  const hashQueue: Job[] = [];
  const dispatch = () => {
    if (!hashLane.busy && hashQueue.length) hashLane.run(hashQueue.shift()!);
    for (const lane of lanes) if (!lane.busy && queue.length && running() < limit()) lane.run(queue.shift()!);
  };
  // The tap worker, started with the first tapped part; each encryption worker gets a port to it.
  let tap: Worker | null = null;
  const tapWaits = new Map<number, (sha256: string | null) => void>();
  const connectTap = (w: Worker) => {
    if (!tap) return;
    const ch = new MessageChannel();
    tap.postMessage({ op: 'port', port: ch.port1 } satisfies TapRequest, [ch.port1]);
    w.postMessage({ op: 'tapPort', id: nextId++, port: ch.port2 } satisfies PoolRequest, [ch.port2]);
  };
  const startTap = (): Worker => {
    if (tap) return tap;
    tap = newTapWorker();
    tap.onmessage = (e: MessageEvent<TapResponse>) => {
      const done = tapWaits.get(e.data.id);
      tapWaits.delete(e.data.id);
      done?.(e.data.sha256);
    };
    // A tap that fails answers nothing more: the hashes fall back to their own read.
    tap.onerror = (e) => {
      e.preventDefault();
      for (const done of tapWaits.values()) done(null);
      tapWaits.clear();
    };
    for (const lane of lanes) if (lane.worker) connectTap(lane.worker);
    return tap;
  };
  const lanes = Array.from({ length: count }, () => new Lane(dispatch, connectTap));
  const hashLane = new Lane(dispatch);

  function submit(q: Job[], msg: PoolRequest, onProgress?: (bytes: number) => void) {
    if (closed) return Promise.reject(new Error('crypto pool terminated'));
    return new Promise<Extract<PoolResponse, { ok: true }>>((resolve, reject) => {
      q.push({ msg, resolve, reject, onProgress });
      dispatch();
    });
  }

  function recycle(bytes: Uint8Array): void {
    if (closed || !(bytes.buffer instanceof ArrayBuffer) || bytes.buffer.byteLength < MIN_RECYCLE_BYTES) return;
    const lane = lanes.filter((l) => l.worker && l.spares < MAX_SPARES).sort((a, b) => a.spares - b.spares)[0];
    lane?.give(bytes.buffer, nextId++);
  }

  /** Cuts [start, end) at chunk boundaries into one slice per idle worker; one slice when other parts keep the workers busy. */
  function cutsFor(blob: Blob, start: number, end: number): number[] {
    const total = ciphertextSize(blob.size);
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || start > end || end > total) {
      throw new RangeError(`range [${start}, ${end}) outside the message (${total} bytes)`);
    }
    const cuts = [start];
    const chunks = ciphertextRangeChunks(start, end, blob.size);
    const idle = limit() - running() - queue.length;
    if (chunks && idle > 1) {
      const n = chunks.last - chunks.first + 1;
      const slices = Math.max(1, Math.min(idle, Math.floor(n / minSlice)));
      for (let i = 1; i < slices; i++) cuts.push(chunkOffset(chunks.first + Math.round((n * i) / slices)));
    }
    cuts.push(end);
    return cuts;
  }

  async function encryptCuts(blob: Blob, inputKey: Uint8Array, context: Uint8Array, salt: Uint8Array, cuts: number[]): Promise<Uint8Array> {
    const start = cuts[0];
    const end = cuts[cuts.length - 1];
    const results = await Promise.all(
      cuts.slice(1).map((e, i) => submit(queue, { op: 'encrypt', id: nextId++, blob, inputKey, context, salt, start: cuts[i], end: e })),
    );
    if (results.length === 1) return results[0].bytes!;
    const out = new Uint8Array(end - start);
    results.forEach((r, i) => out.set(r.bytes!, cuts[i] - start));
    for (const r of results) recycle(r.bytes!);
    return out;
  }

  return {
    encryptPart: (blob, inputKey, context, salt, start, end) => encryptCuts(blob, inputKey, context, salt, cutsFor(blob, start, end)),
    async makePart(blob, inputKey, context, salt, start, end) {
      cutsFor(blob, start, end); // checks the range
      const r = await submit(queue, { op: 'part', id: nextId++, blob, inputKey, context, salt, start, end });
      return { body: r.body!, sha256: r.sha256! };
    },
    async makeTappedPart(file, blob, inputKey, context, salt, start, end) {
      cutsFor(blob, start, end); // checks the range
      startTap();
      const r = await submit(queue, { op: 'part', id: nextId++, blob, inputKey, context, salt, start, end, tap: file });
      return { bytes: r.bytes!, sha256: r.sha256!, tapped: r.tapped ?? 0 };
    },
    tapSha256(file, size) {
      if (closed) return Promise.reject(new Error('crypto pool terminated'));
      const id = nextId++;
      return new Promise<string | null>((resolve) => {
        tapWaits.set(id, resolve);
        startTap().postMessage({ op: 'digest', id, file, size } satisfies TapRequest);
      });
    },
    closeTap(file, size, batches) {
      if (!closed) startTap().postMessage({ op: 'close', file, size, batches } satisfies TapRequest);
    },
    warm() {
      if (closed) return;
      startTap();
      lanes[0].start();
    },
    recycle,
    async sha256Blob(blob, onProgress) {
      return (await submit(hashQueue, { op: 'sha256', id: nextId++, blob }, onProgress)).sha256!;
    },
    async sha256Bytes(bytes) {
      return (await submit(hashQueue, { op: 'sha256', id: nextId++, bytes }, undefined)).sha256!;
    },
    derivePasswordKey(password, salt, kdf) {
      if (closed) return Promise.reject(new Error('crypto pool terminated'));
      const lane = new Lane(() => lane.terminate());
      return new Promise<Uint8Array>((resolve, reject) => {
        lane.run({ msg: { op: 'argon2', id: nextId++, password, salt, kdf }, resolve: (r) => resolve(r.bytes!), reject });
      });
    },
    stats() {
      return { encryptWorkers: count, slicesPerWorker: lanes.map((l) => l.done), reusedOutputs: lanes.reduce((n, l) => n + l.reused, 0), hashJobs: hashLane.done };
    },
    terminate() {
      closed = true;
      for (const j of [...queue.splice(0), ...hashQueue.splice(0)]) j.reject(new Error('crypto pool terminated'));
      for (const lane of lanes) lane.terminate();
      hashLane.terminate();
      tap?.terminate();
      tap = null;
      for (const done of tapWaits.values()) done(null);
      tapWaits.clear();
    },
  };
}
