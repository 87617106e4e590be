// P = Argon2id(password) in a Web Worker of the crypto pool (its 64 MiB go away
// with the worker); on the main thread only if this browser cannot start one.
import { derivePasswordKey } from '@sealdrop/crypto';
import { createCryptoPool, type CryptoPool } from '@sealdrop/crypto/browser';

export async function passwordKey(password: string, salt: Uint8Array, kdf: unknown): Promise<Uint8Array> {
  let pool: CryptoPool;
  try {
    if (typeof Worker !== 'function') throw new Error('no workers');
    pool = createCryptoPool({ workers: 1 });
  } catch {
    return derivePasswordKey(password, salt, kdf);
  }
  try {
    return await pool.derivePasswordKey(password, salt, kdf);
  } finally {
    pool.terminate();
  }
}
