// Wrapping the link secret S to recipients, and unwrapping it with identities
// (docs/PROTOCOL.md §6 "Wrapping S"): a recipient wraps S into a stanza, an
// identity unwraps one. The rest of the protocol never learns which was used.
//
//   (enc, ss) = X-Wing.encapsulate(pk)
//   k    = HKDF-SHA-256(IKM = ss, salt = "sealdrop/v1", info = "sealdrop/v1 recipient " || id, 32)
//   wrap = AES-256-GCM(k, nonce = 0^12, S, aad = empty)      (k is used once)

import { ml_kem768_x25519 } from '@noble/post-quantum/hybrid.js';
import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { b64uDecode, b64uEncode, bufferSource, randomBytes, utf8Encode } from './encoding.ts';
import { LINK_SECRET_BYTES } from './keys.ts';
import type { Identity, Recipient } from './recipient-keys.ts';

export const XWING_ENC_BYTES = 1120;
export const WRAP_BYTES = LINK_SECRET_BYTES + 16;
export const MIN_STANZAS = 1;
export const MAX_STANZAS = 20;

export interface Stanza {
  kem: 'xwing';
  /** b64u of the 1120-byte X-Wing ciphertext (1494 characters). */
  enc: string;
  /** b64u of the 48-byte AES-256-GCM wrap of S (64 characters). */
  wrap: string;
}

/** No identity given opened any stanza of the share. */
export class NotSealedToYouError extends Error {
  override name = 'NotSealedToYouError';
  constructor() {
    super('No identity opens this share: it is not sealed to any of your keys.');
  }
}

const V1 = utf8Encode('sealdrop/v1');
const ZERO_NONCE = new Uint8Array(12);

/** k = HKDF-SHA-256(ss, "sealdrop/v1", "sealdrop/v1 recipient " || id, 32). */
export function deriveWrapKey(sharedSecret: Uint8Array, id: string): Uint8Array {
  return expand(sha256, extract(sha256, sharedSecret, V1), utf8Encode(`sealdrop/v1 recipient ${id}`), 32);
}

async function aesKey(k: Uint8Array, use: 'encrypt' | 'decrypt'): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', bufferSource(k), { name: 'AES-GCM' }, false, [use]);
}

/** True when `x` has exactly the stanza shape: kem "xwing", canonical b64u of 1120 and 48 bytes, no other key. */
export function isStanza(x: unknown): x is Stanza {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const o = x as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length !== 3 || o.kem !== 'xwing' || typeof o.enc !== 'string' || typeof o.wrap !== 'string') return false;
  try {
    b64uDecode(o.enc, XWING_ENC_BYTES);
    b64uDecode(o.wrap, WRAP_BYTES);
  } catch {
    return false;
  }
  return true;
}

/**
 * Wraps S for one recipient of share `id`. `randomness` (64 bytes) is for known
 * answers only; leave it out and X-Wing draws its own.
 */
export async function wrapSecret(secret: Uint8Array, recipient: Recipient, id: string, randomness?: Uint8Array): Promise<Stanza> {
  if (secret.length !== LINK_SECRET_BYTES) throw new Error(`S must be ${LINK_SECRET_BYTES} bytes.`);
  const { cipherText, sharedSecret } = ml_kem768_x25519.encapsulate(recipient.publicKey, randomness);
  const key = await aesKey(deriveWrapKey(sharedSecret, id), 'encrypt');
  const wrap = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: ZERO_NONCE }, key, bufferSource(secret)));
  return { kem: 'xwing', enc: b64uEncode(cipherText), wrap: b64uEncode(wrap) };
}

/** One stanza per recipient, in random order (so the order says nothing about who is who). */
export async function sealToRecipients(secret: Uint8Array, recipients: Recipient[], id: string): Promise<Stanza[]> {
  if (recipients.length < MIN_STANZAS || recipients.length > MAX_STANZAS) {
    throw new Error(`A share is sealed to ${MIN_STANZAS} to ${MAX_STANZAS} recipients; ${recipients.length} given.`);
  }
  const stanzas = await Promise.all(recipients.map((r) => wrapSecret(secret, r, id)));
  // Fisher-Yates with CSPRNG draws (rejection sampling keeps it unbiased).
  for (let i = stanzas.length - 1; i > 0; i--) {
    const j = uniformBelow(i + 1);
    [stanzas[i], stanzas[j]] = [stanzas[j], stanzas[i]];
  }
  return stanzas;
}

function uniformBelow(n: number): number {
  const limit = Math.floor(0x100000000 / n) * n;
  for (;;) {
    const v = new DataView(randomBytes(4).buffer).getUint32(0);
    if (v < limit) return v % n;
  }
}

/** S if `identity` opens `stanza` for share `id`, else null (wrong key, other share, tampered, malformed). */
export async function unwrapSecret(stanza: unknown, identity: Identity, id: string): Promise<Uint8Array | null> {
  if (!isStanza(stanza)) return null;
  const enc = b64uDecode(stanza.enc, XWING_ENC_BYTES);
  const wrap = b64uDecode(stanza.wrap, WRAP_BYTES);
  // X-Wing's implicit rejection: a wrong key gives a pseudo-random secret, which fails at the tag.
  const ss = ml_kem768_x25519.decapsulate(enc, identity.seed);
  const key = await aesKey(deriveWrapKey(ss, id), 'decrypt');
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: ZERO_NONCE }, key, bufferSource(wrap)));
  } catch {
    return null;
  }
}

/** The first S any identity opens from any stanza; stanzas that do not open are skipped. Throws NotSealedToYouError. */
export async function openStanzas(stanzas: readonly unknown[], identities: readonly Identity[], id: string): Promise<{ secret: Uint8Array; identity: Identity }> {
  for (const identity of identities) {
    for (const stanza of stanzas) {
      const secret = await unwrapSecret(stanza, identity, id);
      if (secret) return { secret, identity };
    }
  }
  throw new NotSealedToYouError();
}
