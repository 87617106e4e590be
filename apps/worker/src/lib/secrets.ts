// SERVER_SECRET is the root of every server-side MAC key (challenges, grants,
// back-off client keys); each purpose gets its own derived key (bytes.hmac).
import type { Env } from '../env.ts';
import { Fail } from './errors.ts';

export const MIN_SECRET_CHARS = 32;

export function serverSecret(env: Env): string {
  const s = env.SERVER_SECRET;
  if (!s || s.length < MIN_SECRET_CHARS) throw new Fail('unavailable', 'the server is not configured (SERVER_SECRET)');
  return s;
}
