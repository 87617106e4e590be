// A measurement aid for the browser receive (issue 11), not a benchmark: the
// Chromium CPU of opening Cobblestone-sized chunks (16400 sealed bytes) with
// WebCrypto AES-GCM, by how many decrypt calls are in flight at once (the
// opener's batch), on a page with no network and no hashing.
// Run: node --import tsx scripts/bench/e2e/decrypt-calls.ts --size 256 --batches 8,32,128
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { perGiB, printByKey, trackThreads } from './chromium-threads.ts';
import { aidArgs } from './aid-args.ts';

const { values, size, port, rounds } = aidArgs({ size: '256', port: '8862' }, { batches: { type: 'string', default: '8,32,128,512' } });
// WebCrypto needs a secure context: a page of our own on localhost.
const server = createServer((_req, res) => res.end('<!doctype html><title>decrypt</title>'));
await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
const { chromium } = await import('@playwright/test');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--disable-gpu', '--no-first-run'] });
try {
  const page = await browser.newPage();
  await page.goto(`http://localhost:${port}/`);
  for (let r = 0; r < rounds; r++) {
    for (const batch of values.batches!.split(',').map(Number)) {
      const track = trackThreads();
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
      const { byKey, total } = track.stop();
      console.log(`batch ${batch}: ${(size / 2 ** 20).toFixed(0)} MiB in ${secs.toFixed(2)} s; Chromium ${perGiB(total, size)} CPU-s per GiB; load ${loadavg()[0].toFixed(2)}`);
      printByKey(byKey, size, 0.02);
    }
  }
} finally {
  await browser.close();
  server.close();
}
