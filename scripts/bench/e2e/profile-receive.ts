// A profiling aid for the browser receive (issue 11), not a benchmark: sends one
// file with the CLI through a stack of its own, then downloads it in Chromium and
// prints the CPU seconds of every Chromium thread that used any (by process type
// and thread name), and with --cpuprofile the JavaScript self time of the /dl/
// service worker. --mode picks what is downloaded:
//   app          the app's receive (button → saved and verified)
//   floor-native the same ciphertext through a pass-through service worker
//                (respondWith(fetch)): what the browser's download machinery costs
//                when no JavaScript touches the bytes
//   floor-js     the same, but the worker reads each chunk and enqueues it into
//                its own response stream (the hops our service worker cannot avoid)
// Run: node --import tsx scripts/bench/e2e/profile-receive.ts --size 256 --port P --mode app [--cpuprofile]
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadavg } from 'node:os';
import { deriveShareKeys, parseLinkSecret, signAccess } from '@sealdrop/crypto';
import { SealdropClient } from '@sealdrop/shared';
import { tempDir, writeRandomFile } from '../../../apps/cli/test/helpers/files.ts';
import { peakRss, perGiB, printByKey, printProfile, trackThreads, type Prof } from './chromium-threads.ts';
import { aidArgs } from './aid-args.ts';
import { collect, spawnCli } from '../../../apps/cli/test/helpers/cli.ts';

const args = aidArgs({ size: '256', port: '9780' }, { mode: { type: 'string', default: 'app' }, cpuprofile: { type: 'boolean', default: false } });
const { values, rounds } = args;
const size = args.size || 1024;
const modes = values.mode!.split(',');
process.env.CLI_TEST_PORT_BASE = values.port;
const { startStack } = await import('../../../apps/cli/test/helpers/stack.ts');
const { chromium } = await import('@playwright/test');
const ROOT = path.resolve(import.meta.dirname, '../../..');
const FLOOR_DIR = path.join(ROOT, 'apps/web/dist/dl/floor');

// The floor's service worker: /dl/floor/<native|js>?id=&grant= answers with the ciphertext as a download.
const FLOOR_SW = `
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));
self.addEventListener('fetch', (e) => {
  const u = new URL(e.request.url);
  if (!u.pathname.startsWith('/dl/floor/go')) return;
  const id = u.searchParams.get('id'), grant = u.searchParams.get('grant'), js = u.searchParams.get('js') === '1';
  e.respondWith(fetch('/api/shares/' + id + '/files/0', { headers: { authorization: 'Grant ' + grant } }).then((res) => {
    let body = res.body;
    if (js) {
      const reader = res.body.getReader();
      let n = 0, bytes = 0;
      body = new ReadableStream({ async pull(c) { const r = await reader.read(); if (r.done) { c.close(); for (const cl of await self.clients.matchAll({ includeUncontrolled: true })) cl.postMessage({ chunks: n, bytes }); } else { n++; bytes += r.value.length; c.enqueue(r.value); } } }, { highWaterMark: 0 });
    }
    return new Response(body, { headers: { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment; filename="floor.bin"', 'content-length': res.headers.get('content-length') } });
  }));
});
`;

/** A CLI send that allows many downloads (one per mode and round). */
async function cliSendMany(base: string, file: string, env: Record<string, string>): Promise<{ url: string }> {
  const res = await collect(spawnCli(['send', file, '--server', base, '--downloads', '50', '--json', '--quiet'], { env }), 600_000);
  if (res.code !== 0) throw new Error(`sealdrop send failed: ${res.stderr}`);
  return { url: JSON.parse(res.stdout).url as string };
}

const work = await tempDir('prof-recv');
await mkdir(FLOOR_DIR, { recursive: true });
await writeFile(path.join(FLOOR_DIR, 'sw.js'), FLOOR_SW);
const stack = await startStack({ timeoutMs: 180_000 });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'] });
try {
  const file = path.join(work.dir, 'in', 'bench.bin');
  await mkdir(path.dirname(file), { recursive: true });
  if (size > 4096) await writeRandomFile(file, size, 11);
  else await writeFile(file, Buffer.alloc(size, 'x'));
  const { url } = await cliSendMany(stack.url, file, { XDG_STATE_HOME: path.join(work.dir, 'state') });
  const link = new URL(url);
  const id = link.pathname.split('/').filter(Boolean).pop()!;
  const keys = await deriveShareKeys(parseLinkSecret(link.hash.slice(1)), null);
  const api = new SealdropClient(stack.url);
  for (let r = 0; r < rounds; r++) {
    for (const mode of modes) {
      const context = await browser.newContext({ acceptDownloads: true });
      const page = await context.newPage();
      let go: () => Promise<void>;
      if (mode === 'app') {
        await page.goto(url);
        const button = page.getByRole('button', { name: 'Download bench.bin', exact: true });
        await button.waitFor({ timeout: 60_000 });
        go = () => button.click();
      } else {
        await page.goto(`${stack.url}/`);
        await page.evaluate(async () => {
          const reg = await navigator.serviceWorker.register('/dl/floor/sw.js', { scope: '/dl/floor/' });
          const w = reg.installing ?? reg.waiting ?? reg.active!;
          if (w.state !== 'activated') await new Promise<void>((res) => w.addEventListener('statechange', () => w.state === 'activated' && res()));
        });
        const info = await api.shareInfo(id);
        const { grant } = await api.download(id, signAccess(keys, 'download', id, info.challenge));
        const target = `/dl/floor/go?id=${id}&grant=${encodeURIComponent(grant)}&js=${mode === 'floor-js' ? 1 : 0}`;
        await page.evaluate(() => navigator.serviceWorker.addEventListener('message', (e) => console.log(`floor-js: ${e.data.chunks} chunks, ${(e.data.bytes / e.data.chunks / 1024).toFixed(1)} KiB each`)));
        page.on('console', (m) => m.text().startsWith('floor-js') && console.log(m.text()));
        go = () => page.evaluate((t) => void location.assign(t), target);
      }
      await new Promise((r) => setTimeout(r, 500));
      const track = trackThreads();
      // --cpuprofile: the service workers, through the browser's CDP session (messages wrapped per target).
      const bcdp = values.cpuprofile ? await browser.newBrowserCDPSession() : null;
      const sessions: string[] = [];
      let msgId = 1;
      const replies = new Map<number, (r: unknown) => void>();
      const toTarget = (sessionId: string, method: string, params: object = {}) => {
        const mid = msgId++;
        const p = new Promise((res) => replies.set(mid, res));
        void bcdp!.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: mid, method, params }) });
        return p;
      };
      if (bcdp) {
        bcdp.on('Target.receivedMessageFromTarget', (e: { message: string }) => {
          const m = JSON.parse(e.message);
          if (m.id && replies.has(m.id)) replies.get(m.id)!(m.result);
        });
        const { targetInfos } = (await bcdp.send('Target.getTargets')) as { targetInfos: { targetId: string; type: string; url: string }[] };
        for (const t of targetInfos.filter((t) => t.type === 'service_worker' || t.type === 'worker')) {
          const { sessionId } = (await bcdp.send('Target.attachToTarget', { targetId: t.targetId, flatten: false })) as { sessionId: string };
          sessions.push(sessionId);
          await toTarget(sessionId, 'Profiler.enable');
          await toTarget(sessionId, 'Profiler.setSamplingInterval', { interval: 200 });
          await toTarget(sessionId, 'Profiler.start');
          console.log(`profiling ${t.type} ${t.url.split('/').slice(-2).join('/')}`);
        }
      }
      const t0 = performance.now();
      const [d] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), go()]);
      const where = await d.path();
      const failure = await d.failure();
      if (failure) throw new Error(`download failed: ${failure}`);
      if (mode === 'app') await page.getByText('SHA-256 verified').first().waitFor({ timeout: 600_000 });
      const secs = (performance.now() - t0) / 1000;
      const { byKey, total } = track.stop();
      for (const sid of sessions) printProfile(`worker ${sid.slice(0, 6)}`, ((await toTarget(sid, 'Profiler.stop')) as { profile: Prof }).profile, 25);
      console.log(`${mode} round ${r + 1}: ${(size / 2 ** 20).toFixed(0)} MiB in ${secs.toFixed(2)} s (${(size / 1e6 / secs).toFixed(1)} MB/s) ${where ? 'saved' : ''}; Chromium ${total.toFixed(2)} CPU-s (${perGiB(total, size)} per GiB); load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
      console.log(`  peak RSS (MiB, largest process of each type): ${[...peakRss].map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`);
      peakRss.clear();
      printByKey(byKey, size, 0.02, true);
      await d.delete();
      await context.close();
    }
  }
} finally {
  await browser.close();
  await stack.stop();
  await work.cleanup();
  await rm(FLOOR_DIR, { recursive: true, force: true });
}
