// minisign's file formats, byte for byte (jedisct1/minisign src/minisign.h):
//
//   public key  "untrusted comment: minisign public key <KEYID>\n" b64("Ed" || keynum(8) || pk(32)) "\n"
//   secret key  "untrusted comment: <comment>\n" b64("Ed" || kdf(2) || "B2" || salt(32) ||
//               opslimit(8, LE) || memlimit(8, LE) || keynum(8) || sk(64) || chk(32)) "\n"
//   signature   "untrusted comment: <comment>\n" b64(alg(2) || keynum(8) || sig(64)) "\n"
//               "trusted comment: <text>\n" b64(Ed25519(sig || text)) "\n"
//
// alg is "ED" (Ed25519 over BLAKE2b-512 of the file) or the legacy "Ed" (over the
// file itself); kdf is "Sc" (scrypt-encrypted) or two zero bytes (minisign -W).
// Base64 is the standard alphabet with padding. The key id is the keynum read as
// a little-endian 64-bit number, printed as 16 uppercase hex digits.

export const KEYNUM_BYTES = 8;
export const SIG_ALG = 'Ed';
export const SIG_ALG_HASHED = 'ED';
export const KDF_SCRYPT = 'Sc';
export const KDF_NONE = '\0\0';
export const CHK_ALG = 'B2';
export const COMMENT_PREFIX = 'untrusted comment: ';
export const TRUSTED_COMMENT_PREFIX = 'trusted comment: ';
export const DEFAULT_SIG_COMMENT = 'signature from minisign secret key';
export const DEFAULT_SECRET_KEY_COMMENT = 'minisign encrypted secret key';
export const TRUSTED_COMMENT_MAX_BYTES = 8192 - TRUSTED_COMMENT_PREFIX.length - 1;

export const PUBLIC_KEY_BYTES = 2 + KEYNUM_BYTES + 32; // 42
export const SECRET_KEY_BYTES = 2 + 2 + 2 + 32 + 8 + 8 + KEYNUM_BYTES + 64 + 32; // 158
export const SIGNATURE_BYTES = 2 + KEYNUM_BYTES + 64; // 74

export class MinisignError extends Error {
  override name = 'MinisignError';
}

export interface PublicKey {
  keynum: Uint8Array;
  pk: Uint8Array;
}

/** The raw secret key structure; `keynumSk` (keynum || sk || chk, 104 bytes) may still be encrypted. */
export interface SecretKeyFile {
  comment: string;
  kdf: 'Sc' | 'none';
  salt: Uint8Array;
  opslimit: bigint;
  memlimit: bigint;
  keynumSk: Uint8Array;
}

export interface Signature {
  untrustedComment: string;
  alg: 'ED' | 'Ed';
  keynum: Uint8Array;
  sig: Uint8Array;
  trustedComment: string;
  globalSig: Uint8Array;
}

const latin = (b: Uint8Array) => String.fromCharCode(...b);
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

export function b64Encode(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Strict standard base64 with padding; throws MinisignError with `what` in the message. */
export function b64Decode(s: string, length: number, what: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) throw new MinisignError(`${what}: not valid base64`);
  const out = new Uint8Array(Buffer.from(s, 'base64'));
  if (out.length !== length || b64Encode(out) !== s) throw new MinisignError(`${what}: expected ${length} bytes`);
  return out;
}

/** Key id as minisign prints it: the keynum as a little-endian u64, 16 uppercase hex digits. */
export function keyId(keynum: Uint8Array): string {
  return Buffer.from(keynum).reverse().toString('hex').toUpperCase();
}

/** minisign's trim(): drops trailing CR and LF. */
function trimEol(s: string): string {
  return s.replace(/[\r\n]+$/, '');
}

function lines(text: string, min: number, what: string): string[] {
  const l = text.split('\n');
  if (l.length < min) throw new MinisignError(`${what}: too short`);
  return l;
}

// ---------------------------------------------------------------- public key

/** A public key as the base64 line ("RW...") minisign -P takes. */
export function parsePublicKeyString(s: string): PublicKey {
  const raw = b64Decode(s.trim(), PUBLIC_KEY_BYTES, 'public key');
  if (latin(raw.subarray(0, 2)) !== SIG_ALG) throw new MinisignError('public key: unsupported signature algorithm');
  return { keynum: raw.slice(2, 10), pk: raw.slice(10, 42) };
}

/** A public key file: an untrusted comment line, then the base64 line. */
export function parsePublicKeyFile(text: string): PublicKey {
  const l = lines(text, 2, 'public key file');
  if (!l[0].startsWith(COMMENT_PREFIX)) {
    // Also take a bare base64 key (what minisign -P takes) saved in a file.
    if (l[0].trim().startsWith('RW')) return parsePublicKeyString(l[0]);
    throw new MinisignError(`public key file: the first line should start with "${COMMENT_PREFIX}"`);
  }
  return parsePublicKeyString(trimEol(l[1]));
}

export function publicKeyString(key: PublicKey): string {
  const raw = new Uint8Array(PUBLIC_KEY_BYTES);
  raw.set(ascii(SIG_ALG), 0);
  raw.set(key.keynum, 2);
  raw.set(key.pk, 10);
  return b64Encode(raw);
}

export function formatPublicKeyFile(key: PublicKey): string {
  return `${COMMENT_PREFIX}minisign public key ${keyId(key.keynum)}\n${publicKeyString(key)}\n`;
}

// ---------------------------------------------------------------- secret key

function le64(b: Uint8Array): bigint {
  return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
}

function le64Bytes(n: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, n, true);
  return b;
}

export function parseSecretKeyFile(text: string): SecretKeyFile {
  const l = lines(text, 2, 'secret key file');
  if (!l[0].startsWith(COMMENT_PREFIX)) throw new MinisignError(`secret key file: the first line should start with "${COMMENT_PREFIX}"`);
  const raw = b64Decode(trimEol(l[1]).trim(), SECRET_KEY_BYTES, 'secret key');
  if (latin(raw.subarray(0, 2)) !== SIG_ALG) throw new MinisignError('secret key: unsupported signature algorithm');
  const kdf = latin(raw.subarray(2, 4));
  if (kdf !== KDF_SCRYPT && kdf !== KDF_NONE) throw new MinisignError('secret key: unsupported key derivation function');
  if (latin(raw.subarray(4, 6)) !== CHK_ALG) throw new MinisignError('secret key: unsupported checksum function');
  return {
    comment: trimEol(l[0]).slice(COMMENT_PREFIX.length),
    kdf: kdf === KDF_SCRYPT ? 'Sc' : 'none',
    salt: raw.slice(6, 38),
    opslimit: le64(raw.subarray(38, 46)),
    memlimit: le64(raw.subarray(46, 54)),
    keynumSk: raw.slice(54, 158),
  };
}

export function formatSecretKeyFile(key: SecretKeyFile): string {
  const raw = new Uint8Array(SECRET_KEY_BYTES);
  raw.set(ascii(SIG_ALG), 0);
  raw.set(ascii(key.kdf === 'Sc' ? KDF_SCRYPT : KDF_NONE), 2);
  raw.set(ascii(CHK_ALG), 4);
  raw.set(key.salt, 6);
  raw.set(le64Bytes(key.opslimit), 38);
  raw.set(le64Bytes(key.memlimit), 46);
  raw.set(key.keynumSk, 54);
  return `${COMMENT_PREFIX}${key.comment}\n${b64Encode(raw)}\n`;
}

// ---------------------------------------------------------------- signature

export function parseSignature(text: string): Signature {
  const l = lines(text, 4, 'signature');
  if (!l[0].startsWith(COMMENT_PREFIX)) throw new MinisignError(`signature: the first line should start with "${COMMENT_PREFIX}"`);
  const raw = b64Decode(trimEol(l[1]).trim(), SIGNATURE_BYTES, 'signature');
  const alg = latin(raw.subarray(0, 2));
  if (alg !== SIG_ALG && alg !== SIG_ALG_HASHED) throw new MinisignError('signature: unsupported signature algorithm');
  if (!l[2].startsWith(TRUSTED_COMMENT_PREFIX)) throw new MinisignError(`signature: the third line should start with "${TRUSTED_COMMENT_PREFIX}"`);
  const trustedComment = trimEol(l[2]).slice(TRUSTED_COMMENT_PREFIX.length);
  if (Buffer.byteLength(trustedComment) > TRUSTED_COMMENT_MAX_BYTES) throw new MinisignError('signature: trusted comment too long');
  return {
    untrustedComment: trimEol(l[0]).slice(COMMENT_PREFIX.length),
    alg,
    keynum: raw.slice(2, 10),
    sig: raw.slice(10, 74),
    trustedComment,
    globalSig: b64Decode(trimEol(l[3]).trim(), 64, 'trusted comment signature'),
  };
}

export function formatSignature(s: Signature): string {
  const raw = new Uint8Array(SIGNATURE_BYTES);
  raw.set(ascii(s.alg), 0);
  raw.set(s.keynum, 2);
  raw.set(s.sig, 10);
  return `${COMMENT_PREFIX}${s.untrustedComment}\n${b64Encode(raw)}\n${TRUSTED_COMMENT_PREFIX}${s.trustedComment}\n${b64Encode(s.globalSig)}\n`;
}
