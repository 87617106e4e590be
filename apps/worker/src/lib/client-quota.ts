// The per-client share of the byte quota: one address (or one upload token) may
// hold at most CLIENT_QUOTA_BYTES reserved at once, so no single client can
// reserve the whole server by declaring sizes and uploading nothing.
import type { Env } from '../env.ts';
import { b64uEncode, utf8Encode } from '@sealdrop/crypto';
import { hmac } from './bytes.ts';
import type { ClientIp } from './ip.ts';
import { serverSecret } from './secrets.ts';

/** The key a new share's reservation is counted under. */
export async function quotaKey(env: Env, ip: ClientIp, tokenId: string | null): Promise<string> {
  if (tokenId !== null) return `token:${tokenId}`;
  return `ip:${b64uEncode((await hmac(serverSecret(env), 'quota client', utf8Encode(ip.key))).slice(0, 16))}`;
}

/** SQL: the bytes `?key` holds reserved (bind the key as the given parameter). */
export const heldBytesSql = (param: string) =>
  `COALESCE((SELECT SUM(bytes) FROM shares WHERE quota_key = ${param} AND quota_released = 0), 0)`;

export async function heldBytes(env: Env, key: string): Promise<number> {
  const r = await env.DB.prepare(`SELECT ${heldBytesSql('?1')} AS held`).bind(key).first<{ held: number }>();
  return r?.held ?? 0;
}
