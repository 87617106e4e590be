// Storage exhaustion: a full disk under the local runtime, a refused write in
// R2. It is not the client's fault and not a bug: the answer is 503 unavailable
// with Retry-After and words that say so, and /api/health reports it.
import { Fail } from './errors.ts';

/** Seconds a client should wait before trying a write again when storage is full. */
export const STORAGE_RETRY_SECONDS = 60;

const FULL = /ENOSPC|no space left|disk (?:is )?full|database or disk is full|SQLITE_FULL|quota exceeded|storage (?:is )?full/i;

/** Whether `e` (or its cause) says the storage has no room. */
export function isStorageFull(e: unknown): boolean {
  for (let x = e as { message?: unknown; cause?: unknown } | undefined, depth = 0; x && depth < 4; x = x.cause as typeof x, depth++) {
    if (typeof x.message === 'string' && FULL.test(x.message)) return true;
  }
  return false;
}

/** The 503 for a write that failed because storage is full, else null. */
export function storageFailure(e: unknown): Fail | null {
  if (!isStorageFull(e)) return null;
  markStorageFull();
  return new Fail('unavailable', 'the server has run out of storage space; nothing was stored, try again later', STORAGE_RETRY_SECONDS);
}

/** How long after a failed write /api/health keeps reporting full storage (unless a write succeeds first). */
const DEGRADED_MS = 5 * 60_000;
// What this instance saw: health cannot probe R2 without writing an object that is no share's.
let fullSince: number | null = null;
let lastFullAt = 0;

export function markStorageFull(t = Date.now()): void {
  fullSince ??= t;
  lastFullAt = t;
}

export function markStorageOk(): void {
  fullSince = null;
}

/** GET /api/health: 200 {ok: true}, or 503 with storage "full" while writes fail for lack of room. */
export function storageHealth(t = Date.now()): { status: 200 | 503; body: { ok: boolean; storage?: 'full'; since?: string; message?: string } } {
  if (fullSince !== null && t - lastFullAt > DEGRADED_MS) fullSince = null;
  if (fullSince === null) return { status: 200, body: { ok: true } };
  return {
    status: 503,
    body: {
      ok: false,
      storage: 'full',
      since: new Date(fullSince).toISOString(),
      message: 'storage is full: new uploads are refused with 503; stored shares can still be downloaded',
    },
  };
}
