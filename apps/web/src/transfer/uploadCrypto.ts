// The crypto work of an upload, on @sealdrop/crypto/browser's Web Worker pool, so
// the page stays responsive and every core works. Two pools, because each has one
// hashing lane: the first encrypts parts (its chunks split across the encryption
// workers) and hashes each part's ciphertext for the journal; the second only
// hashes whole files for the manifest (its encryption workers are never started),
// so a long file hash never holds up a part.
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
  const parts = createCryptoPool();
  const files = createCryptoPool({ workers: 1 });
  return {
    async makePart(blob, inputKey, context, salt, start, end) {
      const body = new Blob([(await parts.encryptPart(blob, inputKey, context, salt, start, end)) as Uint8Array<ArrayBuffer>]);
      // Hashed from the Blob: the worker streams it, no second copy of the part.
      return { body, sha256: await parts.sha256Blob(body) };
    },
    sha256Blob: (blob, onProgress) => files.sha256Blob(blob, onProgress),
    derivePasswordKey: (password, salt) => parts.derivePasswordKey(password, salt),
    terminate() {
      parts.terminate();
      files.terminate();
    },
  };
}
