// The file route's body gathers local R2's 4 KiB chunks into 256 KiB pieces
// (each costs a pull, an enqueue and a socket write), byte for byte, and still
// never lets a piece cross a recheck boundary.
import { env } from 'cloudflare:test';
import { expect, it } from 'vitest';
import { livePieces, PIECE_BYTES, RECHECK_BYTES, recheckedBody } from '../src/lib/live-body.ts';
import { randomBytes } from './helpers.ts';

async function pieces(body: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  const r = body.getReader();
  for (;;) {
    const { done, value } = await r.read();
    if (done) return out;
    out.push(value);
  }
}

// Compared by hand: a failed toEqual of megabytes takes half a minute to print.
const same = (a: Uint8Array, b: Uint8Array) => a.byteLength === b.byteLength && a.every((x, i) => x === b[i]);

const joined = (xs: Uint8Array[]) => {
  const all = new Uint8Array(xs.reduce((n, x) => n + x.byteLength, 0));
  let at = 0;
  for (const x of xs) all.set(x, (at += x.byteLength) - x.byteLength);
  return all;
};

it('gathers small storage chunks into pieces of 256 KiB, byte for byte', async () => {
  const data = randomBytes(3 * 1024 * 1024 + 123);
  await env.BUCKET.put('live-body-gather', data);
  const obj = (await env.BUCKET.get('live-body-gather'))!;
  const got = await pieces(livePieces(obj.body, async () => true));
  expect(same(joined(got), data)).toBe(true);
  // Read from JS, storage gives 4 KiB chunks (769 of them); the socket gets 13 pieces.
  expect(got.map((p) => p.byteLength)).toEqual([...Array(12).fill(PIECE_BYTES), data.byteLength - 12 * PIECE_BYTES]);
  // And the whole response body is still exactly those bytes.
  const again = (await env.BUCKET.get('live-body-gather'))!;
  expect(same(joined(await pieces(recheckedBody(again.body, data.byteLength, async () => true))), data)).toBe(true);
});

it('never lets a piece cross a recheck boundary, whatever the chunk sizes', async () => {
  const data = randomBytes(RECHECK_BYTES * 2 + 5000);
  // One huge chunk, then odd small ones, then the rest: boundaries fall inside both kinds.
  const lengths = [RECHECK_BYTES + 3, 7, 70_000, 1];
  let from = 0;
  const source = new ReadableStream<Uint8Array>({
    pull(c) {
      const to = Math.min(data.byteLength, from + (lengths.shift() ?? data.byteLength));
      c.enqueue(data.slice(from, to));
      from = to;
      if (from >= data.byteLength) c.close();
    },
  });
  let checks = 0;
  const got = await pieces(livePieces(source, async () => (checks++, true)));
  expect(same(joined(got), data)).toBe(true);
  let at = 0;
  for (const p of got) {
    expect(Math.floor(at / RECHECK_BYTES), `piece at ${at}`).toBe(Math.floor((at + p.byteLength - 1) / RECHECK_BYTES));
    at += p.byteLength;
  }
  expect(checks).toBe(2);
});
