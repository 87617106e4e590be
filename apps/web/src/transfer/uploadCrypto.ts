// The crypto work of an upload, behind one small interface so the engine does not
// care where it runs. TEMPORARY: this runs on the main thread with the universal
// @sealdrop/crypto functions until the Web Worker pool of @sealdrop/crypto/browser
// lands; then createUploadCrypto() returns the pool.
import {
  blobSource,
  createSha256,
  deriveMessageKeys,
  derivePasswordKey,
  encryptRange,
  sha256Hex,
} from '@sealdrop/crypto';

export interface UploadCrypto {
  /** Ciphertext bytes [start, end) of the message encrypting `blob` under (inputKey, salt, context). */
  encryptPart(blob: Blob, inputKey: Uint8Array, context: Uint8Array, salt: Uint8Array, start: number, end: number): Promise<Uint8Array>;
  /** Hex SHA-256 of a part's ciphertext (the journal's part digest). */
  digest(bytes: Uint8Array): Promise<string>;
  /** Hex SHA-256 of a whole file, read in a stream. */
  sha256Blob(blob: Blob, onProgress?: (bytes: number) => void): Promise<string>;
  derivePasswordKey(password: string, salt: Uint8Array): Promise<Uint8Array>;
  terminate(): void;
}

export function createUploadCrypto(): UploadCrypto {
  return {
    async encryptPart(blob, inputKey, context, salt, start, end) {
      const keys = await deriveMessageKeys(inputKey, salt, context);
      return encryptRange(blobSource(blob), keys, start, end);
    },
    digest: (bytes) => sha256Hex(bytes),
    async sha256Blob(blob, onProgress) {
      const h = await createSha256();
      const reader = blob.stream().getReader();
      let n = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        h.update(value);
        n += value.length;
        onProgress?.(n);
      }
      return h.digestHex();
    },
    derivePasswordKey: (password, salt) => derivePasswordKey(password, salt),
    terminate() {},
  };
}
