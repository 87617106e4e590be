// The crypto work of an upload, on @sealdrop/crypto/browser's Web Worker pool, so
// the page stays responsive and every core works: parts in flight are encrypted
// by the pool's encryption workers side by side, whole files are hashed for the
// manifest in its hashing worker at the same time.
import { createCryptoPool } from '@sealdrop/crypto/browser';

export interface UploadCrypto {
  /**
   * Ciphertext bytes [start, end) of the message encrypting `blob` under
   * (inputKey, salt, context), as a Blob (ready to be a request body; Chromium
   * keeps it out of the page's heap and streams it), and their SHA-256 (hex).
   */
  makePart(blob: Blob, inputKey: Uint8Array, context: Uint8Array, salt: Uint8Array, start: number, end: number): Promise<{ body: Blob; sha256: string }>;
  /** Hex SHA-256 of a whole file, read as a stream. */
  sha256Blob(blob: Blob, onProgress?: (bytes: number) => void): Promise<string>;
  derivePasswordKey(password: string, salt: Uint8Array): Promise<Uint8Array>;
  terminate(): void;
}

export function createUploadCrypto(): UploadCrypto {
  const pool = createCryptoPool();
  return {
    // The part's digest and request body are made in the worker that encrypted it.
    makePart: (blob, inputKey, context, salt, start, end) => pool.makePart(blob, inputKey, context, salt, start, end),
    sha256Blob: (blob, onProgress) => pool.sha256Blob(blob, onProgress),
    derivePasswordKey: (password, salt) => pool.derivePasswordKey(password, salt),
    terminate: () => pool.terminate(),
  };
}
