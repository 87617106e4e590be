// node:crypto's Ed25519 for the key schedule and access signatures (see ../ed25519.ts).
import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { useEd25519, type Ed25519Impl } from '../ed25519.ts';

/** PKCS#8 of an Ed25519 private key, up to its 32-byte seed (RFC 8410). */
const PKCS8_SEED_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** SubjectPublicKeyInfo of an Ed25519 key, up to its 32 bytes. */
const SPKI_PREFIX_BYTES = 12;

function privateKey(seed: Uint8Array): KeyObject {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new Error('an Ed25519 seed is 32 bytes');
  return createPrivateKey({ key: Buffer.concat([PKCS8_SEED_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

export const nodeEd25519: Ed25519Impl = {
  getPublicKey: (seed) => new Uint8Array(createPublicKey(privateKey(seed)).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX_BYTES)),
  sign: (message, seed) => new Uint8Array(sign(null, message, privateKey(seed))),
};

/** Share keys and access signatures use node's Ed25519 from now on. */
export function installNodeEd25519(): void {
  useEd25519(nodeEd25519);
}
