// The independent client against every known answer in sealdrop-v1-kat.json, plus the
// Wycheproof vectors of the AES-128 instantiation of the same Cobblestone construction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import {
  accessMessages,
  b64u,
  checkName,
  ciphertextSize,
  cobblestone128,
  decrypt,
  encrypt,
  fromB64u,
  keySchedule,
  openManifest,
  padManifest,
  passwordKey,
  sealManifest,
  shareContext,
} from './client.mjs';

// Data only (no code): the vectors vendored beside the library, so this runs on any clone.
const vectors = new URL('../packages/crypto/testdata/', import.meta.url);
const kat = JSON.parse(readFileSync(new URL('sealdrop-v1-key-schedule-signatures-manifest-kat.json', vectors), 'utf8'));
const hex = (b) => Buffer.from(b).toString('hex');

test('the KAT file has cases', () => {
  assert.ok(kat.cases.length >= 3);
});

for (const c of kat.cases) {
  test(`KAT: ${c.comment}`, async (t) => {
    const S = fromB64u(c.S, 32);
    let P = Buffer.alloc(0);
    await t.test('password key (Argon2id over NFC)', async () => {
      if (c.password === null) {
        assert.equal(c.passwordKey, '');
        assert.equal(c.pwSalt, null);
        return;
      }
      assert.deepEqual(c.kdf, { alg: 'argon2id', t: 3, m: 65536, p: 1 });
      P = await passwordKey(c.password, fromB64u(c.pwSalt, 16));
      assert.equal(hex(P), c.passwordKey);
    });
    if (c.password !== null) P = Buffer.from(c.passwordKey, 'hex');
    const keys = keySchedule(S, P);

    await t.test('seeds and public keys', () => {
      assert.equal(hex(keys.linkSeed), c.linkSeed);
      assert.equal(b64u(keys.link.publicKey), c.linkPub);
      assert.equal(hex(keys.authSeed), c.authSeed);
      assert.equal(b64u(keys.auth.publicKey), c.authPub);
      if (c.password === null) assert.deepEqual(keys.prk, keys.prkLink);
      else assert.notDeepEqual(keys.prk, keys.prkLink);
    });

    await t.test('file and manifest keys, context', () => {
      for (const { index, key } of c.fileKeys) assert.equal(hex(keys.fileKey(index)), key, `file ${index}`);
      assert.equal(hex(keys.manifestKey), c.manifestKey);
      assert.equal(shareContext(c.id), c.context);
    });

    await t.test('signed strings and signatures', () => {
      for (const action of ['manifest', 'download']) {
        const m = accessMessages(action, c.id, c.challenge);
        const want = c.signed[action];
        assert.equal(m.link, want.link.message);
        assert.equal(m.access, want.access.message);
        assert.equal(hex(keys.link.sign(m.link)), want.link.signature);
        assert.equal(hex(keys.auth.sign(m.access)), want.access.signature);
        assert.ok(keys.link.verify(m.link, Buffer.from(want.link.signature, 'hex')));
        // The link signature of one action must not pass for the other.
        const other = accessMessages(action === 'manifest' ? 'download' : 'manifest', c.id, c.challenge);
        assert.ok(!keys.link.verify(other.link, Buffer.from(want.link.signature, 'hex')));
      }
    });

    await t.test('padded manifest ciphertext', () => {
      const padded = padManifest(c.manifest.json);
      assert.equal(padded.length, c.manifest.paddedLength);
      const salt = Buffer.from(c.manifest.salt, 'hex');
      const ct = sealManifest(c.manifest.json, keys, c.id, { salt });
      assert.equal(b64u(ct), c.manifest.ciphertext);
      const opened = openManifest(fromB64u(c.manifest.ciphertext), keys, c.id);
      assert.deepEqual(opened, JSON.parse(c.manifest.json));
      // Under another share's context the manifest does not open.
      assert.throws(() => openManifest(ct, keys, 'AAAAAAAAAAAAAAAAAAAAAA'), /commitment/);
    });

    await t.test('file 0 ciphertext', () => {
      const plain = Buffer.from(c.file0.plaintext, 'utf8');
      const salt = Buffer.from(c.file0.salt, 'hex');
      const ct = encrypt(keys.fileKey(0), plain, shareContext(c.id), { salt });
      assert.equal(hex(ct), c.file0.ciphertext);
      assert.equal(ct.length, ciphertextSize(plain.length));
      assert.deepEqual(decrypt(keys.fileKey(0), Buffer.from(c.file0.ciphertext, 'hex'), shareContext(c.id)), plain);
      // file 1's key cannot open file 0.
      assert.throws(() => decrypt(keys.fileKey(1), ct, shareContext(c.id)), /commitment/);
    });
  });
}

test('Cobblestone sizes and boundaries (16 KiB is one full chunk plus an empty one)', () => {
  const key = Buffer.alloc(32, 7);
  for (const n of [0, 1, 16383, 16384, 16385, 32768, 40000]) {
    const plain = Buffer.alloc(n, n & 0xff);
    const ct = encrypt(key, plain, 'ctx');
    assert.equal(ct.length, 56 + n + 16 * (Math.floor(n / 16384) + 1), `size for ${n}`);
    assert.deepEqual(decrypt(key, ct, 'ctx'), plain);
    assert.throws(() => decrypt(key, ct.subarray(0, ct.length - 1), 'ctx'));
    assert.throws(() => decrypt(key, Buffer.concat([ct, Buffer.alloc(1)]), 'ctx'));
    assert.throws(() => decrypt(key, ct, 'other'), /commitment/);
  }
  // Reordering two full chunks fails.
  const plain = Buffer.alloc(40000, 1);
  const ct = encrypt(key, plain, '');
  const swapped = Buffer.concat([ct.subarray(0, 56), ct.subarray(56 + 16400, 56 + 32800), ct.subarray(56, 56 + 16400), ct.subarray(56 + 32800)]);
  assert.throws(() => decrypt(key, swapped, ''), /chunk 0/);
  // Dropping the final short chunk (a truncation on a chunk boundary) fails.
  const full = encrypt(key, Buffer.alloc(16384), '');
  assert.throws(() => decrypt(key, full.subarray(0, 56 + 16400), ''));
});

test('name rules from DESIGN.md', () => {
  for (const ok of ['a.txt', 'dir/sub/file', 'Ünïcødé résumé ☕.txt', 'console/x', 'comics.txt', 'com10']) checkName(ok);
  for (const bad of ['', '/abs', 'a//b', './a', 'a/../b', 'a\\b', 'C:x', 'a:b', 'x\u0001', 'a\u202eb', 'z\u200bw', 'CON', 'nul.txt', 'lpt9.tar.gz', 'dot.', 'space ', 'x'.repeat(256)]) {
    assert.throws(() => checkName(bad), undefined, JSON.stringify(bad));
  }
});

// Wycheproof vectors for Cobblestone-128 (same construction, AEAD_AES_128_GCM).
const wp = JSON.parse(readFileSync(new URL('wycheproof-cobblestone-128-decryption.json', vectors), 'utf8'));
test('Wycheproof Cobblestone-128 vectors', async (t) => {
  let n = 0;
  for (const group of wp.testGroups) {
    assert.equal(group.aead, 'AEAD_AES_128_GCM');
    for (const v of group.tests) {
      n++;
      await t.test(`tcId ${v.tcId}: ${v.comment} [${v.flags.join(',')}]`, () => {
        const key = Buffer.from(v.key, 'hex');
        const ctx = Buffer.from(v.ctx, 'hex');
        const ct = inflateSync(Buffer.from(v.ct, 'hex'));
        if (v.result === 'valid') {
          const plain = cobblestone128.decrypt(key, ct, ctx);
          assert.equal(plain.length, v.msgLength);
          assert.equal(createHash('sha512').update(plain).digest('hex'), v.msgSha512);
          if (v.aeadKey) {
            const d = cobblestone128.derive(key, ct.subarray(0, 24), ctx);
            assert.equal(hex(d.key), v.aeadKey);
            assert.equal(hex(d.baseNonce), v.baseNonce);
          }
          // Re-encrypting with the same salt gives the same bytes.
          assert.deepEqual(cobblestone128.encrypt(key, plain, ctx, { salt: ct.subarray(0, 24) }), ct);
        } else {
          assert.throws(() => cobblestone128.decrypt(key, ct, ctx));
        }
      });
    }
  }
  assert.equal(n, wp.numberOfTests);
});
