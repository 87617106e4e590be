import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { Sha256 } from '../src/sha256.ts';
import { INPUT_CAPACITY, sha256ModuleBytes } from '../src/sha256-wasm.ts';

const reference = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Feeds `data` in random pieces, so block boundaries fall anywhere. */
async function hashInPieces(data: Uint8Array, create: () => Promise<Sha256>): Promise<string> {
  const h = await create();
  for (let o = 0; o < data.length; ) {
    const n = Math.min(data.length - o, Math.floor(Math.random() * 3 * INPUT_CAPACITY) + 1);
    h.update(data.subarray(o, o + n));
    o += n;
  }
  return h.digestHex();
}

type Sha256Module = typeof import('../src/sha256.ts');

/** The same checks for each variant of the module (`load` gives a fresh import that uses it). */
function knownAnswers(variant: string, load: () => Promise<Sha256Module>) {
  describe(`streaming SHA-256 (unrolled WebAssembly, ${variant})`, () => {
    test('FIPS 180-4 known answers', async () => {
      const { sha256Hex } = await load();
      expect(await sha256Hex(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
      expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
      expect(await sha256Hex(new TextEncoder().encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe(
        '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
      );
      expect(await sha256Hex(new TextEncoder().encode('abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu'))).toBe(
        'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1',
      );
      expect(await sha256Hex(new Uint8Array(1_000_000).fill(0x61))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
    });

    test('equals node:crypto at every length 0..300 (block and padding edges), whole and byte by byte', async () => {
      const { createSha256, sha256Hex } = await load();
      for (let n = 0; n <= 300; n++) {
        const data = randomBytes(n);
        expect(await sha256Hex(data), `length ${n}`).toBe(reference(data));
      }
      const data = randomBytes(300);
      const h = await createSha256();
      for (let i = 0; i < data.length; i++) h.update(data.subarray(i, i + 1));
      expect(h.digestHex()).toBe(reference(data));
    });

    test('equals node:crypto for random inputs larger than its buffer, fed in random pieces', async () => {
      const { createSha256 } = await load();
      for (const n of [INPUT_CAPACITY - 1, INPUT_CAPACITY, INPUT_CAPACITY + 1, 3 * INPUT_CAPACITY + 12345]) {
        const data = randomBytes(n);
        expect(await hashInPieces(data, createSha256), `length ${n}`).toBe(reference(data));
      }
    });

    test('copy() is the digest of the bytes so far, and both go on independently', async () => {
      const { createSha256 } = await load();
      const data = randomBytes(2 * INPUT_CAPACITY + 999);
      for (const cut of [0, 1, 63, 64, 65, INPUT_CAPACITY + 5, 2 * INPUT_CAPACITY + 999]) {
        const h = await createSha256();
        h.update(data.subarray(0, cut));
        const c = h.copy();
        h.update(data.subarray(cut));
        expect(c.digestHex(), `cut ${cut}`).toBe(reference(data.subarray(0, cut)));
        expect(h.digestHex(), `cut ${cut}`).toBe(reference(data));
      }
    });

    test('a finished hash refuses more input', async () => {
      const { createSha256 } = await load();
      const h = await createSha256();
      h.update(new Uint8Array(10));
      h.digestHex();
      expect(() => h.update(new Uint8Array(1))).toThrow(/after digest/);
      expect(() => h.digestHex()).toThrow(/twice/);
    });
  });
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.resetModules();
});

/** A fresh import of sha256.ts (its compiled module is cached per import) that must compile `variant`'s bytes. */
async function loadExpecting(variant: 'simd' | 'scalar'): Promise<Sha256Module> {
  const compile = vi.spyOn(WebAssembly, 'compile');
  vi.resetModules();
  const fresh = await import('../src/sha256.ts');
  await fresh.sha256Hex(new Uint8Array(1));
  expect(compile).toHaveBeenCalledTimes(1);
  expect(compile.mock.calls[0]![0]).toEqual(sha256ModuleBytes(variant));
  return fresh;
}

// Node validates WASM SIMD, so it takes the SIMD variant, as Chromium does.
knownAnswers('SIMD', () => loadExpecting('simd'));
knownAnswers('scalar, where WASM SIMD does not validate', () => {
  vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
  return loadExpecting('scalar');
});

describe('where WebAssembly cannot be compiled (workerd)', () => {
  test('falls back to @noble/hashes with the same digests', async () => {
    const compile = vi.spyOn(WebAssembly, 'compile').mockRejectedValue(new Error('Wasm code generation disallowed by embedder'));
    vi.resetModules();
    const fresh = await import('../src/sha256.ts');
    const data = randomBytes(INPUT_CAPACITY + 777);
    expect(await hashInPieces(data, fresh.createSha256)).toBe(reference(data));
    const h = await fresh.createSha256();
    h.update(data.subarray(0, 100));
    const c = h.copy();
    h.update(data.subarray(100));
    expect([c.digestHex(), h.digestHex()]).toEqual([reference(data.subarray(0, 100)), reference(data)]);
    expect(await fresh.sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(compile).toHaveBeenCalledTimes(1);
  });
});
