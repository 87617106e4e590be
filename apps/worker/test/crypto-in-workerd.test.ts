// @sealdrop/crypto is the same source in browsers, Node and workerd. workerd
// refuses to compile WebAssembly at run time, so the streaming SHA-256 must fall
// back to @noble/hashes here and still give WebCrypto's digests.
import { createSha256, hexEncode } from '@sealdrop/crypto';
import { describe, expect, it } from 'vitest';

describe('@sealdrop/crypto inside workerd', () => {
  it('runtime WebAssembly is refused here (the reason for the fallback)', async () => {
    const empty = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    // (workers-types leaves compile out, since workerd does not allow it.)
    const { compile } = WebAssembly as unknown as { compile(bytes: Uint8Array): Promise<unknown> };
    await expect(compile.call(WebAssembly, empty)).rejects.toThrow(/Wasm code generation/);
  });

  it('streaming SHA-256 matches crypto.subtle.digest across block edges and pieces', async () => {
    for (const n of [0, 1, 55, 56, 63, 64, 65, 1000, 100_000, 1_048_577]) {
      const data = crypto.getRandomValues(new Uint8Array(Math.max(1, Math.min(n, 65536))));
      const bytes = new Uint8Array(n);
      for (let o = 0; o < n; o += data.length) bytes.set(data.subarray(0, Math.min(data.length, n - o)), o);
      const h = await createSha256();
      for (let o = 0; o < n; o += 7919) h.update(bytes.subarray(o, Math.min(n, o + 7919)));
      const expected = hexEncode(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
      expect(h.digestHex(), `length ${n}`).toBe(expected);
    }
  });
});
