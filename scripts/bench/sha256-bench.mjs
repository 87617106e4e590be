#!/usr/bin/env node
// node scripts/bench/sha256-bench.mjs: a benchmark, not a test. One thread's speed of
// each WebAssembly SHA-256 module of packages/crypto/src/sha256-wasm.ts (simd,
// scalar), in Node and in headless Chromium, the compression alone (1 MiB of input
// per call, warmed up so V8 runs its optimised tier): the best of 15 samples of
// 8 MiB, since other jobs share this machine. Options: --rounds=3.
import { chromium } from '@playwright/test';
import { register } from 'tsx/esm/api';

register();
const { INPUT_CAPACITY, INPUT_OFFSET, sha256ModuleBytes } = await import('../../packages/crypto/src/sha256-wasm.ts');
const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 3);
const modules = Object.fromEntries(['simd', 'scalar'].map((v) => [v, Array.from(sha256ModuleBytes(v))]));

/** Runs in Node and in the page: MB/s of each module. */
function measure({ modules, offset, capacity }) {
  const out = {};
  for (const [name, bytes] of Object.entries(modules)) {
    const { memory, blocks } = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(bytes))).exports;
    const input = new Uint8Array(memory.buffer, offset, capacity);
    for (let o = 0; o < capacity; o += 65536) crypto.getRandomValues(input.subarray(o, o + 65536));
    const n = capacity / 64;
    for (let i = 0; i < 10; i++) blocks(offset, n);
    let best = Infinity;
    for (let i = 0; i < 15; i++) {
      const t0 = performance.now();
      for (let k = 0; k < 8; k++) blocks(offset, n);
      best = Math.min(best, performance.now() - t0);
    }
    out[name] = Math.round((8 * capacity) / 1e3 / best);
  }
  return out;
}

const args = { modules, offset: INPUT_OFFSET, capacity: INPUT_CAPACITY };
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
try {
  const page = await browser.newPage();
  for (let r = 0; r < rounds; r++) {
    const node = measure(args);
    const inPage = await page.evaluate(measure, args);
    console.log(`node     simd ${node.simd} MB/s  scalar ${node.scalar} MB/s    chromium simd ${inPage.simd} MB/s  scalar ${inPage.scalar} MB/s`);
  }
} finally {
  await browser.close();
}
