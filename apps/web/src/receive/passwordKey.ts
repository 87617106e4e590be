// P = Argon2id(password) in a Web Worker; on the main thread only if this
// browser cannot start the worker.
import { derivePasswordKey } from '@sealdrop/crypto';

export async function passwordKey(password: string, salt: Uint8Array, kdf: unknown): Promise<Uint8Array> {
  let worker: Worker;
  try {
    worker = new Worker(new URL('./passwordKey.worker.ts', import.meta.url), { type: 'module', name: 'sealdrop-password' });
  } catch {
    return derivePasswordKey(password, salt, kdf);
  }
  try {
    return await new Promise<Uint8Array>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<{ key?: Uint8Array; error?: string }>) =>
        e.data.key ? resolve(e.data.key) : reject(new Error(e.data.error ?? 'The password could not be processed.'));
      worker.onerror = (e) => reject(new Error(e.message || 'The password worker failed.'));
      worker.postMessage({ password, salt, kdf });
    });
  } finally {
    worker.terminate();
  }
}
