// "Suggest one": a passphrase of random words from WORDS, drawn with the CSPRNG and
// without modulo bias, so every word is equally likely.
import { WORDS } from './words.ts';

export const PASSPHRASE_WORDS = 5;

/** Uniform integer in [0, n) from crypto.getRandomValues (rejection sampling). */
export function randomIndex(n: number): number {
  if (!Number.isInteger(n) || n <= 0 || n > 2 ** 32) throw new RangeError('n out of range');
  const limit = Math.floor(2 ** 32 / n) * n;
  const buf = new Uint32Array(1);
  for (;;) {
    crypto.getRandomValues(buf);
    if (buf[0] < limit) return buf[0] % n;
  }
}

export function suggestPassphrase(words = PASSPHRASE_WORDS): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(WORDS[randomIndex(WORDS.length)]);
  return out.join('-');
}

/** Strength of a suggested passphrase in bits (shown to the user in words, not numbers). */
export function passphraseBits(words = PASSPHRASE_WORDS): number {
  return words * Math.log2(WORDS.length);
}
