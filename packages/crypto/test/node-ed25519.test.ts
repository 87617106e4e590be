// node:crypto's Ed25519 (installed by the CLI) gives the bytes @noble/curves gives:
// the same public keys, the same (deterministic) signatures, so share keys and
// access signatures do not depend on which one a runtime uses.
import { ed25519 } from '@noble/curves/ed25519.js';
import { afterEach, expect, test } from 'vitest';
import { deriveShareKeys, signAccess, useEd25519, verifyAccessSignature } from '../src/index.ts';
import { installNodeEd25519, nodeEd25519 } from '../src/node/index.ts';

afterEach(() => useEd25519(null));

test('public keys and signatures equal noble\'s for random seeds and messages', () => {
  for (let i = 0; i < 50; i++) {
    const seed = crypto.getRandomValues(new Uint8Array(32));
    const msg = crypto.getRandomValues(new Uint8Array(i * 7));
    expect(Buffer.from(nodeEd25519.getPublicKey(seed)).toString('hex')).toBe(Buffer.from(ed25519.getPublicKey(seed)).toString('hex'));
    expect(Buffer.from(nodeEd25519.sign(msg, seed)).toString('hex')).toBe(Buffer.from(ed25519.sign(msg, seed)).toString('hex'));
  }
  expect(() => nodeEd25519.sign(new Uint8Array(1), new Uint8Array(31))).toThrow();
});

test('installed, share keys and access signatures are the same bytes and verify', async () => {
  const secret = crypto.getRandomValues(new Uint8Array(32));
  const a = await deriveShareKeys(secret, null);
  const sigA = signAccess(a, 'download', 'AAAAAAAAAAAAAAAAAAAAAA', 'challenge');
  installNodeEd25519();
  const b = await deriveShareKeys(secret, null);
  const sigB = signAccess(b, 'download', 'AAAAAAAAAAAAAAAAAAAAAA', 'challenge');
  expect(Buffer.from(b.linkPub).equals(Buffer.from(a.linkPub))).toBe(true);
  expect(Buffer.from(b.authPub).equals(Buffer.from(a.authPub))).toBe(true);
  expect(sigB).toEqual(sigA);
  expect(verifyAccessSignature(b.authPub, 'access', 'download', 'AAAAAAAAAAAAAAAAAAAAAA', 'challenge', Buffer.from(sigB.signature, 'base64url'))).toBe(true);
});
