// A measuring aid for the browser receive (issue 11), not a benchmark: what bounds
// it. One stack, one share of random bytes sent by the CLI, then per round,
// interleaved, the same ciphertext downloaded from our own route by:
//   raw      a Node client, one plain GET with a Grant, read to the end (the
//            raw download ceiling of bench:e2e)
//   fetch    Chromium through a service worker that answers a navigation with
//            the fetch() Response itself (octet-stream: saved as a download)
//   pass     the same with the fetched body in a Response of the worker's own,
//            as an attachment: the floor of the /dl/ path (no JavaScript touches the bytes)
//   passjs   the same, but the worker reads each body piece and enqueues it into
//            a pull stream of its own (the one hop our /dl/ worker cannot avoid)
//   app      the app's real receive: link opened, button → saved and verified
// and prints MB/s, the ratio to the raw run of the same round, Chromium CPU-s
// per GiB by process type (all threads) and workerd CPU-s per GiB.
// Run: node --import tsx scripts/bench/e2e/receive-floor.ts --size 1024 --rounds 3 --port P [--modes raw,fetch,pass,passjs,app]
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { deriveShareKeys, parseLinkSecret, signAccess } from '@sealdrop/crypto';
import { SealdropClient } from '@sealdrop/shared';
import { tempDir, writeRandomFile } from '../../../apps/cli/test/helpers/files.ts';
import { collect, spawnCli } from '../../../apps/cli/test/helpers/cli.ts';
import { trackThreads } from './chromium-threads.ts';
import { Meter, workerdSpec } from './meter.ts';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '1024' },
    port: { type: 'string', default: '9550' },
    rounds: { type: 'string', default: '3' },
    modes: { type: 'string', default: 'raw,fetch,pass,passjs,app' },
  },
});
const size = Math.round(Number(values.size!.replace(/MiB$/i, '')) * 2 ** 20);
const modes = values.modes!.split(',');
const rounds = Number(values.rounds);
process.env.CLI_TEST_PORT_BASE = values.port;
const { startStack } = await import('../../../apps/cli/test/helpers/stack.ts');
const { chromium } = await import('@playwright/test');
const ROOT = path.resolve(import.meta.dirname, '../../..');
const FLOOR_DIR = path.join(ROOT, 'apps/web/dist/dl/floor');
const GiB = 2 ** 30;

// /dl/floor/go?id=&grant=[&js=1|&as=fetch] answers with the share's ciphertext as a download.
const FLOOR_SW = `
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));
self.addEventListener('fetch', (e) => {
  const u = new URL(e.request.url);
  if (!u.pathname.startsWith('/dl/floor/go')) return;
  const id = u.searchParams.get('id'), grant = u.searchParams.get('grant'), js = u.searchParams.get('js') === '1';
  if (u.searchParams.get('as') === 'fetch') return e.respondWith(fetch('/api/shares/' + id + '/files/0', { headers: { authorization: 'Grant ' + grant } }));
  e.respondWith(fetch('/api/shares/' + id + '/files/0', { headers: { authorization: 'Grant ' + grant } }).then((res) => {
    let body = res.body;
    if (js) {
      const reader = res.body.getReader();
      body = new ReadableStream({ async pull(c) { const r = await reader.read(); if (r.done) c.close(); else c.enqueue(r.value); } }, { highWaterMark: 0 });
    }
    return new Response(body, { headers: { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment; filename="floor.bin"', 'content-length': res.headers.get('content-length') } });
  }));
});
`;

interface Run {
  mode: string;
  round: number;
  seconds: number;
  mbps: number;
  ratio: number;
  /** Chromium CPU-s by process type (all its threads), or the Node client's own for raw. */
  client: Map<string, number>;
  workerd: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const perGiB = (cpu: number, bytes: number) => (cpu * GiB) / bytes;
const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

const work = await tempDir('recv-floor');
await mkdir(FLOOR_DIR, { recursive: true });
await writeFile(path.join(FLOOR_DIR, 'sw.js'), FLOOR_SW);
const stack = await startStack({ timeoutMs: 180_000 });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'] });
const runs: Run[] = [];
try {
  const file = path.join(work.dir, 'in', 'bench.bin');
  await mkdir(path.dirname(file), { recursive: true });
  await writeRandomFile(file, size, 11);
  const sent = await collect(spawnCli(['send', file, '--server', stack.url, '--downloads', String(rounds * modes.length + 2), '--json', '--quiet'], { env: { XDG_STATE_HOME: path.join(work.dir, 'state') } }), 600_000);
  if (sent.code !== 0) throw new Error(`sealdrop send failed: ${sent.stderr}`);
  const url = JSON.parse(sent.stdout).url as string;
  const link = new URL(url);
  const id = link.pathname.split('/').filter(Boolean).pop()!;
  const keys = await deriveShareKeys(parseLinkSecret(link.hash.slice(1)), null);
  const api = new SealdropClient(stack.url);
  const grant = async () => (await api.download(id, signAccess(keys, 'download', id, (await api.shareInfo(id)).challenge))).grant;
  console.log(`receive-floor: ${(size / 2 ** 20).toFixed(0)} MiB, ${rounds} round(s) of ${modes.join(', ')}; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  for (let round = 0; round < rounds; round++) {
    let rawMbps = NaN;
    for (const mode of modes) {
      let bytes = size;
      let client = new Map<string, number>();
      let seconds: number;
      let server: number;
      if (mode === 'raw') {
        const g = await grant();
        const meter = new Meter(workerdSpec).start();
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        const res = await api.file(id, 0, g);
        let n = 0;
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) n += chunk.length;
        seconds = (performance.now() - t0) / 1000;
        const own = process.cpuUsage(cpu0);
        server = meter.stop().cpuSeconds;
        client.set('node', (own.user + own.system) / 1e6);
        bytes = n;
      } else {
        const context = await browser.newContext({ acceptDownloads: true });
        const page = await context.newPage();
        let go: () => Promise<unknown>;
        if (mode === 'app') {
          await page.goto(url);
          const button = page.getByRole('button', { name: 'Download bench.bin', exact: true });
          await button.waitFor({ timeout: 60_000 });
          go = () => button.click();
        } else if (mode === 'fetch' || mode === 'pass' || mode === 'passjs') {
          await page.goto(`${stack.url}/`);
          await page.evaluate(async () => {
            const reg = await navigator.serviceWorker.register('/dl/floor/sw.js', { scope: '/dl/floor/' });
            const w = reg.installing ?? reg.waiting ?? reg.active!;
            if (w.state !== 'activated') await new Promise<void>((res) => w.addEventListener('statechange', () => w.state === 'activated' && res()));
          });
          const target = `/dl/floor/go?id=${id}&grant=${encodeURIComponent(await grant())}&js=${mode === 'passjs' ? 1 : 0}&as=${mode}`;
          go = () => page.evaluate((t) => void location.assign(t), target);
        } else throw new Error(`--modes: unknown mode "${mode}" (raw, fetch, pass, passjs, app)`);
        await new Promise((r) => setTimeout(r, 500));
        const tracked = trackThreads();
        const meter = new Meter(workerdSpec).start();
        const t0 = performance.now();
        const [d] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), go()]);
        await d.path();
        const failure = await d.failure();
        if (failure) throw new Error(`${mode}: download failed: ${failure}`);
        if (mode === 'app') await page.getByText('SHA-256 verified').first().waitFor({ timeout: 600_000 });
        seconds = (performance.now() - t0) / 1000;
        const { perThread } = tracked.stop();
        server = meter.stop().cpuSeconds;
        // By process type (the key's first word: "renderer", "utility:network", "browser", ...),
        // with the service worker's own thread apart from the rest of its renderer.
        for (const t of perThread.values()) {
          const type = / ServiceWorker/.test(t.key) ? 'sw-thread' : t.key.split(' ')[0];
          client.set(type, (client.get(type) ?? 0) + t.cpu);
        }
        client = new Map([...client].filter(([, v]) => v > 0));
        await d.delete();
        await context.close();
      }
      const mbps = bytes / 1e6 / seconds;
      if (mode === 'raw') rawMbps = mbps;
      const run: Run = { mode, round, seconds, mbps, ratio: mbps / rawMbps, client, workerd: server };
      runs.push(run);
      const parts = [...client].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${perGiB(v, bytes).toFixed(2)}`).join(', ');
      console.log(`  round ${round + 1} ${mode.padEnd(7)} ${mbps.toFixed(1).padStart(6)} MB/s  ÷ raw ${run.ratio.toFixed(2)}  client ${perGiB(sum(client), bytes).toFixed(2)} CPU-s/GiB (${parts})  workerd ${perGiB(server, bytes).toFixed(2)}  load ${loadavg()[0].toFixed(2)}`);
    }
  }

  console.log('');
  console.log(`| ${(size / 2 ** 20).toFixed(0)} MiB, median of ${rounds} | MB/s | ÷ raw (same round) | client CPU-s per GiB (range) | by process type (median) | workerd CPU-s per GiB |`);
  console.log('|---|---|---|---|---|---|');
  for (const mode of modes) {
    const rs = runs.filter((r) => r.mode === mode);
    const cpu = rs.map((r) => perGiB(sum(r.client), size));
    const types = [...new Set(rs.flatMap((r) => [...r.client.keys()]))];
    const byType = types
      .map((t) => [t, median(rs.map((r) => perGiB(r.client.get(t) ?? 0, size)))] as const)
      .filter(([, v]) => v >= 0.05)
      .sort((a, b) => b[1] - a[1])
      .map(([t, v]) => `${t} ${v.toFixed(2)}`)
      .join(', ');
    console.log(`| ${mode} | ${median(rs.map((r) => r.mbps)).toFixed(1)} | ${median(rs.map((r) => r.ratio)).toFixed(2)} | ${median(cpu).toFixed(2)} (${Math.min(...cpu).toFixed(2)}–${Math.max(...cpu).toFixed(2)}) | ${byType} | ${median(rs.map((r) => perGiB(r.workerd, size))).toFixed(2)} |`);
  }
  console.log(`load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
} finally {
  await browser.close();
  await stack.stop();
  await work.cleanup();
  await rm(FLOOR_DIR, { recursive: true, force: true });
}
