// Messages between the crypto pool (pool.ts) and its workers (pool.worker.ts).
export type PoolRequest =
  | { op: 'encrypt'; id: number; blob: Blob; inputKey: Uint8Array; context: Uint8Array; salt: Uint8Array; start: number; end: number }
  /** The same, answered as a request body: the part wrapped in a Blob with its SHA-256, both made in the worker. */
  | {
      op: 'part';
      id: number;
      blob: Blob;
      inputKey: Uint8Array;
      context: Uint8Array;
      salt: Uint8Array;
      start: number;
      end: number;
      /** Also pass the plaintext read to the tap worker as file `tap`'s bytes (tap.worker.ts), and answer with the part's bytes (transferred) instead of a Blob. */
      tap?: number;
    }
  | { op: 'sha256'; id: number; blob?: Blob; bytes?: Uint8Array }
  | { op: 'argon2'; id: number; password: string; salt: Uint8Array; kdf?: unknown }
  /** A finished part's memory handed back for the worker's next output (no response). */
  | { op: 'recycle'; id: number; buffer: ArrayBuffer }
  /** The port to the tap worker (sent once, to each encryption worker). */
  | { op: 'tapPort'; id: number; port: MessagePort };

export type PoolResponse =
  | { id: number; ok: true; bytes?: Uint8Array; body?: Blob; sha256?: string; /** Recycled buffers the worker still holds, and outputs written into one so far. */ spares?: number; reusedOutputs?: number; /** Plaintext batches this request passed to the tap. */ tapped?: number }
  | { id: number; ok: false; name: string; message: string; kind?: string }
  | { id: number; progress: number };

// ---- the tap worker (tap.worker.ts): the whole-file SHA-256 of plaintext the encryption workers read

/** Plaintext bytes of file `file` from `offset`, in order, from an encryption worker's reads. */
export interface TapBatch {
  file: number;
  size: number;
  offset: number;
  chunks: Uint8Array[];
}

export type TapRequest =
  /** A port on which an encryption worker sends TapBatches. */
  | { op: 'port'; port: MessagePort }
  /** Answer with file `file`'s SHA-256 once every byte went through the tap, or null once that cannot happen. */
  | { op: 'digest'; id: number; file: number; size: number }
  /** No more makes of `file`: once `batches` batches of it arrived, a tap still short of its end never completes. */
  | { op: 'close'; file: number; size: number; batches: number };

export type TapResponse = { id: number; sha256: string | null };
