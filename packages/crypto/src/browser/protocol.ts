// Messages between the crypto pool (pool.ts) and its workers (pool.worker.ts).
export type PoolRequest =
  | { op: 'encrypt'; id: number; blob: Blob; inputKey: Uint8Array; context: Uint8Array; salt: Uint8Array; start: number; end: number }
  /** The same, answered as a request body: the part wrapped in a Blob with its SHA-256, both made in the worker. */
  | { op: 'part'; id: number; blob: Blob; inputKey: Uint8Array; context: Uint8Array; salt: Uint8Array; start: number; end: number }
  | { op: 'sha256'; id: number; blob?: Blob; bytes?: Uint8Array }
  | { op: 'argon2'; id: number; password: string; salt: Uint8Array; kdf?: unknown }
  /** A finished part's memory handed back for the worker's next output (no response). */
  | { op: 'recycle'; id: number; buffer: ArrayBuffer };

export type PoolResponse =
  | { id: number; ok: true; bytes?: Uint8Array; body?: Blob; sha256?: string; /** Recycled buffers the worker still holds, and outputs written into one so far. */ spares?: number; reusedOutputs?: number }
  | { id: number; ok: false; name: string; message: string; kind?: string }
  | { id: number; progress: number };
