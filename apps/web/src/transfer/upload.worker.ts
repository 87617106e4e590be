/// <reference lib="webworker" />
// The sender's crypto off the main thread: one part (encrypt a byte range of the
// message, then hash that ciphertext for the journal), the SHA-256 of a whole file,
// or the Argon2id password key. Each request carries everything it needs; the
// worker keeps nothing between requests.
import { blobSource, createSha256, deriveMessageKeys, derivePasswordKey, encryptRange } from '@sealdrop/crypto';

export type UploadWorkerRequest =
  | { op: 'part'; id: number; blob: Blob; inputKey: Uint8Array; context: Uint8Array; salt: Uint8Array; start: number; end: number }
  | { op: 'sha256'; id: number; blob: Blob }
  | { op: 'password'; id: number; password: string; salt: Uint8Array };

export type UploadWorkerResponse =
  | { id: number; ok: true; bytes?: Uint8Array; sha256?: string; key?: Uint8Array }
  | { id: number; ok: false; name: string; message: string }
  | { id: number; progress: number };

declare const self: DedicatedWorkerGlobalScope;

const READ_BYTES = 4 * 1024 * 1024;

async function hashBlob(id: number, blob: Blob): Promise<string> {
  const h = await createSha256();
  // blob.stream() is several times faster than slice().arrayBuffer() in Chromium.
  const reader = blob.stream().getReader();
  let done = 0;
  let reported = 0;
  for (;;) {
    const r = await reader.read();
    if (r.done) break;
    h.update(r.value);
    done += r.value.length;
    if (done - reported >= READ_BYTES) {
      reported = done;
      self.postMessage({ id, progress: done } satisfies UploadWorkerResponse);
    }
  }
  return h.digestHex();
}

self.onmessage = async (e: MessageEvent<UploadWorkerRequest>) => {
  const req = e.data;
  try {
    if (req.op === 'part') {
      const keys = await deriveMessageKeys(req.inputKey, req.salt, req.context);
      const bytes = await encryptRange(blobSource(req.blob), keys, req.start, req.end);
      const h = await createSha256();
      h.update(bytes);
      self.postMessage({ id: req.id, ok: true, bytes, sha256: h.digestHex() } satisfies UploadWorkerResponse, [bytes.buffer]);
    } else if (req.op === 'sha256') {
      self.postMessage({ id: req.id, ok: true, sha256: await hashBlob(req.id, req.blob) } satisfies UploadWorkerResponse);
    } else {
      const key = (await derivePasswordKey(req.password, req.salt)).slice();
      self.postMessage({ id: req.id, ok: true, key } satisfies UploadWorkerResponse, [key.buffer]);
    }
  } catch (err) {
    self.postMessage({ id: req.id, ok: false, name: (err as Error)?.name ?? 'Error', message: (err as Error)?.message ?? String(err) } satisfies UploadWorkerResponse);
  }
};
