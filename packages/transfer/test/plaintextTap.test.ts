// The whole-file hash taken from the part makes' reads (PlaintextTap): however
// the makes interleave, the bytes reach the hash once each, in order; a resume
// that leaves a gap no make can fill says so instead of hashing a wrong file.

import { createHash } from 'node:crypto';
import { bytesSource, ciphertextRangeChunks, ciphertextSize, CHUNK_BYTES, deriveMessageKeys, encryptRange, partCountFor } from '@sealdrop/crypto';
import { describe, expect, it } from 'vitest';
import { PlaintextTap } from '../src/index.ts';

const KIB = 1024;

function randomData(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < n; i++) out[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  return out;
}

/** A source whose reads finish after a random delay (so concurrent makes race). */
function jitterSource(data: Uint8Array, seed: number) {
  let x = seed;
  const inner = bytesSource(data);
  return {
    size: data.length,
    read: async (offset: number, length: number) => {
      x = (x * 1103515245 + 12345) >>> 0;
      await new Promise((r) => setTimeout(r, x % 4));
      return (await inner.read(offset, length)).slice();
    },
  };
}

async function makeAll(data: Uint8Array, partBytes: number, order: number[][], seed: number) {
  const sha = createHash('sha256');
  const tap = new PlaintextTap(data.length, { update: (b) => sha.update(b) });
  const keys = await deriveMessageKeys(new Uint8Array(32).fill(7), new Uint8Array(24).fill(1), 'ctx');
  const total = ciphertextSize(data.length);
  const src = jitterSource(data, seed);
  const make = async (n: number) => {
    const start = n * partBytes;
    const end = Math.min(total, start + partBytes);
    const first = ciphertextRangeChunks(start, end, data.length)?.first ?? 0;
    const t = tap.open(src, first * CHUNK_BYTES);
    try {
      return await encryptRange(t.source, keys, start, end);
    } finally {
      t.end();
    }
  };
  // Each inner list runs at once (lanes), the lists one after another.
  const made = new Map<number, Uint8Array>();
  for (const batch of order) for (const [k, b] of (await Promise.all(batch.map(make))).entries()) made.set(batch[k], b);
  tap.close();
  return { state: await tap.settled(), sha: sha.digest('hex'), made, total };
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('PlaintextTap', () => {
  it('hashes the file exactly once, in order, while 120 parts are made at once', async () => {
    const data = randomData(2000 * KIB + 123, 1);
    const partBytes = 17 * KIB; // a chunk straddles almost every part boundary
    const parts = partCountFor(ciphertextSize(data.length), partBytes);
    expect(parts).toBeGreaterThan(100);
    const all = Array.from({ length: parts }, (_, n) => n);
    const r = await makeAll(data, partBytes, [all], 3);
    expect(r.state).toBe('complete');
    expect(r.sha).toBe(sha256(data));
    // The parts are the message, whatever the tap did.
    const keys = await deriveMessageKeys(new Uint8Array(32).fill(7), new Uint8Array(24).fill(1), 'ctx');
    const whole = await encryptRange(bytesSource(data), keys, 0, r.total);
    const joined = new Uint8Array(r.total);
    for (const [n, b] of r.made) joined.set(b, n * partBytes);
    expect(sha256(joined)).toBe(sha256(whole));
  });

  it('lanes of three in order, with parts made again (a re-check) behind the frontier', async () => {
    const data = randomData(300 * KIB, 2);
    const partBytes = 40 * KIB;
    const r = await makeAll(data, partBytes, [[0], [1], [0, 1, 2], [3, 4, 5], [4, 6, 7]], 5);
    expect(r.state).toBe('complete');
    expect(r.sha).toBe(sha256(data));
  });

  it('a gap no make in progress can fill: broken, nothing wrong is claimed', async () => {
    const data = randomData(300 * KIB, 3);
    const partBytes = 40 * KIB;
    // A resume's re-check made part 0 and part 2 (part 1 was never recorded) one after the other.
    const r = await makeAll(data, partBytes, [[0], [2], [1, 3, 4, 5, 6, 7]], 7);
    expect(r.state).toBe('broken');
  });

  it('a make left unfinished: closing the run settles the tap as broken', async () => {
    const data = randomData(300 * KIB, 4);
    const r = await makeAll(data, 40 * KIB, [[0, 1, 2]], 9);
    expect(r.state).toBe('broken');
  });

  it('an empty file is complete at once', async () => {
    const r = await makeAll(new Uint8Array(0), 40 * KIB, [[0]], 1);
    expect(r.state).toBe('complete');
    expect(r.sha).toBe(sha256(new Uint8Array(0)));
  });
});
