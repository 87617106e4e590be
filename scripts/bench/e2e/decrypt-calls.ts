// A measurement aid for the browser receive (issue 11), not a benchmark: the
// Chromium CPU of opening Cobblestone-sized chunks (16400 sealed bytes) with
// WebCrypto AES-GCM, by how many decrypt calls are in flight at once (the
// opener's batch), on a page with no network and no hashing.
// Run: node --import tsx scripts/bench/e2e/decrypt-calls.ts --size 256 --batches 8,32,128
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { threads, type Key } from './chromium-threads.ts';

const { values } = parseArgs({ options: { size: { type: 'string', default: '256' }, batches: { type: 'string', default: '8,32,128,512' }, rounds: { type: 'string', default: '1' }, port: { type: 'string', default: '8862' } } });
// WebCrypto needs a secure context: a page of our own on localhost.
const server = createServer((_req, res) => res.end('<!doctype html><title>decrypt</title>'));
await new Promise<void>((r) => server.listen(Number(values.port), '127.0.0.1', r));
const size = Math.round(Number(values.size) * 2 ** 20);
const { chromium } = await import('@playwright/test');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--disable-gpu', '--no-first-run'] });
try {
  const page = await browser.newPage();
  await page.goto(`http://localhost:${values.port}/`);
  for (let r = 0; r < Number(values.rounds); r++) {
    for (const batch of values.batches!.split(',').map(Number)) {
      const before = threads();
      const t0 = performance.now();
      // A string, not a function: tsx's name helpers do not exist in the page.
      await page.evaluate(`(async () => {
        const size = ${size}, batch = ${batch};
        const key = await crypto.subtle.importKey('raw', new Uint8Array(32), 'AES-GCM', false, ['encrypt', 'decrypt']);
        // One nonce, opened many times, costs the same to decrypt as distinct ones.
        const iv = new Uint8Array(12);
        const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, new Uint8Array(16384)));
        const chunks = size / 16384;
        for (let i = 0; i < chunks; i += batch) {
          const jobs = [];
          for (let j = 0; j < batch && i + j < chunks; j++) jobs.push(crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, sealed));
          for (const j of jobs) await j;
        }
      })()`);
      const secs = (performance.now() - t0) / 1000;
      const after = threads();
      const by = new Map<Key, number>();
      for (const [tid, t] of after) by.set(t.key, (by.get(t.key) ?? 0) + t.cpu - (before.get(tid)?.cpu ?? 0));
      const total = [...by.values()].reduce((a, b) => a + b, 0);
      const perGiB = (x: number) => ((x * 2 ** 30) / size).toFixed(2);
      console.log(`batch ${batch}: ${(size / 2 ** 20).toFixed(0)} MiB in ${secs.toFixed(2)} s; Chromium ${perGiB(total)} CPU-s per GiB; load ${loadavg()[0].toFixed(2)}`);
      for (const [k, v] of [...by].sort((a, b) => b[1] - a[1])) if (v >= 0.02) console.log(`  ${perGiB(v).padStart(7)}/GiB  ${k}`);
    }
  }
} finally {
  await browser.close();
  server.close();
}
