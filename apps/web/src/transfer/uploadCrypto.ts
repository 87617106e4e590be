// The crypto work of an upload, run in Web Workers (upload.worker.ts): parts are
// spread over a few encryption workers, whole-file hashes run in one more, so the
// page stays responsive and both cores work. The engine only sees this interface.
// (When @sealdrop/crypto/browser's pool lands, it can stand behind it.)
import type { UploadWorkerRequest, UploadWorkerResponse } from './upload.worker.ts';

export interface UploadCrypto {
  /** Ciphertext bytes [start, end) of the message encrypting `blob` under (inputKey, salt, context), and their SHA-256 (hex). */
  makePart(blob: Blob, inputKey: Uint8Array, context: Uint8Array, salt: Uint8Array, start: number, end: number): Promise<{ bytes: Uint8Array; sha256: string }>;
  /** Hex SHA-256 of a whole file, read as a stream. */
  sha256Blob(blob: Blob, onProgress?: (bytes: number) => void): Promise<string>;
  derivePasswordKey(password: string, salt: Uint8Array): Promise<Uint8Array>;
  terminate(): void;
}

type Pending = { resolve: (r: Extract<UploadWorkerResponse, { ok: true }>) => void; reject: (e: Error) => void; progress?: (n: number) => void };
type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

class WorkerSlot {
  readonly worker: Worker;
  busy = 0;
  readonly pending = new Map<number, Pending>();

  constructor(name: string) {
    this.worker = new Worker(new URL('./upload.worker.ts', import.meta.url), { type: 'module', name });
    this.worker.onmessage = (e: MessageEvent<UploadWorkerResponse>) => {
      const msg = e.data;
      const p = this.pending.get(msg.id);
      if (!p) return;
      if ('progress' in msg) return p.progress?.(msg.progress);
      this.pending.delete(msg.id);
      this.busy--;
      if (msg.ok) p.resolve(msg);
      else p.reject(Object.assign(new Error(msg.message), { name: msg.name }));
    };
    this.worker.onerror = (e) => this.failAll(new Error(`The encryption worker failed: ${e.message}`));
  }

  failAll(err: Error) {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.busy = 0;
  }
}

let nextId = 1;

export function createUploadCrypto(): UploadCrypto {
  const cores = typeof navigator !== 'undefined' && navigator.hardwareConcurrency ? navigator.hardwareConcurrency : 2;
  const encryptors = Array.from({ length: Math.max(1, Math.min(3, cores - 1)) }, (_, i) => new WorkerSlot(`sealdrop-encrypt-${i}`));
  let hasher: WorkerSlot | null = null;
  let terminated = false;

  function call(slot: WorkerSlot, req: DistributiveOmit<UploadWorkerRequest, 'id'>, progress?: (n: number) => void) {
    if (terminated) return Promise.reject(new DOMException('Aborted', 'AbortError'));
    const id = nextId++;
    slot.busy++;
    return new Promise<Extract<UploadWorkerResponse, { ok: true }>>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject, progress });
      slot.worker.postMessage({ ...req, id });
    });
  }

  const leastBusy = () => encryptors.reduce((a, b) => (b.busy < a.busy ? b : a));

  return {
    async makePart(blob, inputKey, context, salt, start, end) {
      const r = await call(leastBusy(), { op: 'part', blob, inputKey, context, salt, start, end });
      return { bytes: r.bytes!, sha256: r.sha256! };
    },
    async sha256Blob(blob, onProgress) {
      hasher ??= new WorkerSlot('sealdrop-hash');
      return (await call(hasher, { op: 'sha256', blob }, onProgress)).sha256!;
    },
    async derivePasswordKey(password, salt) {
      return (await call(leastBusy(), { op: 'password', password, salt })).key!;
    },
    terminate() {
      terminated = true;
      for (const slot of [...encryptors, ...(hasher ? [hasher] : [])]) {
        slot.worker.terminate();
        slot.failAll(new DOMException('Aborted', 'AbortError'));
      }
    },
  };
}
