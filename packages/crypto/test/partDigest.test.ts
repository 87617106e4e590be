// The resume journal's part digest (partDigest.ts): it is its definition
// (checked against the whole message), it changes with any plaintext byte of any
// chunk the part overlaps (straddling chunks in both parts) and with the header,
// and stays put for the same input.
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { bytesSource, ciphertextSize, deriveMessageKeys, encryptMessage, encryptPartWithDigest, PART_DIGEST, PartDigest, type MessageKeys } from '../src/index.ts';

const key = crypto.getRandomValues(new Uint8Array(32));
const context = new TextEncoder().encode('sealdrop/v1 AAECAwQFBgcICQoLDA0ODw');

function data(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let o = 0; o < n; o += 65536) crypto.getRandomValues(out.subarray(o, Math.min(n, o + 65536)));
  return out;
}

/** The definition, from the finished message: label, sizes, header bytes in range, the tag of each sealed chunk overlapping [start, end). */
function reference(whole: Uint8Array, size: number, start: number, end: number): string {
  const h = createHash('sha256').update(PART_DIGEST);
  for (const v of [size, start, end]) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(v));
    h.update(b);
  }
  if (start < 56) h.update(whole.subarray(start, Math.min(end, 56)));
  for (let cs = 56; cs < whole.length; cs += 16400) {
    const ce = Math.min(cs + 16400, whole.length);
    if (cs < end && ce > start) h.update(whole.subarray(ce - 16, ce));
  }
  return h.digest('hex');
}

const ranges = (total: number, partBytes: number) => Array.from({ length: Math.ceil(total / partBytes) }, (_, n) => [n * partBytes, Math.min(total, (n + 1) * partBytes)] as const);

async function digests(pt: Uint8Array, keys: MessageKeys, partBytes: number) {
  return Promise.all(ranges(ciphertextSize(pt.length), partBytes).map(async ([a, b]) => encryptPartWithDigest(bytesSource(pt), keys, a, b)));
}

describe('part digest', () => {
  test('is its definition, for ranges cut anywhere (header, inside chunks, inside tags), and encryptPartWithDigest gives the range\u2019s bytes', async () => {
    for (const size of [0, 1, 16383, 16384, 100_000]) {
      const pt = data(size);
      const salt = data(24);
      const keys = await deriveMessageKeys(key, salt, context);
      const whole = await encryptMessage(key, pt, { context, salt });
      const cuts = [[0, whole.length], [0, 40], [20, 56], [56, whole.length], [0, 57]];
      for (let i = 0; i < 12; i++) {
        const a = Math.floor(Math.random() * whole.length);
        cuts.push([a, a + 1 + Math.floor(Math.random() * (whole.length - a))]);
      }
      if (whole.length > 16456) cuts.push([16440, 16460], [16455, 16456], [16456, whole.length]); // around chunk 0's tag
      for (const [a, b] of cuts) {
        const made = await encryptPartWithDigest(bytesSource(pt), keys, a, b);
        expect(Buffer.from(made.bytes).equals(whole.subarray(a, b)), `bytes ${size} [${a}, ${b})`).toBe(true);
        expect(made.sha256, `digest ${size} [${a}, ${b})`).toBe(reference(whole, size, a, b));
      }
    }
  });

  // 100,000 bytes: 7 chunks, 100,168 bytes of ciphertext. Parts of 30,000 cut chunk 1 (16,456-32,856) in its body;
  // parts of 32,850 cut it inside its tag (32,840-32,856), leaving 6 tag bytes in part 1.
  for (const partBytes of [30_000, 32_850]) {
    test(`a changed plaintext byte changes the digest of exactly the parts its chunk overlaps (parts of ${partBytes})`, async () => {
      const pt = data(100_000);
      const keys = await deriveMessageKeys(key, data(24), context);
      const before = await digests(pt, keys, partBytes);
      const parts = ranges(ciphertextSize(pt.length), partBytes);
      for (let k = 0; k < 7; k++) {
        const cs = 56 + 16400 * k;
        const ce = Math.min(cs + 16400, ciphertextSize(pt.length));
        const overlaps = parts.map(([a, b]) => cs < b && ce > a);
        const chunkEnd = Math.min(pt.length, (k + 1) * 16384);
        for (const p of new Set([k * 16384, chunkEnd - 1, k * 16384 + Math.floor(Math.random() * (chunkEnd - k * 16384))])) {
          const edited = pt.slice();
          edited[p] ^= 1 << Math.floor(Math.random() * 8);
          const after = await digests(edited, keys, partBytes);
          expect(after.map((d, n) => d.sha256 !== before[n].sha256), `chunk ${k}, byte ${p}`).toEqual(overlaps);
        }
      }
    });
  }

  test('a straddling chunk changed where its bytes fall in the next part: this part\u2019s bytes are the same, its digest is not', async () => {
    const pt = data(100_000);
    const keys = await deriveMessageKeys(key, data(24), context);
    const [p0, p1] = await digests(pt, keys, 30_000);
    const edited = pt.slice();
    edited[31_000] ^= 0x40; // chunk 1, ciphertext offset 31,072: part 1
    const [q0, q1] = await digests(edited, keys, 30_000);
    expect(Buffer.from(q0.bytes).equals(p0.bytes)).toBe(true); // a digest of part 0's bytes alone would say "unchanged"
    expect(q0.sha256).not.toBe(p0.sha256);
    expect(q1.sha256).not.toBe(p1.sha256);
  });

  test('the same input gives the same digests; another salt (the header) changes part 0\u2019s, also one of header bytes only', async () => {
    const pt = data(70_000);
    const salt = data(24);
    const a = await digests(pt, await deriveMessageKeys(key, salt, context), 30_000);
    const b = await digests(pt.slice(), await deriveMessageKeys(key, salt.slice(), context), 30_000);
    expect(b.map((d) => d.sha256)).toEqual(a.map((d) => d.sha256));
    const other = data(24);
    const c = await digests(pt, await deriveMessageKeys(key, other, context), 30_000);
    expect(c[0].sha256).not.toBe(a[0].sha256);
    const head = async (s: Uint8Array) => (await encryptPartWithDigest(bytesSource(pt), await deriveMessageKeys(key, s, context), 0, 40)).sha256;
    expect(await head(salt)).toBe(await head(salt.slice()));
    expect(await head(other)).not.toBe(await head(salt));
  });

  test('takes every overlapping chunk once, in order, before it gives a digest', async () => {
    const keys = await deriveMessageKeys(key, data(24), context);
    const sealed = new Uint8Array(16400);
    const d = new PartDigest(100_000, 30_000, 60_000, keys.header); // chunks 1-3
    expect(() => d.add(2, sealed)).toThrow(/out of order/);
    d.add(1, sealed);
    d.add(2, sealed);
    await expect(d.hex()).rejects.toThrow(/1 chunks missing/);
    d.add(3, sealed);
    expect(() => d.add(4, sealed)).toThrow(/out of order/);
    await expect(d.hex()).resolves.toMatch(/^[0-9a-f]{64}$/);
    expect(() => new PartDigest(10, 0, ciphertextSize(10) + 1, keys.header)).toThrow(RangeError);
  });
});
