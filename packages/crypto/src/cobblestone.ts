// Cobblestone: c2sp.org/chunked-encryption, generic over its AEAD.
//
//   key || baseNonce(12) || commitment(32) = HKDF-Expand-SHA-512(inputKey,
//       "c2sp.org/chunked-encryption@v1+" || aeadName || 0x00 || salt(24) || context)
//   message = salt(24) || commitment(32) || chunk_0 || chunk_1 || ...
//
// Plaintext is cut into 16384-byte chunks; the final chunk is always shorter
// (possibly empty). Chunk i is sealed with nonce = baseNonce XOR i (big-endian,
// right-aligned), empty AAD, 16-byte tag, so sealed chunk k sits at offset
// 56 + k * 16400. Nothing here knows about Sealdrop: the key schedule, the
// manifest and the upload rules are thin layers on top (keys.ts, manifest.ts,
// upload.ts).

import { bufferSource, concatBytes, constantTimeEqual, randomBytes, utf8Encode } from './encoding.ts';
import { asBytes } from './streamBytes.ts';

export type AeadName = 'AEAD_AES_128_GCM' | 'AEAD_AES_256_GCM';

export const CHUNK_BYTES = 16384;
export const TAG_BYTES = 16;
export const SALT_BYTES = 24;
export const COMMITMENT_BYTES = 32;
export const HEADER_BYTES = SALT_BYTES + COMMITMENT_BYTES; // 56
export const SEALED_CHUNK_BYTES = CHUNK_BYTES + TAG_BYTES; // 16400
export const NONCE_BYTES = 12;
/** The spec caps a message at 2^38 chunks (the counter must not reach the nonce's upper bytes). */
export const MAX_CHUNKS = 2 ** 38;

const AEADS: Record<AeadName, { keyBytes: number; webCrypto: 'AES-GCM' }> = {
  AEAD_AES_128_GCM: { keyBytes: 16, webCrypto: 'AES-GCM' },
  AEAD_AES_256_GCM: { keyBytes: 32, webCrypto: 'AES-GCM' },
};

const LABEL = utf8Encode('c2sp.org/chunked-encryption@v1+');

export type CobblestoneErrorKind = 'key_size' | 'header' | 'commitment' | 'truncated' | 'trailing' | 'auth';

const MESSAGES: Record<CobblestoneErrorKind, string> = {
  key_size: 'the key has the wrong length for this cipher',
  header: 'the message header is malformed',
  commitment: 'wrong key or context, or a damaged header (the key commitment does not match)',
  truncated: 'the message is truncated',
  trailing: 'the message has unexpected data after its end',
  auth: 'a chunk failed authentication (damaged, modified or reordered data)',
};

export class CobblestoneError extends Error {
  override name = 'CobblestoneError';
  readonly kind: CobblestoneErrorKind;
  constructor(kind: CobblestoneErrorKind, detail?: string) {
    super(`Cobblestone: ${MESSAGES[kind]}${detail ? ` (${detail})` : ''}`);
    this.kind = kind;
  }
}

export interface MessageKeys {
  aead: AeadName;
  key: CryptoKey;
  baseNonce: Uint8Array;
  commitment: Uint8Array;
  salt: Uint8Array;
  /** salt || commitment: the first 56 bytes of the message. */
  header: Uint8Array;
}

// ---------------------------------------------------------------- arithmetic

function assertSize(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative safe integer`);
}

/** Number of chunks (the final, shorter one included) for n plaintext bytes. */
export function chunkCount(plaintextBytes: number): number {
  assertSize(plaintextBytes, 'plaintext size');
  return Math.floor(plaintextBytes / CHUNK_BYTES) + 1;
}

/** Ciphertext bytes for n plaintext bytes: 56 + n + 16 * (floor(n / 16384) + 1). */
export function ciphertextSize(plaintextBytes: number): number {
  return HEADER_BYTES + plaintextBytes + TAG_BYTES * chunkCount(plaintextBytes);
}

/** Offset of sealed chunk k in the message. */
export function chunkOffset(k: number): number {
  assertSize(k, 'chunk index');
  return HEADER_BYTES + k * SEALED_CHUNK_BYTES;
}

export function isCiphertextSize(n: number): boolean {
  if (!Number.isSafeInteger(n) || n < HEADER_BYTES + TAG_BYTES) return false;
  const rest = (n - HEADER_BYTES) % SEALED_CHUNK_BYTES;
  return rest >= TAG_BYTES && rest < SEALED_CHUNK_BYTES;
}

/** Plaintext bytes of a message of n bytes; throws CobblestoneError('truncated') if no message has that size. */
export function plaintextSize(ciphertextBytes: number): number {
  if (!isCiphertextSize(ciphertextBytes)) throw new CobblestoneError('truncated', `no message is ${ciphertextBytes} bytes long`);
  const body = ciphertextBytes - HEADER_BYTES;
  const full = Math.floor(body / SEALED_CHUNK_BYTES);
  return full * CHUNK_BYTES + (body % SEALED_CHUNK_BYTES) - TAG_BYTES;
}

/**
 * The chunks whose sealed bytes overlap ciphertext bytes [start, end), as an
 * inclusive range, or null when the range holds only header bytes. Pass the
 * plaintext size to clamp to the message's real chunk count.
 */
export function ciphertextRangeChunks(start: number, end: number, plaintextBytes?: number): { first: number; last: number } | null {
  assertSize(start, 'start');
  assertSize(end, 'end');
  if (end <= Math.max(start, HEADER_BYTES)) return null;
  const first = Math.floor((Math.max(start, HEADER_BYTES) - HEADER_BYTES) / SEALED_CHUNK_BYTES);
  let last = Math.floor((end - 1 - HEADER_BYTES) / SEALED_CHUNK_BYTES);
  if (plaintextBytes !== undefined) last = Math.min(last, chunkCount(plaintextBytes) - 1);
  return first <= last ? { first, last } : null;
}

// ---------------------------------------------------------------- keys

function toContext(context: Uint8Array | string | undefined): Uint8Array {
  if (context === undefined) return new Uint8Array(0);
  return typeof context === 'string' ? utf8Encode(context) : context;
}

/** The AEAD for an input key (named, or from its length); throws CobblestoneError('key_size') for a key that fits none. */
export function resolveAead(inputKey: Uint8Array, aead?: AeadName): AeadName {
  if (!(inputKey instanceof Uint8Array)) throw new TypeError('input key must be a Uint8Array');
  if (aead === undefined) {
    if (inputKey.length === 32) return 'AEAD_AES_256_GCM';
    if (inputKey.length === 16) return 'AEAD_AES_128_GCM';
    throw new CobblestoneError('key_size', `${inputKey.length} bytes`);
  }
  const spec = AEADS[aead];
  if (!spec) throw new TypeError(`unknown AEAD ${String(aead)}`);
  if (inputKey.length !== spec.keyBytes) throw new CobblestoneError('key_size', `${aead} needs ${spec.keyBytes} bytes, got ${inputKey.length}`);
  return aead;
}

/** HKDF-Expand (RFC 5869 §2.3) with HMAC-SHA-512 and the input key as PRK, no Extract step. */
async function hkdfExpandSha512(prk: Uint8Array, info: Uint8Array, length: number): Promise<Uint8Array> {
  const subtle = globalThis.crypto.subtle;
  const hmacKey = await subtle.importKey('raw', bufferSource(prk), { name: 'HMAC', hash: 'SHA-512' }, false, ['sign']);
  const out = new Uint8Array(length);
  let prev = new Uint8Array(0);
  for (let counter = 1, o = 0; o < length; counter++) {
    const block = new Uint8Array(await subtle.sign('HMAC', hmacKey, bufferSource(concatBytes(prev, info, Uint8Array.of(counter)))));
    out.set(block.subarray(0, Math.min(block.length, length - o)), o);
    o += block.length;
    prev = block;
  }
  return out;
}

/**
 * Derives a message's AEAD key, base nonce and commitment from the input key,
 * the salt and the context. The AEAD defaults from the key length (32 → AES-256,
 * 16 → AES-128); any other length throws CobblestoneError('key_size').
 */
export async function deriveMessageKeys(inputKey: Uint8Array, salt: Uint8Array, context: Uint8Array | string = new Uint8Array(0), aead?: AeadName): Promise<MessageKeys> {
  const name = resolveAead(inputKey, aead);
  if (!(salt instanceof Uint8Array) || salt.length !== SALT_BYTES) throw new CobblestoneError('header', `salt must be ${SALT_BYTES} bytes`);
  const { keyBytes, webCrypto } = AEADS[name];
  const info = concatBytes(LABEL, utf8Encode(name), Uint8Array.of(0), salt, toContext(context));
  const okm = await hkdfExpandSha512(inputKey, info, keyBytes + NONCE_BYTES + COMMITMENT_BYTES);
  const key = await globalThis.crypto.subtle.importKey('raw', bufferSource(okm.slice(0, keyBytes)), { name: webCrypto }, false, ['encrypt', 'decrypt']);
  okm.fill(0, 0, keyBytes);
  const baseNonce = okm.slice(keyBytes, keyBytes + NONCE_BYTES);
  const commitment = okm.slice(keyBytes + NONCE_BYTES);
  const saltCopy = salt.slice();
  return { aead: name, key, baseNonce, commitment, salt: saltCopy, header: concatBytes(saltCopy, commitment) };
}

/**
 * Reads a message header (salt || commitment), derives the keys and checks the
 * commitment in constant time. This is the first step of every decryption:
 * no chunk is touched before it succeeds.
 */
export async function openHeader(inputKey: Uint8Array, header: Uint8Array, context?: Uint8Array | string, aead?: AeadName): Promise<MessageKeys> {
  const name = resolveAead(inputKey, aead);
  if (header.length < HEADER_BYTES) throw new CobblestoneError('truncated', 'shorter than the 56-byte header');
  if (header.length > HEADER_BYTES) throw new CobblestoneError('header', 'header must be exactly 56 bytes');
  const keys = await deriveMessageKeys(inputKey, header.subarray(0, SALT_BYTES), context, name);
  if (!constantTimeEqual(keys.commitment, header.subarray(SALT_BYTES, HEADER_BYTES))) throw new CobblestoneError('commitment');
  return keys;
}

/**
 * Raw mode (the spec's test hook): message keys from an already derived AEAD
 * key and base nonce, bypassing HKDF and the commitment. Never for real data.
 */
export async function importRawKeys(aead: AeadName, aeadKey: Uint8Array, baseNonce: Uint8Array, header: Uint8Array = new Uint8Array(HEADER_BYTES)): Promise<MessageKeys> {
  if (aeadKey.length !== AEADS[aead].keyBytes) throw new CobblestoneError('key_size');
  if (baseNonce.length !== NONCE_BYTES || header.length !== HEADER_BYTES) throw new CobblestoneError('header');
  const key = await globalThis.crypto.subtle.importKey('raw', bufferSource(aeadKey), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
  return { aead, key, baseNonce: baseNonce.slice(), salt: header.slice(0, SALT_BYTES), commitment: header.slice(SALT_BYTES), header: header.slice() };
}

// ---------------------------------------------------------------- chunks

/** Chunk `index`'s nonce: baseNonce XOR index (big-endian, right-aligned). Throws CobblestoneError('auth') past the spec's cap. */
export function chunkNonce(baseNonce: Uint8Array, index: number): Uint8Array<ArrayBuffer> {
  if (!Number.isSafeInteger(index) || index < 0 || index >= MAX_CHUNKS) throw new CobblestoneError('auth', `chunk index ${index} out of range`);
  const nonce = new Uint8Array(NONCE_BYTES);
  nonce.set(baseNonce);
  let rest = index;
  for (let i = NONCE_BYTES - 1; rest > 0; i--) {
    nonce[i] ^= rest % 256;
    rest = Math.floor(rest / 256);
  }
  return nonce;
}

/**
 * Seals chunk `index` (at most 16384 bytes; the caller decides which chunk is
 * final by its length). WebCrypto copies the input before this returns, so the
 * caller may reuse its buffer at once.
 */
export function encryptChunk(keys: MessageKeys, index: number, plaintext: Uint8Array): Promise<Uint8Array> {
  if (plaintext.length > CHUNK_BYTES) throw new RangeError('a chunk holds at most 16384 bytes');
  const p = globalThis.crypto.subtle.encrypt({ name: 'AES-GCM', iv: chunkNonce(keys.baseNonce, index), tagLength: 128 }, keys.key, bufferSource(plaintext));
  return p.then((ct) => new Uint8Array(ct));
}

/** Opens sealed chunk `index`; throws CobblestoneError('auth') if its tag does not verify. Input is copied before this returns. */
export function decryptChunk(keys: MessageKeys, index: number, sealed: Uint8Array): Promise<Uint8Array> {
  if (sealed.length < TAG_BYTES) return Promise.reject(new CobblestoneError('truncated', 'chunk shorter than its tag'));
  if (sealed.length > SEALED_CHUNK_BYTES) return Promise.reject(new RangeError('a sealed chunk holds at most 16400 bytes'));
  let iv: Uint8Array<ArrayBuffer>;
  try {
    iv = chunkNonce(keys.baseNonce, index);
  } catch (e) {
    return Promise.reject(e);
  }
  const p = globalThis.crypto.subtle.decrypt({ name: 'AES-GCM', iv, tagLength: 128 }, keys.key, bufferSource(sealed));
  return p.then(
    (pt) => new Uint8Array(pt),
    () => {
      throw new CobblestoneError('auth', `chunk ${index}`);
    },
  );
}

/** Chunks handed to WebCrypto at once (Node runs them on its thread pool). */
const BATCH = 32;

/** Awaits promises in order; a later rejection never goes unhandled. */
async function inOrder<T>(jobs: Promise<T>[], each: (v: T) => void): Promise<void> {
  for (const j of jobs) j.catch(() => {});
  for (const j of jobs) each(await j);
}

// ---------------------------------------------------------------- whole messages

export interface EncryptOptions {
  context?: Uint8Array | string;
  /** Fresh random 24 bytes unless given (tests and known answers only: one salt, one plaintext). */
  salt?: Uint8Array;
  aead?: AeadName;
}

export interface DecryptOptions {
  context?: Uint8Array | string;
  aead?: AeadName;
}

export async function encryptMessage(inputKey: Uint8Array, plaintext: Uint8Array, opts: EncryptOptions = {}): Promise<Uint8Array> {
  const keys = await deriveMessageKeys(inputKey, opts.salt ?? randomBytes(SALT_BYTES), opts.context, opts.aead);
  return encryptRange(bytesSource(plaintext), keys, 0, ciphertextSize(plaintext.length));
}

export async function decryptMessage(inputKey: Uint8Array, ciphertext: Uint8Array, opts: DecryptOptions = {}): Promise<Uint8Array> {
  resolveAead(inputKey, opts.aead);
  if (ciphertext.length < HEADER_BYTES) throw new CobblestoneError('truncated', 'shorter than the 56-byte header');
  const keys = await openHeader(inputKey, ciphertext.subarray(0, HEADER_BYTES), opts.context, opts.aead);
  const size = plaintextSize(ciphertext.length); // throws 'truncated'
  const out = new Uint8Array(size);
  const n = chunkCount(size);
  for (let k0 = 0; k0 < n; k0 += BATCH) {
    const jobs: Promise<Uint8Array>[] = [];
    for (let k = k0; k < Math.min(n, k0 + BATCH); k++) {
      const off = chunkOffset(k);
      jobs.push(decryptChunk(keys, k, ciphertext.subarray(off, Math.min(off + SEALED_CHUNK_BYTES, ciphertext.length))));
    }
    let k = k0;
    await inOrder(jobs, (pt) => out.set(pt, CHUNK_BYTES * k++));
  }
  return out;
}

// ---------------------------------------------------------------- streams

/**
 * Encrypts a byte stream into exactly one message: salt || commitment || chunks.
 * Holds at most one partial chunk plus one batch of chunks in memory.
 */
export function createEncryptStream(inputKey: Uint8Array, opts: EncryptOptions = {}): TransformStream<Uint8Array, Uint8Array> {
  let keys: MessageKeys;
  let index = 0;
  const carry = new Uint8Array(CHUNK_BYTES);
  let carryLen = 0;
  return new TransformStream<Uint8Array, Uint8Array>({
    async start(controller) {
      keys = await deriveMessageKeys(inputKey, opts.salt ?? randomBytes(SALT_BYTES), opts.context, opts.aead);
      controller.enqueue(keys.header.slice());
    },
    async transform(input, controller) {
      const data = asBytes(input);
      let off = 0;
      while (off < data.length) {
        const jobs: Promise<Uint8Array>[] = [];
        if (carryLen > 0) {
          const take = Math.min(CHUNK_BYTES - carryLen, data.length - off);
          carry.set(data.subarray(off, off + take), carryLen);
          carryLen += take;
          off += take;
          if (carryLen === CHUNK_BYTES) {
            jobs.push(encryptChunk(keys, index++, carry));
            carryLen = 0;
          }
        }
        while (jobs.length < BATCH && data.length - off >= CHUNK_BYTES) {
          jobs.push(encryptChunk(keys, index++, data.subarray(off, off + CHUNK_BYTES)));
          off += CHUNK_BYTES;
        }
        if (data.length - off < CHUNK_BYTES && carryLen === 0 && off < data.length) {
          carry.set(data.subarray(off), 0);
          carryLen = data.length - off;
          off = data.length;
        }
        await inOrder(jobs, (ct) => controller.enqueue(ct));
      }
    },
    async flush(controller) {
      // The final chunk is always shorter than 16384 bytes, possibly empty.
      controller.enqueue(await encryptChunk(keys, index++, carry.subarray(0, carryLen)));
    },
  });
}

export interface DecryptStreamOptions extends DecryptOptions {
  /** Start at chunk k: the input begins at ciphertext offset chunkOffset(k). Needs `header`. */
  fromChunk?: number;
  /** The message's 56 header bytes, when the input does not start with them. */
  header?: Uint8Array;
  /**
   * The expected plaintext size (e.g. from a manifest). With it, data past the
   * message's end fails as 'trailing' as soon as it arrives, and a short input
   * as 'truncated'.
   */
  size?: number;
  /**
   * Hand on each batch of chunks that authenticated (up to 32, as many as the
   * input held) as one piece instead of one piece per chunk: fewer, larger
   * pieces for whoever reads (a browser's stream hops cost per piece). Still
   * only whole, authenticated chunks.
   */
  joinChunks?: boolean;
}

// createDecryptStream (decryptStream.ts) and createNodeDecryptStream (node/decryptStream.ts)
// take these options: both are the one state machine of decryptFrames.ts, each with its chunk opener.

// ---------------------------------------------------------------- random access

/** An immutable plaintext that can be read at any offset. */
export interface PlaintextSource {
  size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

export function blobSource(blob: Blob): PlaintextSource {
  return {
    size: blob.size,
    async read(offset, length) {
      return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
    },
  };
}

export function bytesSource(bytes: Uint8Array): PlaintextSource {
  return { size: bytes.length, read: async (offset, length) => bytes.subarray(offset, offset + length) };
}

/** Plaintext bytes read per source.read() call by encryptRange. */
const READ_CHUNKS = 64;

/**
 * Ciphertext bytes [start, end) of the message that encrypts `source` under
 * `keys`. Chunks straddling the range's ends are re-encrypted from the same
 * source, which gives the same bytes; so parts made independently, retried or
 * resumed (with the same salt and an unchanged source) fit together.
 * `onSealed` sees each overlapping chunk whole, in order, straddling ones included.
 */
export async function encryptRange(
  source: PlaintextSource,
  keys: MessageKeys,
  start: number,
  end: number,
  into?: Uint8Array,
  onSealed?: (index: number, sealed: Uint8Array) => void,
): Promise<Uint8Array> {
  const total = ciphertextSize(source.size);
  assertSize(start, 'start');
  assertSize(end, 'end');
  if (start > end || end > total) throw new RangeError(`range [${start}, ${end}) outside the message (${total} bytes)`);
  if (into && into.length < end - start) throw new RangeError('the output buffer is shorter than the range');
  // A caller that reuses its buffers (the CLI's part pool) passes one; every byte of the range is written.
  const out = into ? into.subarray(0, end - start) : new Uint8Array(end - start);
  if (start < HEADER_BYTES) out.set(keys.header.subarray(start, Math.min(end, HEADER_BYTES)), 0);
  const chunks = ciphertextRangeChunks(start, end, source.size);
  if (!chunks) return out;
  for (let k0 = chunks.first; k0 <= chunks.last; k0 += READ_CHUNKS) {
    const k1 = Math.min(chunks.last, k0 + READ_CHUNKS - 1);
    const from = k0 * CHUNK_BYTES;
    const to = Math.min(source.size, (k1 + 1) * CHUNK_BYTES);
    const plain = await source.read(from, to - from);
    if (plain.length !== to - from) throw new Error(`short read from the plaintext source (${plain.length} of ${to - from} bytes)`);
    const jobs: Promise<Uint8Array>[] = [];
    for (let k = k0; k <= k1; k++) {
      const o = (k - k0) * CHUNK_BYTES;
      jobs.push(encryptChunk(keys, k, plain.subarray(o, Math.min(o + CHUNK_BYTES, plain.length))));
    }
    let k = k0;
    await inOrder(jobs, (sealed) => {
      onSealed?.(k, sealed);
      const cs = chunkOffset(k++);
      const a = Math.max(start, cs);
      const b = Math.min(end, cs + sealed.length);
      out.set(sealed.subarray(a - cs, b - cs), a - start);
    });
  }
  return out;
}
