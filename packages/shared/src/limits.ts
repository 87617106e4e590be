// Protocol constants every party agrees on. Deployment limits (which may be lowered
// by configuration) come from GET /api/config at run time; these are the defaults.

export const SHARE_ID_RE = /^[A-Za-z0-9_-]{22}$/;
export const B64U_RE = /^[A-Za-z0-9_-]*$/;

export const MIB = 1024 * 1024;
export const GIB = 1024 * MIB;

export const DEFAULT_PART_BYTES = 16 * MIB;
export const MIN_PART_BYTES = 5 * MIB;
export const MAX_PART_BYTES = 95 * MIB;

export const DEFAULT_MAX_FILE_BYTES = 10 * GIB;
export const DEFAULT_MAX_SHARE_BYTES = 20 * GIB;
export const DEFAULT_MAX_FILES = 1000;
export const DEFAULT_MAX_EXPIRY_SECONDS = 7 * 24 * 3600;
export const DEFAULT_EXPIRY_SECONDS = 24 * 3600;
export const DEFAULT_MAX_DOWNLOADS = 100;

export const MAX_MANIFEST_CIPHERTEXT_BYTES = 1 * MIB;
export const MAX_PART_RESENDS = 3;
export const CHALLENGE_TTL_SECONDS = 5 * 60;
export const MAX_GRANT_SECONDS = 6 * 3600;
export const UNFINALIZED_TTL_SECONDS = 24 * 3600;
export const MAX_REPORT_CHARS = 2000;
export const MAX_USER_AGENT_CHARS = 512;

/** Wrong-password limits of DESIGN.md "Access protocol". */
export const BACKOFF_FREE_ATTEMPTS = 5;
export const BACKOFF_BASE_SECONDS = 2;
export const BACKOFF_MAX_SECONDS = 15 * 60;
export const WRONG_PASSWORDS_PER_HOUR = 20;
export const WRONG_PASSWORDS_PER_DAY = 100;

/** Number of parts a file of `size` ciphertext bytes is cut into (at least one). */
export function partCount(size: number, partBytes: number): number {
  return Math.max(1, Math.ceil(size / partBytes));
}

/** Byte range [start, end) of part n of a file of `size` ciphertext bytes. */
export function partRange(size: number, partBytes: number, n: number): { start: number; end: number } {
  const start = n * partBytes;
  return { start, end: Math.min(start + partBytes, size) };
}
