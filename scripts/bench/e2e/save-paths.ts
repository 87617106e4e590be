// A measurement aid for the browser receive (issue 11), not a benchmark: what it
// costs Chromium to SAVE bytes as a download, with no network and no crypto, by
// save path. A tiny static server of its own serves a page and a service worker
// that make zero-filled bytes in JavaScript; the CPU seconds of every Chromium
// thread are summed per GiB. Variants (--variants, comma separated):
//   sw-<KiB>        the /dl/ way: a service worker answers a navigation with a
//                   ReadableStream enqueuing <KiB>-sized pieces (attachment)
//   swbytes-<KiB>   the same as a byte stream (type: 'bytes')
//   swhops-<KiB>    the same through the hops of the app's /dl/ worker (a
//                   TransformStream, then two pull-based ReadableStreams)
//   opfs-<KiB>      a dedicated worker writes the bytes into the origin-private
//                   file system (createSyncAccessHandle, <KiB> writes), then the
//                   page saves the finished File through a blob: URL and <a download>
//   opfswrite-<KiB> only the OPFS write (no download): its share of opfs-<KiB>
//   writable-<KiB>  a dedicated worker writes through createWritable() (the
//                   FileSystemWritableFileStream that showSaveFilePicker's handle
//                   gives, here on an OPFS handle: the picker cannot run headless)
// Run: node --import tsx scripts/bench/e2e/save-paths.ts --size 512 --port P --variants sw-64,sw-1024,opfs-1024
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { perGiB, printByKey, trackThreads } from './chromium-threads.ts';
import { aidArgs } from './aid-args.ts';

const { values, size, port, rounds } = aidArgs({ size: '512', port: '8861' }, { variants: { type: 'string', default: 'sw-64,sw-1024,swbytes-1024,opfs-1024,opfswrite-1024' } });

const SW = `
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));
self.addEventListener('fetch', (e) => {
  const u = new URL(e.request.url);
  if (!u.pathname.startsWith('/dl/go')) return;
  const piece = Number(u.searchParams.get('piece')), size = Number(u.searchParams.get('size')), bytes = u.searchParams.get('bytes') === '1';
  let left = size;
  const src = bytes
    ? { type: 'bytes', pull(c) { const n = Math.min(piece, left); left -= n; c.enqueue(new Uint8Array(n)); if (left === 0) c.close(); } }
    : { pull(c) { const n = Math.min(piece, left); left -= n; c.enqueue(new Uint8Array(n)); if (left === 0) c.close(); } };
  let body = new ReadableStream(src, { highWaterMark: 0 });
  if (u.searchParams.get('hops') === '1') {
    const pipe = new TransformStream(undefined, { highWaterMark: 1 }, { highWaterMark: 0 });
    void body.pipeTo(pipe.writable);
    for (const r of [pipe.readable.getReader(), null]) {
      const reader = r ?? body.getReader();
      body = new ReadableStream({ async pull(c) { const x = await reader.read(); if (x.done) c.close(); else c.enqueue(x.value); } }, { highWaterMark: 0 });
    }
  }
  e.respondWith(new Response(body, { headers: { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment; filename="save.bin"', 'content-length': String(size) } }));
});
`;
const OPFS_WORKER = `
onmessage = async (e) => {
  const { piece, size, writable } = e.data;
  const dir = await navigator.storage.getDirectory();
  const fh = await dir.getFileHandle('save.bin', { create: true });
  if (writable) {
    const w = await fh.createWritable();
    for (let at = 0; at < size; at += piece) await w.write(new Uint8Array(Math.min(piece, size - at)));
    await w.close();
    postMessage('written');
    return;
  }
  const h = await fh.createSyncAccessHandle();
  h.truncate(0);
  const buf = new Uint8Array(piece);
  for (let at = 0; at < size; at += piece) h.write(buf.subarray(0, Math.min(piece, size - at)), { at });
  h.flush();
  h.close();
  postMessage('written');
};
`;
const PAGE = `<!doctype html><title>save</title><script>
window.opfs = (piece, size, save, writable) => new Promise((resolve) => {
  const w = new Worker('/opfs-worker.js');
  w.onmessage = async () => {
    w.terminate();
    const dir = await navigator.storage.getDirectory();
    const file = await (await dir.getFileHandle('save.bin')).getFile();
    if (save) {
      const a = document.createElement('a');
      a.href = URL.createObjectURL(file);
      a.download = 'save.bin';
      a.click();
    }
    resolve(file.size);
  };
  w.postMessage({ piece, size, writable });
});
</script>`;

const server = createServer((req, res) => {
  const p = new URL(req.url!, 'http://x').pathname;
  const body = p === '/dl/sw.js' ? SW : p === '/opfs-worker.js' ? OPFS_WORKER : PAGE;
  res.writeHead(200, { 'content-type': p.endsWith('.js') ? 'text/javascript' : 'text/html', 'service-worker-allowed': '/dl/' });
  res.end(body);
});
await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
const base = `http://127.0.0.1:${port}`;
const { chromium } = await import('@playwright/test');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'] });
try {
  for (let r = 0; r < rounds; r++) {
    for (const v of values.variants!.split(',')) {
      const [kind, kib] = v.split('-');
      const piece = Number(kib) * 1024;
      const context = await browser.newContext({ acceptDownloads: true });
      const page = await context.newPage();
      await page.goto(`${base}/`);
      if (kind.startsWith('sw')) {
        await page.evaluate(async () => {
          const reg = await navigator.serviceWorker.register('/dl/sw.js', { scope: '/dl/' });
          const w = reg.installing ?? reg.waiting ?? reg.active!;
          if (w.state !== 'activated') await new Promise<void>((res) => w.addEventListener('statechange', () => w.state === 'activated' && res()));
        });
      }
      await new Promise((res) => setTimeout(res, 500));
      const track = trackThreads();
      const t0 = performance.now();
      if (kind === 'opfswrite' || kind === 'writable') {
        const writable = kind === 'writable';
        await page.evaluate(([p, s, w]) => (window as unknown as { opfs: (p: number, s: number, save: boolean, w: boolean) => Promise<number> }).opfs(p as number, s as number, false, w as boolean), [piece, size, writable]);
      } else {
        const go = kind.startsWith('sw')
          ? () => page.evaluate((t) => void location.assign(t), `/dl/go?piece=${piece}&size=${size}&bytes=${kind === 'swbytes' ? 1 : 0}&hops=${kind === 'swhops' ? 1 : 0}`)
          : () => page.evaluate(([p, s]) => (window as unknown as { opfs: (p: number, s: number, save: boolean) => Promise<number> }).opfs(p, s, true), [piece, size]);
        const [d] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), go()]);
        await d.path();
        const failure = await d.failure();
        if (failure) throw new Error(`download failed: ${failure}`);
        await d.delete();
      }
      const secs = (performance.now() - t0) / 1000;
      const { byKey, total } = track.stop();
      console.log(`${v} round ${r + 1}: ${(size / 2 ** 20).toFixed(0)} MiB in ${secs.toFixed(2)} s (${(size / 1e6 / secs).toFixed(0)} MB/s); Chromium ${perGiB(total, size)} CPU-s per GiB; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
      printByKey(byKey, size, 0.03);
      await page.evaluate(async () => (await navigator.storage.getDirectory()).removeEntry('save.bin').catch(() => {}));
      await context.close();
    }
  }
} finally {
  await browser.close();
  server.close();
}
