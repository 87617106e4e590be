// Round trips through every path, size arithmetic, and a cross-check of the
// 256-bit instantiation against node:crypto. Both decrypt streams, resumes and
// tampering in every region: decrypt-streams.test.ts.
import { createCipheriv, createHmac } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import {
  blobSource,
  bytesSource,
  chunkCount,
  chunkOffset,
  ciphertextRangeChunks,
  ciphertextSize,
  CobblestoneError,
  concatBytes,
  createDecryptStream,
  createEncryptStream,
  decryptMessage,
  deriveMessageKeys,
  encryptMessage,
  encryptRange,
  HEADER_BYTES,
  isCiphertextSize,
  plaintextSize,
  SEALED_CHUNK_BYTES,
  type PlaintextSource,
} from '../src/index.ts';
import { cut, expectBytes, pipe, randInt, randomBytes } from './helpers.ts';

const key = new Uint8Array(32).map((_, i) => i);
const context = 'sealdrop/v1 AAECAwQFBgcICQoLDA0ODw';


/** The part boundaries an uploader might pick: random, plus the header edge. */
function randomBoundaries(total: number): number[] {
  const cuts = new Set<number>([0, total]);
  for (let i = 0; i < 6; i++) cuts.add(randInt(0, total));
  if (total > HEADER_BYTES) cuts.add(HEADER_BYTES);
  return [...cuts].sort((a, b) => a - b);
}

/** Independent Cobblestone-256 encryption with node:crypto, from the spec text only. */
function nodeEncrypt(inputKey: Uint8Array, salt: Uint8Array, ctx: Uint8Array, pt: Uint8Array): Uint8Array {
  const info = Buffer.concat([Buffer.from('c2sp.org/chunked-encryption@v1+AEAD_AES_256_GCM'), Buffer.from([0]), salt, ctx]);
  const t1 = createHmac('sha512', inputKey).update(Buffer.concat([info, Buffer.from([1])])).digest();
  const t2 = createHmac('sha512', inputKey).update(Buffer.concat([t1, info, Buffer.from([2])])).digest();
  const okm = Buffer.concat([t1, t2]);
  const aesKey = okm.subarray(0, 32);
  const nonce = okm.subarray(32, 44);
  const commitment = okm.subarray(44, 76);
  const out: Buffer[] = [Buffer.from(salt), commitment];
  for (let k = 0; ; k++) {
    const iv = Buffer.from(nonce);
    iv.writeUInt32BE((iv.readUInt32BE(8) ^ k) >>> 0, 8);
    const chunk = pt.subarray(k * 16384, Math.min(pt.length, (k + 1) * 16384));
    const c = createCipheriv('aes-256-gcm', aesKey, iv);
    out.push(c.update(chunk), c.final(), c.getAuthTag());
    if (chunk.length < 16384) break;
  }
  return new Uint8Array(Buffer.concat(out));
}

describe('size arithmetic', () => {
  test.each([
    [0, 72, 1],
    [1, 73, 1],
    [16383, 56 + 16383 + 16, 1],
    [16384, 56 + 16384 + 32, 2],
    [16385, 56 + 16385 + 32, 2],
    [32768, 56 + 32768 + 48, 3],
  ])('%i plaintext bytes', (n, c, chunks) => {
    expect(ciphertextSize(n)).toBe(c);
    expect(chunkCount(n)).toBe(chunks);
    expect(plaintextSize(c)).toBe(n);
    expect(isCiphertextSize(c)).toBe(true);
  });

  test('sizes Cobblestone cannot produce', () => {
    for (const c of [0, 55, 56, 71, 56 + 16400, 56 + 16400 + 15, 56 + 2 * 16400, -1, 1.5]) {
      expect(isCiphertextSize(c)).toBe(false);
      expect(() => plaintextSize(c)).toThrow(CobblestoneError);
    }
    for (let n = 0; n < 200_000; n += 997) expect(plaintextSize(ciphertextSize(n))).toBe(n);
    expect(ciphertextSize(10 * 2 ** 30)).toBe(56 + 10 * 2 ** 30 + 16 * (10 * 2 ** 16 + 1));
  });

  test('chunk offsets and range chunks', () => {
    expect(chunkOffset(0)).toBe(56);
    expect(chunkOffset(3)).toBe(56 + 3 * 16400);
    expect(ciphertextRangeChunks(0, 56)).toBeNull();
    expect(ciphertextRangeChunks(0, 57)).toEqual({ first: 0, last: 0 });
    expect(ciphertextRangeChunks(56 + 16400, 56 + 16401)).toEqual({ first: 1, last: 1 });
    expect(ciphertextRangeChunks(56 + 16399, 56 + 16401)).toEqual({ first: 0, last: 1 });
    expect(ciphertextRangeChunks(0, 10 ** 9, 20000)).toEqual({ first: 0, last: 1 });
  });
});

describe('agrees with an independent node:crypto encryption (AES-256)', () => {
  test.each([0, 1, 100, 16383, 16384, 16385, 70000])('%i bytes', async (n) => {
    const pt = randomBytes(n);
    const salt = randomBytes(24);
    const ctx = new TextEncoder().encode(context);
    const theirs = nodeEncrypt(key, salt, ctx, pt);
    expectBytes(await encryptMessage(key, pt, { context, salt }), theirs);
    expectBytes(await decryptMessage(key, theirs, { context }), pt);
  });
});

const SIZES = [0, 1, 16383, 16384, 16385, 32768, 32769, randInt(2, 200_000), randInt(200_000, 3 * 2 ** 20), randInt(3 * 2 ** 20, 6 * 2 ** 20)];

describe.each(SIZES)('round trips at %i bytes', (n) => {
  const pt = randomBytes(n);
  const salt = randomBytes(24);
  let whole: Uint8Array;

  test('whole message', async () => {
    whole = await encryptMessage(key, pt, { context, salt });
    expect(whole.length).toBe(ciphertextSize(n));
    expectBytes(await decryptMessage(key, whole, { context }), pt);
  });

  test('encrypt stream (random pieces) = whole message; decrypt stream (random pieces) = plaintext', async () => {
    const streamed = await pipe(createEncryptStream(key, { context, salt }), cut(pt, 40000));
    expectBytes(streamed, whole);
    expectBytes(await pipe(createDecryptStream(key, { context }), cut(whole, 40000)), pt);
    expectBytes(await pipe(createDecryptStream(key, { context, size: n }), [whole]), pt);
  });

  test('random-access parts with random boundaries = whole message', async () => {
    const keys = await deriveMessageKeys(key, salt, context);
    for (const source of [bytesSource(pt), blobSource(new Blob([pt as Uint8Array<ArrayBuffer>]))]) {
      const b = randomBoundaries(whole.length);
      const parts = await Promise.all(b.slice(1).map((end, i) => encryptRange(source, keys, b[i], end)));
      expectBytes(concatBytes(...parts), whole);
    }
  });

});

test('the source is read in bounded pieces, not all at once', async () => {
  const pt = randomBytes(5 * 2 ** 20);
  const keys = await deriveMessageKeys(key, randomBytes(24), context);
  let largest = 0;
  const src: PlaintextSource = {
    size: pt.length,
    read: async (o, l) => {
      largest = Math.max(largest, l);
      return pt.slice(o, o + l);
    },
  };
  await encryptRange(src, keys, 0, ciphertextSize(pt.length));
  expect(largest).toBeLessThanOrEqual(2 ** 20);
});

test('a salt is fresh unless given', async () => {
  const a = await encryptMessage(key, new Uint8Array(10), { context });
  const b = await encryptMessage(key, new Uint8Array(10), { context });
  expect(Buffer.from(a.subarray(0, 24)).equals(b.subarray(0, 24))).toBe(false);
});

test('key sizes: 32 → AES-256, 16 → AES-128, anything else refused', async () => {
  const pt = randomBytes(100);
  const k16 = randomBytes(16);
  expectBytes(await decryptMessage(k16, await encryptMessage(k16, pt), {}), pt);
  for (const bad of [0, 15, 17, 24, 31, 33, 64]) {
    await expect(encryptMessage(randomBytes(bad), pt)).rejects.toMatchObject({ kind: 'key_size' });
  }
  await expect(encryptMessage(k16, pt, { aead: 'AEAD_AES_256_GCM' })).rejects.toMatchObject({ kind: 'key_size' });
  await expect(encryptMessage(key, pt, { aead: 'AEAD_AES_128_GCM' })).rejects.toMatchObject({ kind: 'key_size' });
  // The AEAD is part of the derivation: the same 16-byte key never opens a message under another name.
  const ct = await encryptMessage(k16, pt);
  await expect(pipe(createDecryptStream(randomBytes(20), {}), [ct])).rejects.toMatchObject({ kind: 'key_size' });
});
