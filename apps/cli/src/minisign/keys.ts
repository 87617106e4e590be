// minisign key pairs: Ed25519 keys with a random 8-byte key number, the secret key
// optionally encrypted as minisign does it: scrypt (libsodium's
// crypto_pwhash_scryptsalsa208sha256, opslimit/memlimit turned into N, r, p by
// its pickparams) gives 104 bytes XORed over keynum || sk || chk, where chk is
// BLAKE2b-256("Ed" || keynum || sk).

import { randomBytes, scrypt as scryptCb } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { blake2b } from '@noble/hashes/blake2.js';
import {
  DEFAULT_SECRET_KEY_COMMENT,
  KEYNUM_BYTES,
  MinisignError,
  SIG_ALG,
  type PublicKey,
  type SecretKeyFile,
} from './format.ts';

/** libsodium's crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_SENSITIVE / MEMLIMIT_SENSITIVE: what minisign uses. */
export const OPSLIMIT_SENSITIVE = 33554432n;
export const MEMLIMIT_SENSITIVE = 1073741824n;

/** A decrypted secret key: the 8-byte key number, the Ed25519 seed and public key. */
export interface SecretKey {
  keynum: Uint8Array;
  seed: Uint8Array;
  pk: Uint8Array;
}

export class WrongPasswordError extends MinisignError {
  override name = 'WrongPasswordError';
}

export function generateKeyPair(): SecretKey {
  const seed = new Uint8Array(randomBytes(32));
  return { keynum: new Uint8Array(randomBytes(KEYNUM_BYTES)), seed, pk: ed25519.getPublicKey(seed) };
}

export function publicKeyOf(sk: SecretKey): PublicKey {
  return { keynum: sk.keynum, pk: sk.pk };
}

/** libsodium's pickparams for scrypt: r = 8, then N and p from the limits. */
export function scryptParams(opslimit: bigint, memlimit: bigint): { N: number; r: number; p: number } {
  const ops = opslimit < 32768n ? 32768n : opslimit;
  const r = 8n;
  let logN = 1n;
  let p: bigint;
  if (ops < memlimit / 32n) {
    p = 1n;
    const maxN = ops / (r * 4n);
    for (logN = 1n; logN < 63n; logN++) if (1n << logN > maxN / 2n) break;
  } else {
    const maxN = memlimit / (r * 128n);
    for (logN = 1n; logN < 63n; logN++) if (1n << logN > maxN / 2n) break;
    let maxrp = ops / 4n / (1n << logN);
    if (maxrp > 0x3fffffffn) maxrp = 0x3fffffffn;
    p = maxrp / r;
  }
  if (logN > 30n || p < 1n) throw new MinisignError('secret key: unsupported scrypt parameters');
  return { N: 2 ** Number(logN), r: Number(r), p: Number(p) };
}

function scrypt(password: Uint8Array, salt: Uint8Array, length: number, opslimit: bigint, memlimit: bigint): Promise<Uint8Array> {
  const { N, r, p } = scryptParams(opslimit, memlimit);
  // Node refuses when 128 * N * r exceeds maxmem; allow what libsodium would use.
  const maxmem = 128 * N * r + 128 * r * p + 16 * 1024 * 1024;
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, length, { N, r, p, maxmem }, (err, key) => (err ? reject(err) : resolve(new Uint8Array(key)))),
  );
}

function checksum(keynum: Uint8Array, sk64: Uint8Array): Uint8Array {
  const msg = new Uint8Array(2 + KEYNUM_BYTES + 64);
  msg.set([SIG_ALG.charCodeAt(0), SIG_ALG.charCodeAt(1)], 0);
  msg.set(keynum, 2);
  msg.set(sk64, 2 + KEYNUM_BYTES);
  return blake2b(msg, { dkLen: 32 });
}

function plainKeynumSk(sk: SecretKey, withChecksum: boolean): Uint8Array {
  const out = new Uint8Array(104);
  out.set(sk.keynum, 0);
  out.set(sk.seed, 8);
  out.set(sk.pk, 40);
  if (withChecksum) out.set(checksum(sk.keynum, out.subarray(8, 72)), 72);
  return out;
}

/**
 * The secret key file structure. With a password: encrypted exactly as
 * minisign -G does (fresh 32-byte salt, the SENSITIVE limits). Without one:
 * as minisign -G -W writes it (kdf bytes zero, salt, limits and checksum zero).
 */
export async function encryptSecretKey(sk: SecretKey, password: Uint8Array | null, limits = { opslimit: OPSLIMIT_SENSITIVE, memlimit: MEMLIMIT_SENSITIVE }): Promise<SecretKeyFile> {
  if (password === null) {
    return { comment: DEFAULT_SECRET_KEY_COMMENT, kdf: 'none', salt: new Uint8Array(32), opslimit: 0n, memlimit: 0n, keynumSk: plainKeynumSk(sk, false) };
  }
  const salt = new Uint8Array(randomBytes(32));
  const stream = await scrypt(password, salt, 104, limits.opslimit, limits.memlimit);
  const keynumSk = plainKeynumSk(sk, true);
  for (let i = 0; i < 104; i++) keynumSk[i] ^= stream[i];
  return { comment: DEFAULT_SECRET_KEY_COMMENT, kdf: 'Sc', salt, opslimit: limits.opslimit, memlimit: limits.memlimit, keynumSk };
}

/** Opens a secret key file structure; `password` is needed only when it is encrypted. */
export async function decryptSecretKey(file: SecretKeyFile, password: Uint8Array | null): Promise<SecretKey> {
  const plain = file.keynumSk.slice();
  if (file.kdf === 'Sc') {
    if (password === null) throw new MinisignError('the secret key is encrypted: a password is needed');
    const stream = await scrypt(password, file.salt, 104, file.opslimit, file.memlimit);
    for (let i = 0; i < 104; i++) plain[i] ^= stream[i];
    const chk = checksum(plain.subarray(0, 8), plain.subarray(8, 72));
    if (Buffer.compare(chk, plain.subarray(72, 104)) !== 0) throw new WrongPasswordError('wrong password for that secret key');
  } else if (plain.subarray(72).some((b) => b !== 0)) {
    // minisign -W leaves the checksum zero; a filled one must match.
    const chk = checksum(plain.subarray(0, 8), plain.subarray(8, 72));
    if (Buffer.compare(chk, plain.subarray(72, 104)) !== 0) throw new MinisignError('secret key: checksum mismatch (damaged key file)');
  }
  const seed = plain.slice(8, 40);
  const pk = plain.slice(40, 72);
  if (Buffer.compare(ed25519.getPublicKey(seed), pk) !== 0) throw new MinisignError('secret key: damaged (its public half does not match)');
  return { keynum: plain.slice(0, 8), seed, pk };
}
