// Cobblestone decryption on node:crypto, for the CLI (issue 11). Same message
// format, checks and errors as createDecryptStream (cobblestone.ts); the
// difference is cost: WebCrypto makes a promise, a thread-pool job and two
// copies per 16 KiB chunk, and enqueues every chunk on its own. Here each chunk
// is opened synchronously with OpenSSL's AES-GCM and all the chunks one input
// carried leave as one piece, so the reader does its work (write, hash) once
// per network read instead of once per chunk.

import { createDecipheriv, KeyObject, type CipherGCMTypes } from 'node:crypto';
import {
  chunkNonce,
  chunkOffset,
  ciphertextSize,
  CobblestoneError,
  HEADER_BYTES,
  openHeader,
  SEALED_CHUNK_BYTES,
  TAG_BYTES,
  type DecryptStreamOptions,
  type MessageKeys,
} from '../cobblestone.ts';

interface Opener {
  algorithm: CipherGCMTypes;
  key: KeyObject;
  baseNonce: Uint8Array;
}

function opener(keys: MessageKeys): Opener {
  // The CryptoKey is not extractable; node hands its key material to OpenSSL as a KeyObject without exposing it.
  return { algorithm: keys.aead === 'AEAD_AES_128_GCM' ? 'aes-128-gcm' : 'aes-256-gcm', key: KeyObject.from(keys.key), baseNonce: keys.baseNonce };
}

/** Opens sealed chunk `index`; its plaintext only once the tag verified. */
function openChunk(o: Opener, index: number, sealed: Uint8Array): Buffer {
  const n = sealed.length - TAG_BYTES;
  const d = createDecipheriv(o.algorithm, o.key, chunkNonce(o.baseNonce, index), { authTagLength: TAG_BYTES });
  d.setAuthTag(sealed.subarray(n));
  const plain = d.update(sealed.subarray(0, n));
  try {
    d.final();
  } catch {
    throw new CobblestoneError('auth', `chunk ${index}`);
  }
  return plain;
}

function asBytes(input: unknown): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw new TypeError('stream chunks must be bytes');
}

/**
 * createDecryptStream on node:crypto: the commitment is checked before any
 * chunk, a chunk's plaintext is released only after its tag verified,
 * truncation, trailing data and reordering error the stream, and an errored
 * stream stays errored. Output pieces are whole chunks (the last one shorter).
 */
export function createNodeDecryptStream(inputKey: Uint8Array, opts: DecryptStreamOptions = {}): TransformStream<Uint8Array, Uint8Array> {
  const fromChunk = opts.fromChunk ?? 0;
  if (!Number.isSafeInteger(fromChunk) || fromChunk < 0) throw new RangeError('fromChunk must be a non-negative safe integer');
  if (fromChunk > 0 && !opts.header) throw new TypeError('fromChunk needs the message header');
  let o: Opener | null = null;
  const headerBuf = new Uint8Array(HEADER_BYTES);
  let headerLen = 0;
  // A sealed chunk split across two inputs waits here (at most one).
  const carry = new Uint8Array(SEALED_CHUNK_BYTES);
  let carryLen = 0;
  let index = fromChunk;
  const expectedEnd = opts.size === undefined ? Infinity : ciphertextSize(opts.size);
  let position = opts.header ? chunkOffset(fromChunk) : 0;
  if (position > expectedEnd) throw new RangeError('fromChunk lies past the end of the message');
  let failure: unknown = null;

  const guard = async (fn: () => Promise<void> | void): Promise<void> => {
    if (failure) throw failure;
    try {
      await fn();
    } catch (e) {
      failure = e;
      throw e;
    }
  };
  const open = async (header: Uint8Array) => {
    o = opener(await openHeader(inputKey, header, opts.context, opts.aead));
  };

  return new TransformStream<Uint8Array, Uint8Array>({
    async start() {
      if (opts.header) await guard(() => open(opts.header!));
    },
    transform(input, controller) {
      return guard(async () => {
        const data = asBytes(input);
        position += data.length;
        if (position > expectedEnd) throw new CobblestoneError('trailing');
        let off = 0;
        if (!o) {
          const take = Math.min(HEADER_BYTES - headerLen, data.length);
          headerBuf.set(data.subarray(0, take), headerLen);
          headerLen += take;
          off = take;
          if (headerLen < HEADER_BYTES) return;
          await open(headerBuf);
        }
        const k = o!;
        const out: Buffer[] = [];
        // What authenticated before a chunk that fails still goes out, in order (as createDecryptStream does).
        const release = () => {
          if (out.length) controller.enqueue(out.length === 1 ? out[0] : Buffer.concat(out));
        };
        try {
          if (carryLen > 0) {
            const take = Math.min(SEALED_CHUNK_BYTES - carryLen, data.length - off);
            carry.set(data.subarray(off, off + take), carryLen);
            carryLen += take;
            off += take;
            // A sealed chunk of 16400 bytes is never final, so it can be opened now.
            if (carryLen === SEALED_CHUNK_BYTES) {
              out.push(openChunk(k, index++, carry));
              carryLen = 0;
            }
          }
          while (data.length - off >= SEALED_CHUNK_BYTES) {
            out.push(openChunk(k, index++, data.subarray(off, off + SEALED_CHUNK_BYTES)));
            off += SEALED_CHUNK_BYTES;
          }
          if (off < data.length) {
            carry.set(data.subarray(off), carryLen);
            carryLen += data.length - off;
          }
        } catch (e) {
          release();
          throw e;
        }
        release();
      });
    },
    flush(controller) {
      return guard(() => {
        if (!o) throw new CobblestoneError('truncated', 'shorter than the 56-byte header');
        if (opts.size !== undefined && position < expectedEnd) throw new CobblestoneError('truncated');
        if (carryLen < TAG_BYTES) throw new CobblestoneError('truncated', carryLen === 0 ? 'the final chunk is missing' : 'the final chunk is cut');
        controller.enqueue(openChunk(o, index++, carry.subarray(0, carryLen)));
      });
    },
  });
}
