// Decrypts a whole message from a Blob with createDecryptStream (as the web app's
// download worker does) and hashes the plaintext on the way.
import { createDecryptStream, createSha256 } from '../../src/index.ts';

export interface DecryptRequest {
  blob: Blob;
  inputKey: Uint8Array;
  context: Uint8Array;
  hash?: boolean;
}
export type DecryptResponse = { ok: true; bytes: number; sha256: string | null; ms: number } | { ok: false; error: string; kind?: string };

const scope = self as unknown as { onmessage: ((e: MessageEvent<DecryptRequest>) => void) | null; postMessage(m: DecryptResponse): void };

scope.onmessage = async (e) => {
  const { blob, inputKey, context, hash = true } = e.data;
  const t0 = performance.now();
  try {
    const h = hash ? await createSha256() : null;
    let bytes = 0;
    const reader = blob.stream().pipeThrough(createDecryptStream(inputKey, { context })).getReader();
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      bytes += r.value.length;
      h?.update(r.value);
    }
    scope.postMessage({ ok: true, bytes, sha256: h ? h.digestHex() : null, ms: performance.now() - t0 });
  } catch (err) {
    scope.postMessage({ ok: false, error: String(err), kind: (err as { kind?: string }).kind });
  }
};
