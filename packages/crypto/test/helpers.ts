import { expect } from 'vitest';

/** Fast byte comparison (vitest's deep equality is very slow on large typed arrays). */
export function expectBytes(actual: Uint8Array, expected: Uint8Array, what = 'bytes'): void {
  if (actual.length === expected.length && Buffer.from(actual.buffer, actual.byteOffset, actual.length).equals(Buffer.from(expected.buffer, expected.byteOffset, expected.length))) return;
  let i = 0;
  while (i < Math.min(actual.length, expected.length) && actual[i] === expected[i]) i++;
  expect.fail(`${what} differ: lengths ${actual.length} vs ${expected.length}, first difference at ${i}`);
}
