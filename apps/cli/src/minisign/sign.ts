// Signing and verifying as minisign does: "ED" signs the 64-byte BLAKE2b-512 of
// the file (streamed, so any size), the legacy "Ed" signs the file itself; the
// global signature covers sig || trusted comment, so the comment cannot be
// swapped. Verification uses strict RFC 8032 rules, like libsodium.

import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { createBLAKE2b } from 'hash-wasm';
import { DEFAULT_SIG_COMMENT, keyId, MinisignError, TRUSTED_COMMENT_MAX_BYTES, type PublicKey, type Signature } from './format.ts';
import type { SecretKey } from './keys.ts';

export interface Blake2b512 {
  update(data: Uint8Array): void;
  digest(): Uint8Array;
}

export async function createBlake2b512(): Promise<Blake2b512> {
  const h = await createBLAKE2b(512);
  h.init();
  return { update: (d) => void h.update(d), digest: () => new Uint8Array(h.digest('binary')) };
}

/** BLAKE2b-512 of a file, streamed. */
export async function blake2bFile(file: string): Promise<Uint8Array> {
  const h = await createBlake2b512();
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest();
}

/** minisign's default trusted comment: "timestamp:<unix seconds>\tfile:<base name>\thashed". */
export function defaultTrustedComment(fileName: string, now = Date.now()): string {
  return `timestamp:${Math.floor(now / 1000)}\tfile:${path.basename(fileName)}\thashed`;
}

function checkComment(text: string, what: string, maxBytes: number): void {
  if (/[\r\n]/.test(text)) throw new MinisignError(`${what} must be a single line`);
  if (Buffer.byteLength(text) > maxBytes) throw new MinisignError(`${what} is too long`);
}

const concat = (a: Uint8Array, b: Uint8Array) => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};

/** An "ED" signature over a precomputed BLAKE2b-512 digest. */
export function signDigest(sk: SecretKey, digest: Uint8Array, trustedComment: string, untrustedComment = DEFAULT_SIG_COMMENT): Signature {
  if (digest.length !== 64) throw new MinisignError('a BLAKE2b-512 digest is 64 bytes');
  checkComment(trustedComment, 'the trusted comment', TRUSTED_COMMENT_MAX_BYTES);
  checkComment(untrustedComment, 'the untrusted comment', 1024 - 20);
  const sig = ed25519.sign(digest, sk.seed);
  const globalSig = ed25519.sign(concat(sig, new TextEncoder().encode(trustedComment)), sk.seed);
  return { untrustedComment, alg: 'ED', keynum: sk.keynum, sig, trustedComment, globalSig };
}

export async function signFile(sk: SecretKey, file: string, trustedComment?: string): Promise<Signature> {
  return signDigest(sk, await blake2bFile(file), trustedComment ?? defaultTrustedComment(file));
}

export type VerifyResult = { ok: true; keyId: string; trustedComment: string } | { ok: false; reason: string };

/**
 * Checks a signature against a public key. `message` is the file's BLAKE2b-512
 * for "ED", or a function giving the file's bytes for the legacy "Ed".
 */
export async function verifySignature(pub: PublicKey, sig: Signature, blake2b512: Uint8Array | null, legacyMessage: () => Promise<Uint8Array>): Promise<VerifyResult> {
  if (Buffer.compare(sig.keynum, pub.keynum) !== 0) {
    return { ok: false, reason: `the signature was made with key id ${keyId(sig.keynum)}, but the public key is key id ${keyId(pub.keynum)}` };
  }
  const message = sig.alg === 'ED' ? blake2b512 : await legacyMessage();
  if (!message) throw new MinisignError('no digest to verify');
  if (!safeVerify(sig.sig, message, pub.pk)) return { ok: false, reason: 'signature verification failed: the file does not match its signature' };
  if (!safeVerify(sig.globalSig, concat(sig.sig, new TextEncoder().encode(sig.trustedComment)), pub.pk)) {
    return { ok: false, reason: 'the trusted comment signature does not verify (the comment was altered)' };
  }
  return { ok: true, keyId: keyId(pub.keynum), trustedComment: sig.trustedComment };
}

function safeVerify(sig: Uint8Array, msg: Uint8Array, pk: Uint8Array): boolean {
  try {
    return ed25519.verify(sig, msg, pk, { zip215: false });
  } catch {
    return false;
  }
}

/** Legacy "Ed" signatures sign the whole file; minisign loads it whole too. Refuse absurd sizes. */
export async function readWholeFile(file: string): Promise<Uint8Array> {
  const { size } = await stat(file);
  if (size > 1 << 30) throw new MinisignError('legacy (non-prehashed) signatures over files larger than 1 GiB are not supported');
  return new Uint8Array(await readFile(file));
}

export async function verifyFile(pub: PublicKey, sig: Signature, file: string): Promise<VerifyResult> {
  return verifySignature(pub, sig, sig.alg === 'ED' ? await blake2bFile(file) : null, () => readWholeFile(file));
}
