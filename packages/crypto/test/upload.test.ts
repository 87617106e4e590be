// "One salt, one plaintext": fresh salts, identical bytes on an unchanged resume,
// refusal on a changed source.
import { describe, expect, test } from 'vitest';
import { bytesSource, concatBytes, decryptMessage, FileEncryptor, SourceChangedError, type PlaintextSource } from '../src/index.ts';
import { expectBytes } from './helpers.ts';

const key = crypto.getRandomValues(new Uint8Array(32));
const context = new TextEncoder().encode('sealdrop/v1 AAECAwQFBgcICQoLDA0ODw');
const partBytes = 100_000;

function data(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let o = 0; o < n; o += 65536) crypto.getRandomValues(out.subarray(o, Math.min(n, o + 65536)));
  return out;
}

describe('FileEncryptor', () => {
  const pt = data(350_000);

  test('parts in any order make one message; every create draws a fresh salt', async () => {
    const a = await FileEncryptor.create(bytesSource(pt), key, context, partBytes);
    const b = await FileEncryptor.create(bytesSource(pt), key, context, partBytes);
    expect(Buffer.from(a.salt).equals(b.salt)).toBe(false);
    expect(a.partCount).toBe(Math.ceil(a.ciphertextSize / partBytes));
    const order = [...Array(a.partCount).keys()].reverse();
    const parts: Uint8Array[] = [];
    for (const n of order) parts[n] = (await a.makePart(n)).bytes;
    expectBytes(await decryptMessage(key, concatBytes(...parts), { context }), pt);
    expect(a.partDigests.every((d) => /^[0-9a-f]{64}$/.test(d!))).toBe(true);
  });

  test('a resume with the same source gives identical bytes', async () => {
    const first = await FileEncryptor.create(bytesSource(pt), key, context, partBytes);
    const p0 = await first.makePart(0);
    const p1 = await first.makePart(1);
    const resumed = await FileEncryptor.resume(bytesSource(pt.slice()), key, context, partBytes, first.salt, first.partDigests);
    expectBytes((await resumed.makePart(1)).bytes, p1.bytes);
    expectBytes((await resumed.makePart(0)).bytes, p0.bytes);
    const rest = [];
    for (let n = 2; n < resumed.partCount; n++) rest.push((await resumed.makePart(n)).bytes);
    expectBytes(await decryptMessage(key, concatBytes(p0.bytes, p1.bytes, ...rest), { context }), pt);
  });

  test('a resume with a changed source is refused before anything is sent', async () => {
    const first = await FileEncryptor.create(bytesSource(pt), key, context, partBytes);
    await first.makePart(0);
    await first.makePart(1);
    const edited = pt.slice();
    edited[150_000] ^= 1; // inside part 1
    const resumed = await FileEncryptor.resume(bytesSource(edited), key, context, partBytes, first.salt, first.partDigests);
    expect((await resumed.makePart(0)).sha256).toBe(first.partDigests[0]);
    await expect(resumed.makePart(1)).rejects.toBeInstanceOf(SourceChangedError);
    // A different size changes the part count: refused at once.
    await expect(FileEncryptor.resume(bytesSource(pt.subarray(0, 200_000)), key, context, partBytes, first.salt, first.partDigests)).rejects.toBeInstanceOf(SourceChangedError);
  });

  test('within one session a source that changes under a retry is caught too', async () => {
    let bytes = pt;
    const src: PlaintextSource = { size: pt.length, read: async (o, l) => bytes.slice(o, o + l) };
    const enc = await FileEncryptor.create(src, key, context, partBytes);
    await enc.makePart(2);
    bytes = pt.slice();
    bytes[250_000] ^= 0x80;
    await expect(enc.makePart(2)).rejects.toBeInstanceOf(SourceChangedError);
  });

  test('no path but resume takes a salt', () => {
    expect(FileEncryptor.create.length).toBe(4);
    expect(Object.getOwnPropertyNames(FileEncryptor).filter((n) => typeof (FileEncryptor as any)[n] === 'function').sort()).toEqual(['create', 'resume']);
  });
});
