// SERVER_SECRET is the root of every server-side MAC key (challenges, grants,
// back-off client keys); each purpose gets its own derived key (bytes.hmac).
// ADMIN_TOKEN is the bootstrap admin credential. Both must be long random
// strings: a length check alone lets `passwordpasswordpasswordpassword` through.
import type { Env } from '../env.ts';
import { Fail } from './errors.ts';

export const MIN_SECRET_CHARS = 32;
/** Estimated bits a secret must carry (see secretWeakness). */
export const MIN_SECRET_BITS = 128;
export const SECRET_ADVICE = 'use a random value of at least 32 characters, e.g. `openssl rand -base64 32`';

/**
 * Why `value` is not a usable secret, or null when it is. A conservative estimate:
 * characters that repeat or step by one from the previous one (`aaaa`, `abcd`, `4321`)
 * count for nothing, every other character for the empirical entropy per character of
 * the whole string; a string made of one block repeated is refused outright. 32 random
 * bytes in base64 or hex score about 200 bits; words, keyboard runs and repeats stay
 * far below 128.
 */
export function secretWeakness(value: string | undefined): string | null {
  if (value === undefined || value === '') return 'is not set';
  const chars = [...value];
  const n = chars.length;
  if (n < MIN_SECRET_CHARS) return `is shorter than ${MIN_SECRET_CHARS} characters`;
  for (let p = 1; p <= n / 2; p++) {
    if (chars.every((ch, i) => i < p || ch === chars[i - p])) return 'repeats one short block';
  }
  const counts = new Map<string, number>();
  for (const ch of chars) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let perChar = 0;
  for (const k of counts.values()) perChar -= (k / n) * Math.log2(k / n);
  let fresh = 1;
  for (let i = 1; i < n; i++) {
    if (Math.abs(chars[i].codePointAt(0)! - chars[i - 1].codePointAt(0)!) > 1) fresh++;
  }
  const bits = fresh * perChar;
  return bits < MIN_SECRET_BITS ? `has too little entropy (about ${Math.floor(bits)} bits, ${MIN_SECRET_BITS} needed)` : null;
}

/** The 503 message for an unusable secret: names the variable and says what to do. */
export function secretProblem(name: 'SERVER_SECRET' | 'ADMIN_TOKEN', value: string | undefined): string | null {
  const weak = secretWeakness(value);
  return weak && `${name} ${weak}: ${SECRET_ADVICE}`;
}

export function serverSecret(env: Env): string {
  const problem = secretProblem('SERVER_SECRET', env.SERVER_SECRET);
  if (problem) throw new Fail('unavailable', `the server is not configured: ${problem}`);
  return env.SERVER_SECRET!;
}
