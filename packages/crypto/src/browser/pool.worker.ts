// One worker of the crypto pool (see pool.ts). Requests:
//   encrypt: ciphertext bytes [start, end) of the message encrypting `blob`, its
//            plaintext read with blob.slice().stream(), sealed as it arrives;
//   sha256:  SHA-256 of a Blob (streaming), with progress messages; or of bytes;
//   argon2:  the v1 password key;
//   recycle: keep a finished part's buffer for the next encryption output;
//   tapPort: where a part's plaintext reads go when it asks for the tap (tap.worker.ts).
import { ciphertextRangeChunks, ciphertextSize, CHUNK_BYTES, chunkCount, chunkOffset, deriveMessageKeys, encryptChunk, HEADER_BYTES, type MessageKeys } from '../cobblestone.ts';
import { hexEncode } from '../encoding.ts';
import { derivePasswordKey } from '../keys.ts';
import { PartDigest } from '../partDigest.ts';
import { createSha256 } from '../sha256.ts';
import type { PoolRequest, PoolResponse, TapBatch } from './protocol.ts';

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<PoolRequest>) => void) | null;
  postMessage(msg: PoolResponse, transfer?: Transferable[]): void;
};

const HASH_READ_BYTES = 1024 * 1024;
let hashBuffer: Uint8Array | null = null;
/** Output memory handed back by the page (CryptoPool.recycle): fresh 16 MiB buffers cost page faults and garbage. */
const spares: ArrayBuffer[] = [];
const MAX_SPARES = 2;

let reusedOutputs = 0;

/** n bytes for a slice's ciphertext: a recycled buffer when one is big enough. Every byte is overwritten. */
function outputBuffer(n: number): Uint8Array {
  // A small output would tie up (and send away) a whole part's buffer.
  const i = n < 1024 * 1024 ? -1 : spares.findIndex((b) => b.byteLength >= n);
  if (i < 0) return new Uint8Array(n);
  reusedOutputs++;
  return new Uint8Array(spares.splice(i, 1)[0]!, 0, n);
}
let cached: { id: string; keys: MessageKeys } | null = null;

/** The port to the pool's tap worker (tap.worker.ts), once the pool sent it. */
let tapPort: MessagePort | null = null;
/** Plaintext the tap gets per message: fewer, bigger messages. */
const TAP_BATCH_BYTES = 2 * 1024 * 1024;

/**
 * Passes a slice's reads, by transfer, to the tap worker as file `file`'s bytes
 * from `offset`: the stream's own pieces, not copies (copying them into tap
 * buffers cost ~1.5 CPU-s per GiB). The tap hands each piece back once hashed
 * and this worker drops it: its garbage is collected here, where reads and
 * encryption allocate all the time. (Left in the tap worker, which allocates
 * too little to collect soon, a 1 GiB send grew the renderer by a gigabyte.)
 */
class TapSender {
  #chunks: Uint8Array[] = [];
  #bytes = 0;
  #offset: number;
  sent = 0;
  constructor(
    readonly port: MessagePort,
    readonly file: number,
    readonly size: number,
    offset: number,
  ) {
    this.#offset = offset;
  }
  /** Plaintext read; `piece` is not used by the caller afterwards (its chunks are sealed, its tail copied). */
  add(piece: Uint8Array): void {
    // A view into a bigger buffer would take the rest of that buffer along.
    const own = piece.byteOffset === 0 && piece.byteLength === piece.buffer.byteLength ? piece : piece.slice();
    this.#chunks.push(own);
    this.#bytes += own.length;
    if (this.#bytes >= TAP_BATCH_BYTES) this.flush();
  }
  flush(): void {
    if (!this.#bytes) return;
    const chunks = this.#chunks;
    this.port.postMessage({ file: this.file, size: this.size, offset: this.#offset, chunks } satisfies TapBatch, chunks.map((c) => c.buffer as ArrayBuffer));
    this.#offset += this.#bytes;
    this.#chunks = [];
    this.#bytes = 0;
    this.sent++;
  }
}

async function keysFor(inputKey: Uint8Array, salt: Uint8Array, context: Uint8Array): Promise<MessageKeys> {
  const id = `${hexEncode(inputKey)}.${hexEncode(salt)}.${hexEncode(context)}`;
  if (cached?.id !== id) cached = { id, keys: await deriveMessageKeys(inputKey, salt, context) };
  return cached.keys;
}

/**
 * Reads a whole Blob in order. Where Blob streams are byte streams (Chromium), a
 * BYOB reader fills one reused buffer: no copy and no garbage per read, so memory
 * stays flat however much is read. Elsewhere it yields the stream's own chunks.
 * (Only for reading to the end: in Chromium 156, BYOB readers of Blob slices that
 * are cancelled, or that wait while the worker encrypts, leak or stall.)
 */
class BlobReader {
  #byob: ReadableStreamBYOBReader | null = null;
  #reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  constructor(blob: Blob) {
    const stream = blob.stream();
    try {
      this.#byob = stream.getReader({ mode: 'byob' });
    } catch {
      this.#reader = stream.getReader();
    }
  }

  /** Next bytes, whatever amount is ready, into `buf` (BYOB) or as the stream's own chunk; null at the end. */
  async next(buf: Uint8Array): Promise<Uint8Array | null> {
    if (this.#byob) {
      const r = await this.#byob.read(new Uint8Array(buf.buffer as ArrayBuffer, 0, buf.byteLength));
      if (r.done || !r.value) return null;
      return r.value;
    }
    const r = await this.#reader!.read();
    return r.done ? null : r.value;
  }

  cancel(): void {
    (this.#byob ?? this.#reader)?.cancel().catch(() => {});
  }
}

/** A chunk split across two reads of the stream is put together here (one job at a time per worker). */
const carry = new Uint8Array(CHUNK_BYTES);

/**
 * Ciphertext bytes [start, end) of the message encrypting `blob`. The slice's
 * plaintext is read with one blob.slice().stream(), read to its end, and each
 * chunk is sealed straight from the piece it arrived in: the browser fills the
 * stream's pipe while this worker encrypts, so reading and encrypting overlap.
 * (Reading a whole batch before encrypting it left each worker waiting on
 * reads for half its time.) `digest` takes each chunk as it is sealed.
 */
async function encryptSlice(blob: Blob, keys: MessageKeys, start: number, end: number, tapFile?: number, digest?: PartDigest): Promise<{ out: Uint8Array; tapped: number }> {
  if (end > ciphertextSize(blob.size) || start > end) throw new RangeError('range outside the message');
  const out = outputBuffer(end - start);
  if (start < HEADER_BYTES) out.set(keys.header.subarray(start, Math.min(end, HEADER_BYTES)), 0);
  const chunks = ciphertextRangeChunks(start, end, blob.size);
  if (!chunks) return { out, tapped: 0 };
  const tap = tapFile !== undefined && tapPort ? new TapSender(tapPort, tapFile, blob.size, chunks.first * CHUNK_BYTES) : null;
  const seal = async (k: number, plain: Uint8Array) => {
    const sealed = await encryptChunk(keys, k, plain);
    digest?.add(k, sealed);
    const cs = chunkOffset(k);
    const a = Math.max(start, cs);
    const b = Math.min(end, cs + sealed.length);
    out.set(a === cs && b === cs + sealed.length ? sealed : sealed.subarray(a - cs, b - cs), a - start);
  };
  const reader = blob.slice(chunks.first * CHUNK_BYTES, Math.min(blob.size, (chunks.last + 1) * CHUNK_BYTES)).stream().getReader();
  let k = chunks.first;
  let held = 0; // bytes of chunk k waiting in `carry`
  try {
    for (;;) {
      let piece: Uint8Array;
      try {
        const r = await reader.read();
        if (r.done) break;
        piece = r.value;
      } catch {
        throw new Error('the file could not be read (was it changed, moved or deleted?)');
      }
      let o = 0;
      if (held) {
        const take = Math.min(CHUNK_BYTES - held, piece.length);
        carry.set(piece.subarray(0, take), held);
        held += take;
        o = take;
        if (held === CHUNK_BYTES) {
          await seal(k++, carry);
          held = 0;
        }
      }
      for (; piece.length - o >= CHUNK_BYTES; o += CHUNK_BYTES) await seal(k++, piece.subarray(o, o + CHUNK_BYTES));
      if (o < piece.length) {
        carry.set(piece.subarray(o), 0);
        held = piece.length - o;
      }
      tap?.add(piece);
    }
  } catch (e) {
    reader.cancel().catch(() => {});
    tap?.flush();
    throw e;
  }
  tap?.flush();
  // The message's final chunk is always shorter than a whole one (possibly empty).
  if (k === chunks.last && k === chunkCount(blob.size) - 1) await seal(k++, carry.subarray(0, held));
  else if (held) throw new Error('the file changed while it was being read');
  if (k !== chunks.last + 1) throw new Error('the file became shorter while it was being read');
  return { out, tapped: tap?.sent ?? 0 };
}

async function hashBlob(id: number, blob: Blob): Promise<string> {
  const h = await createSha256();
  const reader = new BlobReader(blob);
  let buf = hashBuffer ?? new Uint8Array(HASH_READ_BYTES);
  hashBuffer = null;
  let done = 0;
  let reported = 0;
  try {
    for (;;) {
      const piece = await reader.next(buf);
      if (!piece) break;
      if (piece.buffer.byteLength === HASH_READ_BYTES) buf = new Uint8Array(piece.buffer as ArrayBuffer);
      h.update(piece);
      done += piece.length;
      if (done - reported >= 8 * 1024 * 1024) {
        reported = done;
        scope.postMessage({ id, progress: done });
      }
    }
  } finally {
    reader.cancel();
    if (buf.buffer.byteLength === HASH_READ_BYTES) hashBuffer = buf;
  }
  if (done !== blob.size) throw new Error('the file changed size while it was being hashed');
  scope.postMessage({ id, progress: done });
  return h.digestHex();
}

scope.onmessage = async (e) => {
  const req = e.data;
  try {
    if (req.op === 'encrypt') {
      const keys = await keysFor(req.inputKey, req.salt, req.context);
      const { out: bytes } = await encryptSlice(req.blob, keys, req.start, req.end);
      scope.postMessage({ id: req.id, ok: true, bytes, spares: spares.length, reusedOutputs }, [bytes.buffer]);
    } else if (req.op === 'part') {
      // Hashed and wrapped here, by the worker that made it: the page gets a
      // Blob (a handle, not a copy of the bytes) and the part's digest, and the
      // output memory stays in this worker for its next part.
      const keys = await keysFor(req.inputKey, req.salt, req.context);
      const digest = new PartDigest(req.blob.size, req.start, req.end, keys.header);
      const made = await encryptSlice(req.blob, keys, req.start, req.end, req.tap, digest);
      const bytes = made.out as Uint8Array<ArrayBuffer>;
      const sha256 = await digest.hex();
      if (req.tap !== undefined) {
        scope.postMessage({ id: req.id, ok: true, bytes, sha256, spares: spares.length, reusedOutputs, tapped: made.tapped }, [bytes.buffer]);
        return;
      }
      const body = new Blob([bytes]);
      if (bytes.byteLength >= 1024 * 1024 && spares.length < MAX_SPARES) spares.push(bytes.buffer);
      scope.postMessage({ id: req.id, ok: true, body, sha256, spares: spares.length, reusedOutputs, tapped: made.tapped });
    } else if (req.op === 'sha256') {
      let hex: string;
      if (req.blob) hex = await hashBlob(req.id, req.blob);
      else {
        const h = await createSha256();
        h.update(req.bytes!);
        hex = h.digestHex();
      }
      scope.postMessage({ id: req.id, ok: true, sha256: hex });
    } else if (req.op === 'tapPort') {
      tapPort = req.port;
      // Pieces the tap hashed come back to be dropped here (see TapSender).
      tapPort.onmessage = () => {};
      return;
    } else if (req.op === 'recycle') {
      if (spares.length < MAX_SPARES) spares.push(req.buffer);
      return;
    } else if (req.op === 'argon2') {
      const key = await derivePasswordKey(req.password, req.salt, req.kdf);
      scope.postMessage({ id: req.id, ok: true, bytes: key }, [key.buffer]);
    } else {
      throw new Error(`unknown operation`);
    }
  } catch (err) {
    const error = err as Error;
    scope.postMessage({ id: req.id, ok: false, name: error?.name ?? 'Error', message: error?.message ?? String(err), kind: (error as { kind?: string })?.kind });
  }
};
