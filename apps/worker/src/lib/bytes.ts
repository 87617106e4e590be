// Byte helpers: strict base64url, hex, SHA-256, HMAC, constant-time compare, randomness.
import { b64uDecode as strictB64uDecode, b64uEncode } from '@sealdrop/crypto';

export { b64uEncode };

/**
 * Strict base64url without padding (packages/crypto): only the URL-safe alphabet,
 * no padding or whitespace, no impossible length, zero trailing bits (one spelling
 * per value). null on anything else, or when the length is not `expected`.
 */
export function b64uDecode(s: string, expected?: number): Uint8Array | null {
  try {
    return strictB64uDecode(s, expected);
  } catch {
    return null;
  }
}

export function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function randomBytes(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}

export async function sha256(data: Uint8Array | string): Promise<Uint8Array> {
  const bytes = typeof data === 'string' ? utf8(data) : data;
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  return hex(await sha256(data));
}

const hmacKeys = new Map<string, Promise<CryptoKey>>();

/** HMAC-SHA-256 under a key derived from `secret` and a purpose label. */
export async function hmac(secret: string, label: string, data: Uint8Array): Promise<Uint8Array> {
  const id = `${label}\u0000${secret}`;
  let key = hmacKeys.get(id);
  if (!key) {
    key = (async () => {
      const raw = await crypto.subtle.importKey('raw', utf8(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
      const sub = new Uint8Array(await crypto.subtle.sign('HMAC', raw, utf8(`sealdrop/v1 server ${label}`)));
      return crypto.subtle.importKey('raw', sub, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    })();
    hmacKeys.set(id, key);
  }
  return new Uint8Array(await crypto.subtle.sign('HMAC', await key, data));
}

/** Compare two byte strings in time independent of where they differ. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

/** Constant-time string compare (hashes both sides so length leaks nothing). */
export async function equalSecret(a: string, b: string): Promise<boolean> {
  const [ha, hb] = await Promise.all([sha256(a), sha256(b)]);
  return equalBytes(ha, hb) && a.length === b.length;
}
