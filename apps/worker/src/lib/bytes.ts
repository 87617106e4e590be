// The worker's own byte helpers, only what packages/crypto does not export in
// this form (base64url, hex, UTF-8, concatenation, randomness and byte compare
// come from @sealdrop/crypto): a base64url decoder that answers null instead of
// throwing, SHA-256 of strings on WebCrypto, the server's labelled HMAC keys,
// and a compare of secret strings that leaks no length.
import { b64uDecode as strictB64uDecode, constantTimeEqual, hexEncode, utf8Encode } from '@sealdrop/crypto';

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

export async function sha256(data: Uint8Array | string): Promise<Uint8Array> {
  const bytes = typeof data === 'string' ? utf8Encode(data) : data;
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  return hexEncode(await sha256(data));
}

const hmacKeys = new Map<string, Promise<CryptoKey>>();

/** HMAC-SHA-256 under a key derived from `secret` and a purpose label. */
export async function hmac(secret: string, label: string, data: Uint8Array): Promise<Uint8Array> {
  const id = `${label}\u0000${secret}`;
  let key = hmacKeys.get(id);
  if (!key) {
    key = (async () => {
      const raw = await crypto.subtle.importKey('raw', utf8Encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
      const sub = new Uint8Array(await crypto.subtle.sign('HMAC', raw, utf8Encode(`sealdrop/v1 server ${label}`)));
      return crypto.subtle.importKey('raw', sub, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    })();
    hmacKeys.set(id, key);
  }
  return new Uint8Array(await crypto.subtle.sign('HMAC', await key, data));
}

/** Constant-time string compare (hashes both sides so length leaks nothing). */
export async function equalSecret(a: string, b: string): Promise<boolean> {
  const [ha, hb] = await Promise.all([sha256(a), sha256(b)]);
  return constantTimeEqual(ha, hb) && a.length === b.length;
}
