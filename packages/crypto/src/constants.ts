// Protocol constants owned by the format (DESIGN.md "Upload", "Share ids",
// "Manifest", "Key schedule"). packages/shared re-exports them for the API
// schemas and the worker, so each one is written down exactly once.
// No imports: packages/shared loads this file without the crypto code.

/** Share ids: 22 base64url characters (16 random bytes). */
export const SHARE_ID_RE = /^[A-Za-z0-9_-]{22}$/;

/** The largest sealed manifest (ciphertext bytes) a server stores and a client opens. */
export const MAX_MANIFEST_CIPHERTEXT_BYTES = 1024 * 1024;

/** The v1 password-hashing parameters. A client refuses a share with any other. */
export const KDF_V1 = { alg: 'argon2id', t: 3, m: 65536, p: 1 } as const;
export type KdfV1 = typeof KDF_V1;

// ---- part geometry: a file's ciphertext is cut into parts of partBytes (the last shorter)
const MIB = 1024 * 1024;
export const DEFAULT_PART_BYTES = 16 * MIB;
export const MIN_PART_BYTES = 5 * MIB;
export const MAX_PART_BYTES = 95 * MIB;

/** Number of parts a file of `size` ciphertext bytes is cut into (at least one). */
export function partCount(size: number, partBytes: number): number {
  return Math.max(1, Math.ceil(size / partBytes));
}

/** Byte range [start, end) of part n of a file of `size` ciphertext bytes. */
export function partRange(size: number, partBytes: number, n: number): { start: number; end: number } {
  const start = n * partBytes;
  return { start, end: Math.min(start + partBytes, size) };
}
