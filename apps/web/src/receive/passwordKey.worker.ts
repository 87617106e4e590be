// Argon2id (64 MiB, about a quarter of a second) off the main thread, so the
// page stays responsive and can show that it is busy.
import { derivePasswordKey } from '@sealdrop/crypto';

self.onmessage = async (e: MessageEvent<{ password: string; salt: Uint8Array; kdf: unknown }>) => {
  try {
    const key = await derivePasswordKey(e.data.password, e.data.salt, e.data.kdf);
    (self as unknown as Worker).postMessage({ key });
  } catch (err) {
    (self as unknown as Worker).postMessage({ error: (err as Error).message });
  }
};
