import { expect } from 'vitest';
import { concatBytes } from '../src/encoding.ts';

/** Fast byte comparison (vitest's deep equality is very slow on large typed arrays). */
export function expectBytes(actual: Uint8Array, expected: Uint8Array, what = 'bytes'): void {
  if (actual.length === expected.length && Buffer.from(actual.buffer, actual.byteOffset, actual.length).equals(Buffer.from(expected.buffer, expected.byteOffset, expected.length))) return;
  let i = 0;
  while (i < Math.min(actual.length, expected.length) && actual[i] === expected[i]) i++;
  expect.fail(`${what} differ: lengths ${actual.length} vs ${expected.length}, first difference at ${i}`);
}

export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let o = 0; o < n; o += 65536) crypto.getRandomValues(out.subarray(o, Math.min(n, o + 65536)));
  return out;
}

export function randInt(lo: number, hi: number): number {
  return lo + Math.floor(Math.random() * (hi - lo + 1));
}

/** Cuts bytes into random-sized pieces (copies, like a real stream). */
export function cut(data: Uint8Array, max: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o < data.length; ) {
    const n = randInt(1, max);
    out.push(data.slice(o, o + n));
    o += n;
  }
  return out;
}

/** The output pieces of `ts` fed `parts` (taken from the array) through a pipe, as a reader sees them. */
export async function pieces(ts: TransformStream<Uint8Array, Uint8Array>, parts: Uint8Array[]): Promise<Uint8Array[]> {
  const input = new ReadableStream<Uint8Array>({
    pull(c) {
      const p = parts.shift();
      if (p) c.enqueue(p);
      else c.close();
    },
  });
  const out: Uint8Array[] = [];
  await input.pipeThrough(ts).pipeTo(new WritableStream({ write: (c) => void out.push(c) }));
  return out;
}

/** All of `ts`'s output for `parts`, as one array. */
export async function pipe(ts: TransformStream<Uint8Array, Uint8Array>, parts: Uint8Array[]): Promise<Uint8Array> {
  return concatBytes(...(await pieces(ts, parts)));
}
