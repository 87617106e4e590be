// Both streaming decryptors, one suite: the universal WebCrypto one
// (createDecryptStream) and the CLI's node:crypto one (createNodeDecryptStream)
// are decryptFrames.ts's framing with their own chunk opener. Each must give the
// plaintext from any cut of the input and from any chunk, and the same failure,
// with only authenticated chunks before it released, for every damage.
import { describe, expect, test } from 'vitest';
import { chunkCount, chunkOffset, CobblestoneError, concatBytes, createDecryptStream, decryptMessage, encryptMessage, SEALED_CHUNK_BYTES } from '../src/index.ts';
import { createNodeDecryptStream } from '../src/node/index.ts';
import { cut, expectBytes, pieces, pipe, randInt, randomBytes } from './helpers.ts';

const key = new Uint8Array(32).map((_, i) => i);
const context = 'sealdrop/v1 AAECAwQFBgcICQoLDA0ODw';
type Make = typeof createDecryptStream;
// [name, decryptor, chunks per output piece with joinChunks (node:crypto: all of an input)]
const DECRYPTORS: [string, Make, number][] = [
  ['WebCrypto', createDecryptStream, 32],
  ['node:crypto', createNodeDecryptStream, Infinity],
];

describe.each(DECRYPTORS)('%s', (_name, make, batch) => {
  describe.each([0, 1, 16383, 16384, 16385, 32769, 5 * 16400, randInt(2, 200_000), 3 * 2 ** 20 + 12345])('%i bytes', (n) => {
    const pt = randomBytes(n);
    const ctP = encryptMessage(key, pt, { context });

    test('any cut of the input, one piece, or pieces larger than a batch: the plaintext', async () => {
      const ct = await ctP;
      for (const parts of [cut(ct, 40000), [ct.slice()], cut(ct, 3 * 2 ** 20), cut(ct, 100)]) {
        expectBytes(await pipe(make(key, { context }), parts.slice()), pt);
        const out = await pieces(make(key, { context, size: n, joinChunks: true }), parts);
        expectBytes(concatBytes(...out), pt);
        // Every piece but the last is a whole number of chunks (a receive checkpoints between them).
        for (const p of out.slice(0, -1)) expect(p.length % 16384).toBe(0);
      }
    });

    test('from any chunk with the header apart (a Range resume)', async () => {
      const ct = await ctP;
      for (const k of new Set([0, chunkCount(n) - 1, randInt(0, chunkCount(n) - 1)])) {
        const out = await pipe(make(key, { context, fromChunk: k, header: ct.subarray(0, 56), size: n }), cut(ct.slice(chunkOffset(k)), 30000));
        expectBytes(out, pt.subarray(k * 16384));
      }
    });
  });

  test('joinChunks: the chunks of one input leave as one piece (at most a batch), the same plaintext', async () => {
    const n = 40 * 16384 + 77; // more than one WebCrypto batch of 32
    const pt = randomBytes(n);
    const ct = await encryptMessage(key, pt, { context });
    // Header, chunks 0-2 and 5 bytes of chunk 3; then the rest (37 full chunks and the final one).
    const out = await pieces(make(key, { context, joinChunks: true }), [ct.slice(0, chunkOffset(3) + 5), ct.slice(chunkOffset(3) + 5)]);
    const rest = Math.min(37, batch);
    expect(out.map((p) => p.length)).toEqual([3 * 16384, rest * 16384, ...(rest < 37 ? [(37 - rest) * 16384] : []), 77]);
    expectBytes(concatBytes(...out), pt);
  });

  describe('damage: the same failure for both, and only the verified chunks before it come out', () => {
    const n = 3 * 16384 + 1000; // chunks 0..2 full, chunk 3 short
    const pt = randomBytes(n);
    const ctP = encryptMessage(key, pt, { context });
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
      ['length: empty', () => new Uint8Array(0), 'truncated', 0],
      ['trailing byte', (ct) => concatBytes(ct, Uint8Array.of(0)), 'auth', 3 * 16384],
      ['trailing copy of the final chunk', (ct) => concatBytes(ct, ct.slice(chunkOffset(3))), 'auth', 3 * 16384],
      ['chunks 0 and 1 swapped', (ct) => swap(ct, 0, 1), 'auth', 0],
      ['chunk 1 replaced by chunk 0', (ct) => concatBytes(ct.slice(0, chunkOffset(1)), ct.slice(chunkOffset(0), chunkOffset(1)), ct.slice(chunkOffset(2))), 'auth', 16384],
    ];

    test.each(regions)('%s', async (_region, tamper, kind, prefix) => {
      const ct = tamper(await ctP);
      await expect(decryptMessage(key, ct, { context })).rejects.toBeInstanceOf(CobblestoneError);
      for (const joinChunks of [false, true]) {
        for (const parts of [cut(ct, 20000), [ct]]) {
          const { error, out } = await streamResult(make(key, { context, joinChunks }), parts);
          expect(error).toBeInstanceOf(CobblestoneError);
          expect(error.kind).toBe(kind);
          expectBytes(out, pt.subarray(0, prefix));
        }
      }
    });

    test('with the expected size, trailing data and truncation are named as such', async () => {
      const ct = await ctP;
      const kind = async (c: Uint8Array, size: number) => (await streamResult(make(key, { context, size }), cut(c, 20000))).error?.kind;
      expect(await kind(concatBytes(ct, new Uint8Array(5)), n)).toBe('trailing');
      expect(await kind(ct.slice(0, -1), n)).toBe('truncated');
      expect(await kind(ct, n - 1)).toBe('trailing');
    });

    test('a wrong key or key size, a wrong header on resume, a chunk from the wrong place', async () => {
      const ct = await ctP;
      expect((await streamResult(make(key.map((b) => b ^ 1), { context }), [ct])).error.kind).toBe('commitment');
      expect((await streamResult(make(randomBytes(20), { context }), [ct])).error.kind).toBe('key_size');
      // The key size is refused before any input, even one too short for a header.
      expect((await streamResult(make(randomBytes(20), { context }), [ct.slice(0, 10)])).error.kind).toBe('key_size');
      await expect(pipe(make(key, { context, fromChunk: 1, header: flip(ct.subarray(0, 56), 0) }), [ct.slice(chunkOffset(1))])).rejects.toMatchObject({ kind: 'commitment' });
      await expect(pipe(make(key, { context, fromChunk: 2, header: ct.subarray(0, 56) }), [ct.slice(chunkOffset(1))])).rejects.toMatchObject({ kind: 'auth' });
      expect(() => make(key, { context, fromChunk: 1 })).toThrow(TypeError);
      expect(() => make(key, { context, fromChunk: -1 })).toThrow(RangeError);
      expect(() => make(key, { context, fromChunk: 9, header: ct.subarray(0, 56), size: n })).toThrow(RangeError);
    });

    test('a failed stream stays failed', async () => {
      const ct = await ctP;
      const ts = make(key, { context });
      const reader = ts.readable.getReader();
      const w = ts.writable.getWriter();
      const read = reader.read();
      await expect(w.write(flip(ct, 40))).rejects.toMatchObject({ kind: 'commitment' });
      await expect(read).rejects.toMatchObject({ kind: 'commitment' });
      await expect(reader.read()).rejects.toMatchObject({ kind: 'commitment' });
      await expect(w.write(ct.slice(56))).rejects.toMatchObject({ kind: 'commitment' });
      await expect(w.close()).rejects.toThrow();
    });
  });
});

async function streamResult(ts: TransformStream<Uint8Array, Uint8Array>, parts: Uint8Array[]) {
  const chunks: Uint8Array[] = [];
  const done = ts.readable.pipeTo(new WritableStream({ write: (c) => void chunks.push(c) })).then(
    () => null,
    (e) => e,
  );
  const w = ts.writable.getWriter();
  for (const p of parts) await w.write(p).catch(() => {});
  await w.close().catch(() => {});
  return { error: await done, out: concatBytes(...chunks) };
}

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
