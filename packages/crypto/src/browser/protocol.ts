// Messages between the crypto pool (pool.ts) and its workers (pool.worker.ts).
export type PoolRequest =
  | { op: 'encrypt'; id: number; blob: Blob; inputKey: Uint8Array; context: Uint8Array; salt: Uint8Array; start: number; end: number }
  | { op: 'sha256'; id: number; blob?: Blob; bytes?: Uint8Array }
  | { op: 'argon2'; id: number; password: string; salt: Uint8Array; kdf?: unknown };

export type PoolResponse =
  | { id: number; ok: true; bytes?: Uint8Array; sha256?: string }
  | { id: number; ok: false; name: string; message: string; kind?: string }
  | { id: number; progress: number };
