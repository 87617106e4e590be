// Every case of testdata/sealdrop-v1-key-schedule-signatures-manifest-kat.json: made by an independent
// implementation of DESIGN.md, so web, CLI, worker and other clients agree byte for byte.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  accessMessage,
  b64uDecode,
  b64uEncode,
  decryptMessage,
  derivePasswordKey,
  deriveShareKeys,
  encodeManifest,
  encryptMessage,
  hexDecode,
  hexEncode,
  openManifest,
  parseLinkSecret,
  parseManifest,
  sealManifest,
  shareContext,
  signAccess,
  utf8Decode,
  verifyAccessSignature,
  type AccessAction,
} from '../src/index.ts';

const KAT = JSON.parse(readFileSync(new URL('../testdata/sealdrop-v1-key-schedule-signatures-manifest-kat.json', import.meta.url), 'utf8'));

describe.each(KAT.cases as any[])('sealdrop v1 KAT: $comment', (c) => {
  const secret = parseLinkSecret(c.S);
  const passwordKey = async () => (c.password === null ? null : derivePasswordKey(c.password, b64uDecode(c.pwSalt, 16), c.kdf));
  const keysP = passwordKey().then((p) => deriveShareKeys(secret, p));

  test('password key (Argon2id v1, NFC)', async () => {
    const p = await passwordKey();
    expect(p === null ? '' : hexEncode(p)).toBe(c.passwordKey);
  });

  test('seeds, public keys, file and manifest keys, context', async () => {
    const keys = await keysP;
    expect(hexEncode(keys.linkSeed)).toBe(c.linkSeed);
    expect(b64uEncode(keys.linkPub)).toBe(c.linkPub);
    expect(hexEncode(keys.authSeed)).toBe(c.authSeed);
    expect(b64uEncode(keys.authPub)).toBe(c.authPub);
    expect(hexEncode(keys.manifestKey)).toBe(c.manifestKey);
    for (const f of c.fileKeys) expect(hexEncode(await keys.fileKey(f.index))).toBe(f.key);
    expect(utf8Decode(shareContext(c.id))).toBe(c.context);
  });

  test('signed strings and signatures', async () => {
    const keys = await keysP;
    for (const action of ['manifest', 'download'] as AccessAction[]) {
      const want = c.signed[action];
      expect(utf8Decode(accessMessage('link', action, c.id, c.challenge))).toBe(want.link.message);
      expect(utf8Decode(accessMessage('access', action, c.id, c.challenge))).toBe(want.access.message);
      const body = signAccess(keys, action, c.id, c.challenge);
      expect(body.challenge).toBe(c.challenge);
      expect(hexEncode(b64uDecode(body.linkSignature, 64))).toBe(want.link.signature);
      expect(hexEncode(b64uDecode(body.signature, 64))).toBe(want.access.signature);
      expect(verifyAccessSignature(keys.linkPub, 'link', action, c.id, c.challenge, hexDecode(want.link.signature))).toBe(true);
      expect(verifyAccessSignature(keys.authPub, 'access', action, c.id, c.challenge, hexDecode(want.access.signature))).toBe(true);
      // Bound to the kind, the action, the key.
      const other: AccessAction = action === 'manifest' ? 'download' : 'manifest';
      expect(verifyAccessSignature(keys.linkPub, 'link', other, c.id, c.challenge, hexDecode(want.link.signature))).toBe(false);
      expect(verifyAccessSignature(keys.authPub, 'link', action, c.id, c.challenge, hexDecode(want.access.signature))).toBe(false);
      expect(verifyAccessSignature(keys.linkPub, 'access', action, c.id, c.challenge, hexDecode(want.access.signature))).toBe(false);
    }
  });

  test('padded manifest: exact JSON, exact ciphertext with the injected salt, and back', async () => {
    const keys = await keysP;
    const manifest = parseManifest(JSON.parse(c.manifest.json));
    const padded = encodeManifest(manifest);
    expect(padded.length).toBe(c.manifest.paddedLength);
    expect(utf8Decode(padded).trimEnd()).toBe(c.manifest.json);
    expect(utf8Decode(padded).slice(c.manifest.json.length)).toMatch(/^ +$/);
    const sealed = await sealManifest(keys, c.id, manifest, hexDecode(c.manifest.salt));
    expect(b64uEncode(sealed)).toBe(c.manifest.ciphertext);
    expect(await openManifest(keys, c.id, b64uDecode(c.manifest.ciphertext))).toEqual(manifest);
  });

  test('file 0 with the injected salt', async () => {
    const keys = await keysP;
    const fileKey = await keys.fileKey(0);
    const ct = await encryptMessage(fileKey, new TextEncoder().encode(c.file0.plaintext), { context: shareContext(c.id), salt: hexDecode(c.file0.salt) });
    expect(hexEncode(ct)).toBe(c.file0.ciphertext);
    const pt = await decryptMessage(fileKey, hexDecode(c.file0.ciphertext), { context: shareContext(c.id) });
    expect(utf8Decode(pt)).toBe(c.file0.plaintext);
    // Another file's key or another share's context fails at the commitment.
    await expect(decryptMessage(await keys.fileKey(1), hexDecode(c.file0.ciphertext), { context: shareContext(c.id) })).rejects.toMatchObject({ kind: 'commitment' });
    await expect(decryptMessage(fileKey, hexDecode(c.file0.ciphertext), { context: shareContext('BBBBBBBBBBBBBBBBBBBBBB') })).rejects.toMatchObject({ kind: 'commitment' });
  });
});

test('a password changes the access key and every content key, not the link key', async () => {
  const s = parseLinkSecret(KAT.cases[0].S);
  const a = await deriveShareKeys(s);
  const b = await deriveShareKeys(s, new Uint8Array(32).fill(7));
  expect(hexEncode(b.linkSeed)).toBe(hexEncode(a.linkSeed));
  expect(hexEncode(b.authSeed)).not.toBe(hexEncode(a.authSeed));
  expect(hexEncode(b.manifestKey)).not.toBe(hexEncode(a.manifestKey));
  expect(hexEncode(await b.fileKey(0))).not.toBe(hexEncode(await a.fileKey(0)));
});

test('derivePasswordKey refuses any kdf but the v1 constants', async () => {
  const salt = new Uint8Array(16);
  for (const kdf of [{ alg: 'argon2id', t: 1, m: 65536, p: 1 }, { alg: 'argon2id', t: 3, m: 8, p: 1 }, { alg: 'argon2i', t: 3, m: 65536, p: 1 }, { alg: 'argon2id', t: 3, m: 65536, p: 1, extra: 1 }, null, 'argon2id']) {
    await expect(derivePasswordKey('pw', salt, kdf)).rejects.toThrow(/Unsupported password parameters/);
  }
  await expect(derivePasswordKey('', salt)).rejects.toThrow(/empty/);
});
