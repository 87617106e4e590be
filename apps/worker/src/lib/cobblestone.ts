// Sizes of Cobblestone-256 messages (DESIGN.md "The ciphertext format"):
// 56 + n + 16 * (floor(n / 16384) + 1) bytes for n plaintext bytes.
const HEADER = 56;
const CHUNK = 16384;
const TAG = 16;

/** True when some plaintext length n gives exactly `size` ciphertext bytes. */
export function isCiphertextSize(size: number): boolean {
  if (!Number.isSafeInteger(size) || size < HEADER + TAG) return false;
  return (size - HEADER - TAG) % (CHUNK + TAG) < CHUNK;
}
