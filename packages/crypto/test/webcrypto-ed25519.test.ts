// WebCrypto's Ed25519 (installed by a share link's page) gives the bytes @noble/curves
// gives: the same public keys and (deterministic) signatures, so share keys and access
// signatures do not depend on which one a runtime uses. Node has WebCrypto's too.
import { ed25519 } from '@noble/curves/ed25519.js';
import { afterEach, expect, test } from 'vitest';
import { deriveShareKeys, installWebCryptoEd25519, signAccess, signAccessAsync, useEd25519Async, verifyAccessSignature, webcryptoEd25519 } from '../src/index.ts';

afterEach(() => useEd25519Async(null));

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test("public keys and signatures equal noble's for random seeds and messages", async () => {
  for (let i = 0; i < 30; i++) {
    const seed = crypto.getRandomValues(new Uint8Array(32));
    const msg = crypto.getRandomValues(new Uint8Array(i * 7));
    expect(hex(await webcryptoEd25519.getPublicKey(seed))).toBe(hex(ed25519.getPublicKey(seed)));
    expect(hex(await webcryptoEd25519.sign(msg, seed))).toBe(hex(ed25519.sign(msg, seed)));
  }
  await expect(async () => webcryptoEd25519.sign(new Uint8Array(1), new Uint8Array(31))).rejects.toThrow();
});

test('installed, share keys and access signatures are the same bytes and verify', async () => {
  const secret = crypto.getRandomValues(new Uint8Array(32));
  const a = await deriveShareKeys(secret, null);
  const sigA = signAccess(a, 'manifest', 'AAAAAAAAAAAAAAAAAAAAAA', 'challenge');
  expect(await signAccessAsync(a, 'manifest', 'AAAAAAAAAAAAAAAAAAAAAA', 'challenge')).toEqual(sigA); // not installed: the synchronous one
  expect(await installWebCryptoEd25519()).toBe(true);
  const b = await deriveShareKeys(secret, null);
  const sigB = await signAccessAsync(b, 'manifest', 'AAAAAAAAAAAAAAAAAAAAAA', 'challenge');
  expect(hex(b.linkPub)).toBe(hex(a.linkPub));
  expect(hex(b.authPub)).toBe(hex(a.authPub));
  expect(sigB).toEqual(sigA);
  expect(verifyAccessSignature(b.authPub, 'access', 'manifest', 'AAAAAAAAAAAAAAAAAAAAAA', 'challenge', Buffer.from(sigB.signature, 'base64url'))).toBe(true);
  expect(verifyAccessSignature(b.linkPub, 'link', 'manifest', 'AAAAAAAAAAAAAAAAAAAAAA', 'challenge', Buffer.from(sigB.linkSignature, 'base64url'))).toBe(true);
});
