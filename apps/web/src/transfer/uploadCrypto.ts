// The crypto work of an upload, on @sealdrop/crypto/browser's Web Worker pool, so
// the page stays responsive and every core works: parts in flight are encrypted
// by the pool's encryption workers side by side, each hashed and wrapped in the
// worker that made it; the plaintext those workers read also goes, by transfer,
// to the pool's tap worker, which takes each file's SHA-256 for the manifest on
// the way (the File is read once). When the tap cannot see a file whole (a
// resume that re-made later parts first), the file is hashed by a read of its own.
import { createCryptoPool, type CryptoPool } from '@sealdrop/crypto/browser';
import { prepareShareKeys, type PreparedShareKeys } from '@sealdrop/transfer';

export interface UploadCrypto {
  /**
   * Ciphertext bytes [start, end) of the message encrypting file `file` (`blob`)
   * under (inputKey, salt, context), as a Blob (ready to be a request body;
   * Chromium keeps it out of the page's heap and streams it), and their SHA-256
   * (hex). The plaintext read goes to the file's whole-file hash.
   */
  makePart(file: number, blob: Blob, inputKey: Uint8Array, context: Uint8Array, salt: Uint8Array, start: number, end: number): Promise<{ body: Blob; sha256: string }>;
  /** File `file` has no more parts to make in this run. */
  partsDone(file: number, blob: Blob): void;
  /** Hex SHA-256 of file `file` (`blob`): from the parts' reads, else from a read of its own. */
  fileSha256(file: number, blob: Blob, onProgress?: (bytes: number) => void): Promise<string>;
  /** Hex SHA-256 of a whole file, read as a stream. */
  sha256Blob(blob: Blob, onProgress?: (bytes: number) => void): Promise<string>;
  derivePasswordKey(password: string, salt: Uint8Array): Promise<Uint8Array>;
  /** A link secret and keys made when the files were picked, for this upload's create (the engine's `prepared`). */
  preparedKeys?: Promise<PreparedShareKeys>;
  terminate(): void;
}

/** A pool whose workers are loading already, for the next upload. */
let ready: CryptoPool | null = null;
/** The next upload's link secret and keys, made ahead; each goes to one upload. */
let readyKeys: Promise<PreparedShareKeys> | null = null;

/**
 * Files were picked: start the next upload's workers now, so a small file's
 * send does not wait for them to load (tens of milliseconds, serial after "Send").
 */
export function prepareUploadCrypto(): void {
  if (ready || typeof Worker === 'undefined') return;
  ready = createCryptoPool();
  ready.warm();
  // The share's secret and keys too, once the picked files are drawn (issue 11:
  // a small send's click → link; the first derivation also builds Ed25519's table).
  setTimeout(() => {
    readyKeys ??= prepareShareKeys();
    readyKeys.catch(() => {});
  }, 50);
}

export function createUploadCrypto(): UploadCrypto {
  const pool = ready ?? createCryptoPool();
  ready = null;
  const preparedKeys = readyKeys ?? undefined;
  readyKeys = null;
  // Else made at "Send": the workers load while the share is created, not after.
  pool.warm();
  /** Per file: tap batches its parts' makes passed, for closeTap. */
  const tapped = new Map<number, number>();
  return {
    async makePart(file, blob, inputKey, context, salt, start, end) {
      const r = await pool.makeTappedPart(file, blob, inputKey, context, salt, start, end);
      tapped.set(file, (tapped.get(file) ?? 0) + r.tapped);
      // The Blob is made here, from bytes this thread then drops: V8 counts those
      // bytes, so this thread collects its garbage as parts go, and with it the
      // Blobs of parts already sent (whose bytes the browser process holds; it
      // counts them not). Made in the worker, they piled up: +1.1 GB for 1 GiB.
      return { body: new Blob([r.bytes as Uint8Array<ArrayBuffer>]), sha256: r.sha256 };
    },
    partsDone: (file, blob) => pool.closeTap(file, blob.size, tapped.get(file) ?? 0),
    async fileSha256(file, blob, onProgress) {
      const tapped = await pool.tapSha256(file, blob.size);
      if (tapped !== null) {
        onProgress?.(blob.size);
        return tapped;
      }
      return pool.sha256Blob(blob, onProgress);
    },
    sha256Blob: (blob, onProgress) => pool.sha256Blob(blob, onProgress),
    derivePasswordKey: (password, salt) => pool.derivePasswordKey(password, salt),
    preparedKeys,
    terminate: () => pool.terminate(),
  };
}
