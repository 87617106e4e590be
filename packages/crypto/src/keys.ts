// The Sealdrop v1 key schedule (DESIGN.md "Key schedule"): the link secret S,
// the optional Argon2id password key P, and everything derived from S || P with
// HKDF-SHA-256 (link and access Ed25519 seeds, one input key per file, the
// manifest key). Cobblestone messages of a share use shareContext(id).

import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { argon2id } from 'hash-wasm';
import { edPublicKeyAsync } from './ed25519.ts';
import { KDF_V1, SHARE_ID_RE, type KdfV1 } from './constants.ts';
import { b64uEncode, concatBytes, randomBytes, utf8Encode } from './encoding.ts';
import { LINK_SECRET_BYTES, LinkError } from './linkSecret.ts';

export { LINK_SECRET_BYTES, LINK_SECRET_CHARS, LinkError, parseLinkSecret } from './linkSecret.ts';

export const PASSWORD_SALT_BYTES = 16;

const V1 = utf8Encode('sealdrop/v1');

/** A fresh link secret S: 32 CSPRNG bytes as 43 base64url characters. Never reuse one. */
export function generateLinkSecret(): string {
  return b64uEncode(randomBytes(LINK_SECRET_BYTES));
}

export function isShareId(s: unknown): s is string {
  return typeof s === 'string' && SHARE_ID_RE.test(s);
}


/** Throws unless `kdf` is exactly {alg: "argon2id", t: 3, m: 65536, p: 1}. */
export function assertKdfV1(kdf: unknown): asserts kdf is KdfV1 {
  const ok =
    typeof kdf === 'object' &&
    kdf !== null &&
    !Array.isArray(kdf) &&
    Object.keys(kdf).length === 4 &&
    (kdf as Record<string, unknown>).alg === KDF_V1.alg &&
    (kdf as Record<string, unknown>).t === KDF_V1.t &&
    (kdf as Record<string, unknown>).m === KDF_V1.m &&
    (kdf as Record<string, unknown>).p === KDF_V1.p;
  if (!ok) throw new Error('Unsupported password parameters: this share asks for a key derivation other than Sealdrop v1 (argon2id, t=3, m=65536, p=1). Refusing it.');
}

export function newPasswordSalt(): Uint8Array {
  return randomBytes(PASSWORD_SALT_BYTES);
}

/** P = Argon2id(NFC(password) as UTF-8, salt, t=3, m=64 MiB, p=1, 32 bytes). */
export async function derivePasswordKey(password: string, salt: Uint8Array, kdf: unknown = KDF_V1): Promise<Uint8Array> {
  assertKdfV1(kdf);
  if (typeof password !== 'string' || password.length === 0) throw new Error('The password is empty.');
  if (!(salt instanceof Uint8Array) || salt.length !== PASSWORD_SALT_BYTES) throw new Error(`The password salt must be ${PASSWORD_SALT_BYTES} bytes.`);
  return argon2id({
    password: utf8Encode(password.normalize('NFC')),
    salt,
    iterations: KDF_V1.t,
    memorySize: KDF_V1.m,
    parallelism: KDF_V1.p,
    hashLength: 32,
    outputType: 'binary',
  });
}

export interface ShareKeys {
  linkSeed: Uint8Array;
  linkPub: Uint8Array;
  authSeed: Uint8Array;
  authPub: Uint8Array;
  manifestKey: Uint8Array;
  /** Input key of file `index` (a non-negative integer, written in decimal). */
  fileKey(index: number): Promise<Uint8Array>;
}

function hkdfExpand(prk: Uint8Array, info: string): Uint8Array {
  return expand(sha256, prk, utf8Encode(info), 32);
}

/** Everything a share needs from S (32 bytes) and, when it has a password, P. */
export async function deriveShareKeys(secret: Uint8Array, passwordKey?: Uint8Array | null): Promise<ShareKeys> {
  if (!(secret instanceof Uint8Array) || secret.length !== LINK_SECRET_BYTES) throw new LinkError('The link secret must be 32 bytes.');
  const p = passwordKey ?? new Uint8Array(0);
  if (p.length !== 0 && p.length !== 32) throw new Error('The password key must be 32 bytes.');
  const prkLink = extract(sha256, secret, V1);
  const prk = p.length === 0 ? prkLink : extract(sha256, concatBytes(secret, p), V1);
  const linkSeed = hkdfExpand(prkLink, 'sealdrop/v1 link');
  const authSeed = hkdfExpand(prk, 'sealdrop/v1 auth');
  const [linkPub, authPub] = await Promise.all([edPublicKeyAsync(linkSeed), edPublicKeyAsync(authSeed)]);
  return {
    linkSeed,
    linkPub,
    authSeed,
    authPub,
    manifestKey: hkdfExpand(prk, 'sealdrop/v1 manifest'),
    async fileKey(index: number) {
      if (!Number.isSafeInteger(index) || index < 0) throw new RangeError('file index must be a non-negative integer');
      return hkdfExpand(prk, `sealdrop/v1 file ${index}`);
    },
  };
}

/** Cobblestone context of every message of share `id`: UTF-8 of "sealdrop/v1 " || id. */
export function shareContext(id: string): Uint8Array {
  if (!isShareId(id)) throw new Error('invalid share id');
  return utf8Encode(`sealdrop/v1 ${id}`);
}
