// The universal Cobblestone decryptor: decryptFrames.ts's framing with chunks
// opened by WebCrypto (decryptChunk), a batch of them at once; as a stream, or
// fed by hand (createDecryptor, for a reader that wants no stream hops).

import { decryptChunk, type DecryptStreamOptions, type MessageKeys } from './cobblestone.ts';
import { createFrameDecryptor, createFramedDecryptStream, type ChunkOpener, type FrameDecryptor } from './decryptFrames.ts';

/** Chunks handed to WebCrypto at once, as encryption does (Node runs them on its thread pool). */
const BATCH = 32;

/** Opens chunks with WebCrypto AES-GCM; decryptChunk copies its input before it returns. */
export function webCryptoOpener(keys: MessageKeys): ChunkOpener {
  return { batch: BATCH, open: (index, _isFinal, sealed) => decryptChunk(keys, index, sealed) };
}

/**
 * Decrypts a message as a stream. The commitment is checked before any chunk;
 * a chunk's plaintext is released only after its tag verifies; truncation,
 * trailing data and reordering error the stream, and an errored stream stays
 * errored (it never just closes).
 */
export function createDecryptStream(inputKey: Uint8Array, opts: DecryptStreamOptions = {}): TransformStream<Uint8Array, Uint8Array> {
  return createFramedDecryptStream(inputKey, opts, webCryptoOpener);
}

/** createDecryptStream's checks and output, fed by hand (FrameDecryptor). */
export function createDecryptor(inputKey: Uint8Array, opts: DecryptStreamOptions = {}): Promise<FrameDecryptor> {
  return createFrameDecryptor(inputKey, opts, webCryptoOpener);
}
