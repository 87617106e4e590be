// Round trips through every path, size arithmetic, tampering in every region,
// and a cross-check of the 256-bit instantiation against node:crypto.
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
import { cut, expectBytes, randInt, randomBytes } from './helpers.ts';

const key = new Uint8Array(32).map((_, i) => i);
const context = 'sealdrop/v1 AAECAwQFBgcICQoLDA0ODw';




async function pipe(ts: TransformStream<Uint8Array, Uint8Array>, parts: Uint8Array[]): Promise<Uint8Array> {
  const input = new ReadableStream<Uint8Array>({
    pull(c) {
      const p = parts.shift();
      if (p) c.enqueue(p);
      else c.close();
    },
  });
  const chunks: Uint8Array[] = [];
  await input.pipeThrough(ts).pipeTo(new WritableStream({ write: (c) => void chunks.push(c) }));
  return concatBytes(...chunks);
}

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

  test('decrypt from any chunk with the header fetched apart (Range download)', async () => {
    const chunks = chunkCount(n);
    for (const k of new Set([0, chunks - 1, randInt(0, chunks - 1)])) {
      const out = await pipe(createDecryptStream(key, { context, fromChunk: k, header: whole.subarray(0, 56), size: n }), cut(whole.slice(chunkOffset(k)), 30000));
      expectBytes(out, pt.subarray(k * 16384));
    }
  });
});

test('joinChunks hands on the chunks of one input piece as one piece, and the same plaintext', async () => {
  const n = 40 * 16384 + 77; // more than one batch of 32
  const pt = randomBytes(n);
  const ct = await encryptMessage(key, pt, { context });
  const pieces: Uint8Array[] = [];
  const input = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(ct.slice(0, chunkOffset(3) + 5)); // header, chunks 0-2 and 5 bytes of chunk 3
      c.enqueue(ct.slice(chunkOffset(3) + 5));
      c.close();
    },
  });
  await input.pipeThrough(createDecryptStream(key, { context, joinChunks: true })).pipeTo(new WritableStream({ write: (c) => void pieces.push(c) }));
  expect(pieces.map((p) => p.length)).toEqual([3 * 16384, 32 * 16384, 5 * 16384, 77]);
  expectBytes(concatBytes(...pieces), pt);
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

describe('tampering in every region fails, and nothing unauthenticated is released', () => {
  const n = 3 * 16384 + 1000; // chunks 0..2 full, chunk 3 short
  const pt = randomBytes(n);
  const ctP = encryptMessage(key, pt, { context });

  async function streamResult(ct: Uint8Array, opts: { size?: number; joinChunks?: boolean } = {}) {
    const chunks: Uint8Array[] = [];
    const ts = createDecryptStream(key, { context, ...opts });
    const done = ts.readable.pipeTo(new WritableStream({ write: (c) => void chunks.push(c) })).then(() => null, (e) => e);
    const w = ts.writable.getWriter();
    for (const p of cut(ct, 20000)) await w.write(p).catch(() => {});
    await w.close().catch(() => {});
    return { error: await done, out: concatBytes(...chunks) };
  }

  const regions: [string, (ct: Uint8Array) => Uint8Array, string, number][] = [
    ['salt', (ct) => flip(ct, 3), 'commitment', 0],
    ['commitment', (ct) => flip(ct, 40), 'commitment', 0],
    ['chunk 0 body', (ct) => flip(ct, 56 + 100), 'auth', 0],
    ['chunk 0 tag', (ct) => flip(ct, 56 + 16399), 'auth', 0],
    ['chunk 2 body', (ct) => flip(ct, chunkOffset(2) + 5), 'auth', 2 * 16384],
    ['final chunk tag', (ct) => flip(ct, ct.length - 1), 'auth', 3 * 16384],
    ['length: one byte cut', (ct) => ct.slice(0, -1), 'auth', 3 * 16384],
    ['length: final chunk dropped', (ct) => ct.slice(0, chunkOffset(3)), 'truncated', 3 * 16384],
    ['length: cut inside the tag-only range', (ct) => ct.slice(0, chunkOffset(3) + 10), 'truncated', 3 * 16384],
    ['length: header only', (ct) => ct.slice(0, 56), 'truncated', 0],
    ['length: half a header', (ct) => ct.slice(0, 30), 'truncated', 0],
    ['trailing byte', (ct) => concatBytes(ct, Uint8Array.of(0)), 'auth', 3 * 16384],
    ['trailing copy of the final chunk', (ct) => concatBytes(ct, ct.slice(chunkOffset(3))), 'auth', 3 * 16384],
    ['chunks 0 and 1 swapped', (ct) => swap(ct, 0, 1), 'auth', 0],
    ['chunk 1 replaced by chunk 0', (ct) => concatBytes(ct.slice(0, chunkOffset(1)), ct.slice(chunkOffset(0), chunkOffset(1)), ct.slice(chunkOffset(2))), 'auth', 16384],
  ];

  test.each(regions)('%s', async (_name, tamper, kind, prefix) => {
    const ct = tamper(await ctP);
    await expect(decryptMessage(key, ct, { context })).rejects.toBeInstanceOf(CobblestoneError);
    const { error, out } = await streamResult(ct);
    expect(error).toBeInstanceOf(CobblestoneError);
    expect(error.kind).toBe(kind);
    // Only verified chunks before the damage come out.
    expectBytes(out, pt.subarray(0, prefix));
  });

  test.each(regions)('%s, with joinChunks: only whole authenticated chunks of the prefix come out', async (_name, tamper, kind, prefix) => {
    const ct = tamper(await ctP);
    const { error, out } = await streamResult(ct, { joinChunks: true });
    expect(error.kind).toBe(kind);
    expect(out.length % 16384).toBe(0);
    expect(out.length).toBeLessThanOrEqual(prefix);
    expectBytes(out, pt.subarray(0, out.length));
  });

  test('with the expected size, trailing data and truncation are named as such', async () => {
    const ct = await ctP;
    expect((await streamResult(concatBytes(ct, new Uint8Array(5)), { size: n })).error.kind).toBe('trailing');
    expect((await streamResult(ct.slice(0, -1), { size: n })).error.kind).toBe('truncated');
    expect((await streamResult(ct, { size: n - 1 })).error.kind).toBe('trailing');
  });

  test('a failed stream stays failed', async () => {
    const ts = createDecryptStream(key, { context });
    const reader = ts.readable.getReader();
    const w = ts.writable.getWriter();
    const bad = flip(await ctP, 40);
    const read = reader.read();
    await expect(w.write(bad)).rejects.toMatchObject({ kind: 'commitment' });
    await expect(read).rejects.toMatchObject({ kind: 'commitment' });
    await expect(reader.read()).rejects.toMatchObject({ kind: 'commitment' });
    await expect(w.write((await ctP).slice(56))).rejects.toMatchObject({ kind: 'commitment' });
    await expect(w.close()).rejects.toThrow();
  });

  test('Range decryption with a wrong header or a chunk from the wrong place fails', async () => {
    const ct = await ctP;
    await expect(pipe(createDecryptStream(key, { context, fromChunk: 1, header: flip(ct.subarray(0, 56), 0) }), [ct.slice(chunkOffset(1))])).rejects.toMatchObject({ kind: 'commitment' });
    await expect(pipe(createDecryptStream(key, { context, fromChunk: 2, header: ct.subarray(0, 56) }), [ct.slice(chunkOffset(1))])).rejects.toMatchObject({ kind: 'auth' });
  });
});

function flip(ct: Uint8Array, i: number): Uint8Array {
  const out = ct.slice();
  out[i] ^= 1;
  return out;
}

function swap(ct: Uint8Array, a: number, b: number): Uint8Array {
  const out = ct.slice();
  out.set(ct.subarray(chunkOffset(a), chunkOffset(a) + SEALED_CHUNK_BYTES), chunkOffset(b));
  out.set(ct.subarray(chunkOffset(b), chunkOffset(b) + SEALED_CHUNK_BYTES), chunkOffset(a));
  return out;
}
