// Cobblestone decryption on node:crypto, for the CLI (issue 11): decryptFrames.ts's
// framing (the same format, checks and errors as createDecryptStream) with
// another chunk opener. The difference is cost: WebCrypto makes a promise, a
// thread-pool job and two copies per 16 KiB chunk, and enqueues every chunk on
// its own. Here each chunk is opened synchronously with OpenSSL's AES-GCM and
// all the chunks one input carried leave as one piece, so the reader does its
// work (write, hash) once per network read instead of once per chunk.

import { createDecipheriv, KeyObject } from 'node:crypto';
import { chunkNonce, CobblestoneError, TAG_BYTES, type DecryptStreamOptions, type MessageKeys } from '../cobblestone.ts';
import { createFrameDecryptor, createFramedDecryptStream, type ChunkOpener, type FrameDecryptor } from '../decryptFrames.ts';

/** Opens chunks synchronously with node:crypto AES-GCM; a plaintext only once its tag verified. */
export function nodeCryptoOpener(keys: MessageKeys): ChunkOpener {
  const algorithm = keys.aead === 'AEAD_AES_128_GCM' ? 'aes-128-gcm' : 'aes-256-gcm';
  // The CryptoKey is not extractable; node hands its key material to OpenSSL as a KeyObject without exposing it.
  const key = KeyObject.from(keys.key);
  return {
    // Synchronous: every chunk of an input is opened before any is handed on.
    batch: Infinity,
    open(index, _isFinal, sealed) {
      const n = sealed.length - TAG_BYTES;
      const d = createDecipheriv(algorithm, key, chunkNonce(keys.baseNonce, index), { authTagLength: TAG_BYTES });
      d.setAuthTag(sealed.subarray(n));
      const plain = d.update(sealed.subarray(0, n));
      try {
        d.final();
      } catch {
        throw new CobblestoneError('auth', `chunk ${index}`);
      }
      return plain;
    },
    // Buffer.concat skips the zero-filling of a fresh Uint8Array.
    join: (parts) => Buffer.concat(parts),
  };
}

/**
 * createDecryptStream on node:crypto: the commitment is checked before any
 * chunk, a chunk's plaintext is released only after its tag verified,
 * truncation, trailing data and reordering error the stream, and an errored
 * stream stays errored. Output pieces are whole chunks (the last one shorter):
 * all those one input carried as one piece (joinChunks is always on).
 */
export function createNodeDecryptStream(inputKey: Uint8Array, opts: DecryptStreamOptions = {}): TransformStream<Uint8Array, Uint8Array> {
  return createFramedDecryptStream(inputKey, { ...opts, joinChunks: true }, nodeCryptoOpener);
}

/** createNodeDecryptStream's checks and output, fed by hand (FrameDecryptor). */
export function createNodeDecryptor(inputKey: Uint8Array, opts: DecryptStreamOptions = {}): Promise<FrameDecryptor> {
  return createFrameDecryptor(inputKey, { ...opts, joinChunks: true }, nodeCryptoOpener);
}
