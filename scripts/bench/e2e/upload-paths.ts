// A measurement aid for the browser send (issue 11), not a benchmark: what it
// costs Chromium to UPLOAD a part's bytes, by the way they travel, with no crypto.
// A tiny server of its own serves a page and a worker and reads and discards PUT
// bodies; three workers make each part's bytes as the pool's encryption workers
// do (a 16 MiB output written with random bytes), three parts are in flight, and
// the CPU seconds of every Chromium thread are summed per GiB. Variants (--variants):
//   page-blob      the bytes go to the page by transfer, which wraps them in a Blob
//                  and sends it by XHR (the send before this aid)
//   page-xhr-ab    the same bytes sent by page XHR as an ArrayBuffer body
//   page-fetch-ab  ... by page fetch(PUT) with an ArrayBuffer body
//   worker-blob-xhr / worker-blob-fetch  the worker wraps them in a Blob and sends it itself
//   worker-blob-reuse-xhr  the same, the worker writing every part into one reused buffer
//   worker-xhr-ab  the worker sends its (reused) buffer by XHR, ArrayBuffer body
//   worker-fetch-ab  ... by fetch(PUT), Uint8Array body
//   file-xhr       the floor: page XHR of slices of a picked File (no bytes made)
// Run: node --import tsx scripts/bench/e2e/upload-paths.ts --size 1024 --port P --variants page-blob,worker-xhr-ab
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { openSync, writeSync, closeSync, rmSync, mkdtempSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { peakRss, perGiB, printByKey, trackThreads } from './chromium-threads.ts';
import { aidArgs } from './aid-args.ts';

const { values, size, port, rounds } = aidArgs(
  { size: '1024', port: '8920' },
  {
    part: { type: 'string', default: '16' },
    /** Without Playwright: a bare headless Chromium opens the page (no DevTools protocol attached, which copies ArrayBuffer request bodies). */
    raw: { type: 'boolean', default: false },
    variants: { type: 'string', default: 'page-blob,page-xhr-ab,page-fetch-ab,worker-blob-xhr,worker-blob-fetch,worker-xhr-ab,worker-fetch-ab,file-xhr' },
  },
);
const partBytes = Number(values.part) * 2 ** 20;
const IN_FLIGHT = 3;

// A PUT by XHR, in the worker's source and the page's (they run in separate contexts).
const XHR = `function xhr(url, body) {
  return new Promise((res, rej) => {
    const x = new XMLHttpRequest();
    x.open('PUT', url);
    x.upload.onprogress = () => {};
    x.onload = () => (x.status === 200 ? res() : rej(new Error('status ' + x.status)));
    x.onerror = () => rej(new Error('network'));
    x.send(body);
  });
}`;

// A worker: makes part n's bytes into its output (fresh or reused), then either
// hands them to the page (transfer) or sends them itself.
const WORKER = `
const noise = new Uint8Array(${partBytes});
for (let o = 0; o < noise.length; o += 65536) crypto.getRandomValues(noise.subarray(o, o + 65536));
let kept = null;
function make(n, reuse) {
  const out = reuse && kept ? kept : new Uint8Array(${partBytes});
  if (reuse) kept = out;
  out.set(noise);
  out[0] = n; out[1] = n >> 8; // not the same bytes every part
  return out;
}
${XHR}
onmessage = async (e) => {
  const { n, how, url } = e.data;
  if (how === 'page') {
    const out = make(n, false);
    postMessage({ n, bytes: out }, [out.buffer]);
    return;
  }
  const out = make(n, how.endsWith('-ab') || how === 'worker-blob-reuse-xhr');
  if (how === 'worker-blob-xhr' || how === 'worker-blob-reuse-xhr') await xhr(url, new Blob([out]));
  else if (how === 'worker-blob-fetch') await fetch(url, { method: 'PUT', body: new Blob([out]) }).then((r) => r.arrayBuffer());
  else if (how === 'worker-xhr-ab') await xhr(url, out.buffer);
  else if (how === 'worker-fetch-ab') await fetch(url, { method: 'PUT', body: out }).then((r) => r.arrayBuffer());
  postMessage({ n });
};
`;
const PAGE = `<!doctype html><title>upload</title><input type=file id=f><script>
${XHR}
window.run = (how, size, part) => new Promise((resolve, reject) => {
  const parts = Math.ceil(size / part);
  let next = 0, done = 0;
  const workers = how === 'file-xhr' ? [] : Array.from({ length: ${IN_FLIGHT} }, () => new Worker('/w.js'));
  const file = document.getElementById('f').files[0];
  const finish = () => { if (++done === parts) { workers.forEach((w) => w.terminate()); resolve(done); } };
  const lane = (w) => {
    if (next >= parts) return;
    const n = next++;
    const url = '/put/' + n;
    if (how === 'file-xhr') {
      const at = (n * part) % file.size;
      return void xhr(url, file.slice(at, at + part)).then(() => { finish(); lane(); }, reject);
    }
    w.onmessage = async (e) => {
      try {
        if (e.data.bytes) {
          const b = e.data.bytes;
          if (how === 'page-blob') await xhr(url, new Blob([b]));
          else if (how === 'page-xhr-ab') await xhr(url, b.buffer);
          else await fetch(url, { method: 'PUT', body: b.buffer }).then((r) => r.arrayBuffer());
        }
      } catch (err) { return reject(err); }
      finish();
      lane(w);
    };
    w.postMessage({ n, how: how.startsWith('page') ? 'page' : how, url: new URL(url, location.href).href });
  };
  if (how === 'file-xhr') for (let i = 0; i < ${IN_FLIGHT}; i++) lane();
  else workers.forEach(lane);
});
const q = new URLSearchParams(location.search);
if (q.get('run')) setTimeout(async () => (await fetch('/start', { method: 'POST' }), run(q.get('run'), Number(q.get('size')), Number(q.get('part'))).then(() => fetch('/done', { method: 'POST' }), (e) => fetch('/done?error=' + encodeURIComponent(e.message), { method: 'POST' }))), 500);
</script>`;

let received = 0;
let onDone: ((error: string | null) => void) | null = null;
let onStart: (() => void) | null = null;
const server = createServer((req, res) => {
  const u = new URL(req.url!, 'http://x');
  const p = u.pathname;
  if (p === '/start') {
    onStart?.();
    res.end();
    return;
  }
  if (p === '/done') {
    onDone?.(u.searchParams.get('error'));
    res.end();
    return;
  }
  if (req.method === 'PUT') {
    req.on('data', (c: Buffer) => (received += c.length));
    req.on('end', () => res.end('ok'));
    return;
  }
  res.writeHead(200, { 'content-type': p.endsWith('.js') ? 'text/javascript' : 'text/html' });
  res.end(p === '/w.js' ? WORKER : PAGE);
});
await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
const base = `http://127.0.0.1:${port}`;
// The floor's File: 256 MiB of random bytes, sliced round and round.
const filePath = `/tmp/upload-paths-${port}.bin`;
const fd = openSync(filePath, 'w');
const chunk = Buffer.alloc(2 ** 20);
for (let i = 0; i < 256; i++) writeSync(fd, randomFillSync(chunk));
closeSync(fd);
const { chromium } = await import('@playwright/test');
const flags = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'];
const browser = values.raw ? null : await chromium.launch({ executablePath: '/usr/bin/chromium', args: flags });

/** Runs variant `v` once; resolves at the start signal with a function that waits for its end. */
async function drive(v: string): Promise<() => Promise<void>> {
  const query = `?run=${v}&size=${size}&part=${partBytes}`;
  if (!browser) {
    const dir = mkdtempSync('/tmp/upload-paths-profile-');
    const started = new Promise<void>((r) => (onStart = r));
    const ended = new Promise<string | null>((r) => (onDone = r));
    const proc = spawn('/usr/bin/chromium', ['--headless=new', '--no-sandbox', `--user-data-dir=${dir}`, ...flags, `${base}/${query}`], { stdio: 'ignore' });
    await started;
    return async () => {
      const error = await ended;
      proc.kill();
      await new Promise((r) => proc.once('exit', r));
      // Its helpers may still write the profile for a moment after the browser exits.
      await new Promise((r) => setTimeout(r, 1000));
      rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 300 });
      if (error) throw new Error(`${v}: ${error}`);
    };
  }
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/`);
  if (v === 'file-xhr') await page.setInputFiles('#f', filePath);
  await new Promise((res) => setTimeout(res, 500));
  const running = page.evaluate(([how, s, p]) => (window as unknown as { run: (h: string, s: number, p: number) => Promise<number> }).run(how as string, s as number, p as number), [v, size, partBytes] as const);
  return async () => {
    await running;
    await context.close();
  };
}

try {
  for (let r = 0; r < rounds; r++) {
    for (const v of values.variants!.split(',')) {
      if (browser === null && v === 'file-xhr') continue; // needs a picked File
      received = 0;
      const end = await drive(v);
      peakRss.clear();
      const track = trackThreads();
      const t0 = performance.now();
      try {
        await end();
      } catch (e) {
        // A Blob the browser could no longer hold fails its request as a network error: a finding, not a crash.
        console.log(`${v} round ${r + 1}: FAILED after ${(received / 2 ** 20).toFixed(0)} MiB: ${(e as Error).message}`);
        track.stop();
        continue;
      }
      const secs = (performance.now() - t0) / 1000;
      // With --raw the browser has exited by now: its last sample is the one that counts.
      const { byKey, total } = track.stop();
      if (received < size) throw new Error(`${v}: the sink got ${received} of ${size} bytes`);
      console.log(
        `${v}${browser ? '' : ' (raw)'} round ${r + 1}: ${(size / 2 ** 20).toFixed(0)} MiB in ${secs.toFixed(2)} s (${(size / 1e6 / secs).toFixed(0)} MB/s); Chromium ${perGiB(total, size)} CPU-s per GiB; renderer peak ${(peakRss.get('renderer') ?? 0).toFixed(0)} MiB; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
      );
      printByKey(byKey, size, 0.05);
    }
  }
} finally {
  await browser?.close();
  server.close();
  rmSync(filePath, { force: true });
}
