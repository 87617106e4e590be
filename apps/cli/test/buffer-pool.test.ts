// The part maker's buffer pool (src/transfer/bufferPool.ts): however many makes
// ask at once, memory stays within the budget (at least one buffer), every one
// is served, and buffers are reused rather than made again.

import { expect, it } from 'vitest';
import { BufferPool } from '../src/transfer/bufferPool.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function crowd(pool: BufferPool, n: number) {
  let held = 0;
  let most = 0;
  const seen = new Set<Uint8Array>();
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const b = await pool.take();
      seen.add(b);
      held++;
      most = Math.max(most, held);
      expect(pool.allocated).toBeLessThanOrEqual(Math.max(pool.bytes, pool.budget));
      b.fill(i & 0xff);
      await sleep(i % 3);
      expect(b.every((x) => x === (i & 0xff))).toBe(true); // nobody else wrote into it meanwhile
      held--;
      pool.give(b);
    }),
  );
  return { most, distinct: seen.size };
}

it('150 makes at once: at most budget / size buffers out, each served, the same buffers reused', async () => {
  const pool = new BufferPool(1024, 4 * 1024);
  const r = await crowd(pool, 150);
  expect(r.most).toBe(4);
  expect(r.distinct).toBe(4);
  expect(pool.allocated).toBe(4 * 1024);
});

it('a buffer larger than the budget: one at a time, still every make is served', async () => {
  const pool = new BufferPool(4096, 1024);
  const r = await crowd(pool, 120);
  expect(r.most).toBe(1);
  expect(r.distinct).toBe(1);
});

it('retired for a pool of longer buffers: waiters go on, buffers given back are dropped', async () => {
  const pool = new BufferPool(1024, 1024);
  const first = await pool.take();
  const waiting = Array.from({ length: 100 }, () => pool.take());
  pool.retire();
  const got = await Promise.all(waiting);
  expect(got.every((b) => b.length === 1024 && b !== first)).toBe(true);
  for (const b of [first, ...got]) pool.give(b);
  expect(pool.allocated).toBe(0);
});
