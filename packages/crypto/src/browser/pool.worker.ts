// One worker of the crypto pool (see pool.ts). Requests:
//   encrypt: ciphertext bytes [start, end) of the message encrypting `blob`, read
//            with blob.slice().stream() into a reused buffer, several chunks per batch;
//   sha256:  SHA-256 of a Blob (streaming), with progress messages; or of bytes;
//   argon2:  the v1 password key.
import { ciphertextRangeChunks, ciphertextSize, CHUNK_BYTES, chunkCount, chunkOffset, deriveMessageKeys, encryptChunk, HEADER_BYTES, type MessageKeys } from '../cobblestone.ts';
import { hexEncode } from '../encoding.ts';
import { derivePasswordKey } from '../keys.ts';
import { createSha256 } from '../sha256.ts';
import type { PoolRequest, PoolResponse } from './protocol.ts';

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<PoolRequest>) => void) | null;
  postMessage(msg: PoolResponse, transfer?: Transferable[]): void;
};

const BATCH_CHUNKS = 64; // 1 MiB of plaintext per read batch
let readBuffer: Uint8Array | null = null;
const HASH_READ_BYTES = 1024 * 1024;
let hashBuffer: Uint8Array | null = null;
let cached: { id: string; keys: MessageKeys } | null = null;

async function keysFor(inputKey: Uint8Array, salt: Uint8Array, context: Uint8Array): Promise<MessageKeys> {
  const id = `${hexEncode(inputKey)}.${hexEncode(salt)}.${hexEncode(context)}`;
  if (cached?.id !== id) cached = { id, keys: await deriveMessageKeys(inputKey, salt, context) };
  return cached.keys;
}

/**
 * Reads a Blob into caller-owned buffers. With `byob` and where Blob streams are
 * byte streams (Chromium), a BYOB reader fills the reused buffer directly: no
 * copy and no garbage per read, so memory stays flat however much is read (used
 * for hashing whole files). Otherwise it copies from the default reader (used for
 * the short slices of encryption: in Chromium 156, cancelling many BYOB readers
 * of Blob slices leaked memory and eventually stalled).
 */
class BlobReader {
  #byob: ReadableStreamBYOBReader | null = null;
  #reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  #rest: Uint8Array | null = null;
  constructor(blob: Blob, opts: { byob: boolean }) {
    const stream = blob.stream();
    try {
      if (!opts.byob) throw new TypeError('default reader asked for');
      this.#byob = stream.getReader({ mode: 'byob' });
    } catch {
      this.#reader = stream.getReader();
    }
  }

  /** Fills `buf[0, n)`; returns the buffer now holding the bytes (a BYOB read transfers it). */
  async fill(buf: Uint8Array, n: number): Promise<Uint8Array> {
    if (this.#byob) {
      let ab = buf.buffer as ArrayBuffer;
      for (let o = 0; o < n; ) {
        const r = await this.#byob.read(new Uint8Array(ab, o, n - o));
        if (!r.value) throw new Error('the file could not be read');
        ab = r.value.buffer as ArrayBuffer;
        if (r.done || r.value.byteLength === 0) throw new Error('the file became shorter while it was being read');
        o += r.value.byteLength;
      }
      return new Uint8Array(ab);
    }
    for (let o = 0; o < n; ) {
      let piece = this.#rest;
      this.#rest = null;
      if (!piece) {
        const r = await this.#reader!.read();
        if (r.done) throw new Error('the file became shorter while it was being read');
        piece = r.value;
      }
      const take = Math.min(piece.length, n - o);
      buf.set(take === piece.length ? piece : piece.subarray(0, take), o);
      o += take;
      if (take < piece.length) this.#rest = piece.subarray(take);
    }
    return buf;
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

async function encryptSlice(blob: Blob, keys: MessageKeys, start: number, end: number): Promise<Uint8Array> {
  if (end > ciphertextSize(blob.size) || start > end) throw new RangeError('range outside the message');
  const out = new Uint8Array(end - start);
  if (start < HEADER_BYTES) out.set(keys.header.subarray(start, Math.min(end, HEADER_BYTES)), 0);
  const chunks = ciphertextRangeChunks(start, end, blob.size);
  if (!chunks) return out;
  const lastChunk = chunkCount(blob.size) - 1;
  const from = chunks.first * CHUNK_BYTES;
  const to = Math.min(blob.size, (chunks.last + 1) * CHUNK_BYTES);
  const reader = new BlobReader(blob.slice(from, to), { byob: false });
  let buf = readBuffer ?? new Uint8Array(BATCH_CHUNKS * CHUNK_BYTES);
  readBuffer = null; // owned by this slice until it is done
  try {
    for (let k0 = chunks.first; k0 <= chunks.last; k0 += BATCH_CHUNKS) {
      const k1 = Math.min(chunks.last, k0 + BATCH_CHUNKS - 1);
      const bytes = Math.min(blob.size, (k1 + 1) * CHUNK_BYTES) - k0 * CHUNK_BYTES;
      buf = await reader.fill(buf, bytes);
      for (let k = k0; k <= k1; k++) {
        const o = (k - k0) * CHUNK_BYTES;
        const len = k === lastChunk ? blob.size - k * CHUNK_BYTES : CHUNK_BYTES;
        const sealed = await encryptChunk(keys, k, buf.subarray(o, o + len));
        const cs = chunkOffset(k);
        const a = Math.max(start, cs);
        const b = Math.min(end, cs + sealed.length);
        out.set(a === cs && b === cs + sealed.length ? sealed : sealed.subarray(a - cs, b - cs), a - start);
      }
    }
  } finally {
    reader.cancel();
    if (buf.byteLength === BATCH_CHUNKS * CHUNK_BYTES) readBuffer = buf;
  }
  return out;
}

async function hashBlob(id: number, blob: Blob): Promise<string> {
  const h = await createSha256();
  const reader = new BlobReader(blob, { byob: true });
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
      const bytes = await encryptSlice(req.blob, keys, req.start, req.end);
      scope.postMessage({ id: req.id, ok: true, bytes }, [bytes.buffer]);
    } else if (req.op === 'sha256') {
      let hex: string;
      if (req.blob) hex = await hashBlob(req.id, req.blob);
      else {
        const h = await createSha256();
        h.update(req.bytes!);
        hex = h.digestHex();
      }
      scope.postMessage({ id: req.id, ok: true, sha256: hex });
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
