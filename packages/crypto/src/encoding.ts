// Byte encodings used on the wire: strict base64url (no padding, canonical),
// hex, UTF-8, and a constant-time comparison.

export class EncodingError extends Error {
  override name = 'EncodingError';
}

const B64U = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64U_VALUE = new Int16Array(128).fill(-1);
for (let i = 0; i < B64U.length; i++) B64U_VALUE[B64U.charCodeAt(i)] = i;

/** base64url without padding (RFC 4648 §5). */
export function b64uEncode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += B64U[n >>> 18] + B64U[(n >>> 12) & 63] + B64U[(n >>> 6) & 63] + B64U[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += B64U[n >>> 18] + B64U[(n >>> 12) & 63];
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += B64U[n >>> 18] + B64U[(n >>> 12) & 63] + B64U[(n >>> 6) & 63];
  }
  return out;
}

/**
 * Strict base64url decoding: only [A-Za-z0-9_-], no padding, no whitespace, a
 * length that some byte string encodes to, and zero trailing bits (so every
 * byte string has exactly one spelling). Throws EncodingError.
 */
export function b64uDecode(s: string, expectedLength?: number): Uint8Array {
  if (typeof s !== 'string') throw new EncodingError('base64url: not a string');
  if (s.length % 4 === 1) throw new EncodingError('base64url: impossible length');
  const outLen = Math.floor((s.length * 3) / 4);
  if (expectedLength !== undefined && outLen !== expectedLength) {
    throw new EncodingError(`base64url: expected ${expectedLength} bytes, got ${outLen}`);
  }
  const out = new Uint8Array(outLen);
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? B64U_VALUE[c] : -1;
    if (v < 0) throw new EncodingError(`base64url: invalid character at ${i}`);
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) {
    throw new EncodingError('base64url: non-canonical trailing bits');
  }
  return out;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function hexEncode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]];
  return out;
}

/** Hex decoding (either case accepted, even length, nothing else). */
export function hexDecode(s: string, expectedLength?: number): Uint8Array {
  if (typeof s !== 'string' || s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) {
    throw new EncodingError('hex: invalid string');
  }
  if (expectedLength !== undefined && s.length !== expectedLength * 2) {
    throw new EncodingError(`hex: expected ${expectedLength} bytes, got ${s.length / 2}`);
  }
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(i * 2, 2), 16);
  return out;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function utf8Encode(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Strict UTF-8 decoding (throws EncodingError on malformed input). */
export function utf8Decode(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new EncodingError('utf-8: malformed input');
  }
}

export function concatBytes(...arrs: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const a of arrs) len += a.length;
  const out = new Uint8Array(len);
  let o = 0;
  for (const a of arrs) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}

/** Compares two byte strings in time independent of where they differ. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** Fresh CSPRNG bytes (WebCrypto; getRandomValues is capped at 65536 per call). */
export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let o = 0; o < n; o += 65536) globalThis.crypto.getRandomValues(out.subarray(o, Math.min(n, o + 65536)));
  return out;
}

/** WebCrypto wants ArrayBuffer-backed views; ours always are. */
export function bufferSource(u: Uint8Array): Uint8Array<ArrayBuffer> {
  return u as Uint8Array<ArrayBuffer>;
}
