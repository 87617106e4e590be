// A measuring aid for issue 11's "link open → first plaintext byte" (not a
// benchmark): sends a 1 KiB file with the CLI through a stack of its own, then
// opens the link in fresh Chromium contexts exactly as bench:e2e does (goto,
// wait for the Download button, click, until the download is saved) and prints a
// timeline of each open: the page's navigation and resource timing, every
// request the browser made (page and /dl/ service worker) with its start and
// end, the service worker's registration states, and the bench's own marks.
// Run: node --import tsx scripts/bench/e2e/open-timeline.ts --port P [--rounds 5] [--cpuprofile]
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { tempDir } from '../../../apps/cli/test/helpers/files.ts';
import { collect, spawnCli } from '../../../apps/cli/test/helpers/cli.ts';
import { printProfile, type Prof } from './chromium-threads.ts';
import { Meter, chromiumSpec, workerdSpec } from './meter.ts';

const { values } = parseArgs({ options: { port: { type: 'string', default: '9780' }, rounds: { type: 'string', default: '5' }, cpuprofile: { type: 'boolean', default: false }, trace: { type: 'boolean', default: false } } });
process.env.CLI_TEST_PORT_BASE = values.port;
const { startStack } = await import('../../../apps/cli/test/helpers/stack.ts');
const { chromium } = await import('@playwright/test');

/** Epoch milliseconds with sub-millisecond resolution, comparable with the page's timeOrigin + now(). */
const now = () => performance.timeOrigin + performance.now();

// In the page: when the service worker is registered and changes state, and when the button shows.
const PAGE_PROBE = `(() => {
  const t = () => performance.timeOrigin + performance.now();
  const marks = (globalThis.openMarks = []);
  const sw = navigator.serviceWorker;
  if (sw) {
    const register = sw.register.bind(sw);
    sw.register = (url, opts) => {
      marks.push(['sw register()', t()]);
      return register(url, opts).then((reg) => {
        marks.push(['sw register resolved', t()]);
        const w = reg.installing ?? reg.waiting ?? reg.active;
        if (w) {
          marks.push(['sw state ' + w.state, t()]);
          w.addEventListener('statechange', () => marks.push(['sw state ' + w.state, t()]));
        }
        return reg;
      });
    };
  }
  const seen = new Set();
  const shows = [
    ['"Opening the link" shown', 'section[aria-busy="true"]'],
    ['file list shown', '[data-testid="file-row"]'],
    ['verified shown', '.verified'],
  ];
  new MutationObserver(() => {
    for (const [label, sel] of shows) {
      if (!seen.has(label) && document.querySelector(sel)) {
        seen.add(label);
        marks.push([label, t()]);
      }
    }
  }).observe(document, { subtree: true, childList: true });
})();`;

type TraceEvent = { name: string; ph: string; ts: number; dur?: number; pid: number; tid: number; args?: { name?: string; data?: { url?: string } } };

/** Every renderer main thread's complete events of 2 ms or more, nested (4 deep), in ms from the trace's first event. */
function printTrace(trace: { traceEvents: TraceEvent[] }) {
  const ev = trace.traceEvents;
  const t0 = Math.min(...ev.filter((e) => e.ts > 0).map((e) => e.ts));
  for (const main of ev.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain')) {
    const mine = ev.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && (e.dur ?? 0) >= 2000).sort((a, b) => a.ts - b.ts);
    if (mine.length < 10) continue;
    const stack: number[] = [];
    console.log(`  trace of renderer ${main.pid} (ms from the first event, main thread, ≥ 2 ms):`);
    for (const e of mine) {
      while (stack.length && stack.at(-1)! <= e.ts) stack.pop();
      if (stack.length < 4) console.log(`    ${((e.ts - t0) / 1000).toFixed(0).padStart(5)} +${((e.dur ?? 0) / 1000).toFixed(0).padStart(4)}  ${'  '.repeat(stack.length)}${e.name}${e.args?.data?.url ? ' ' + e.args.data.url.split('/').pop() : ''}`);
      stack.push(e.ts + (e.dur ?? 0));
    }
  }
}

const work = await tempDir('open-timeline');
const stack = await startStack({ timeoutMs: 180_000 });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'] });
try {
  const file = path.join(work.dir, 'in', 'tiny.txt');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, Buffer.alloc(1024, 'x'));
  const sent = await collect(spawnCli(['send', file, '--server', stack.url, '--downloads', '100', '--json', '--quiet'], { env: { XDG_STATE_HOME: path.join(work.dir, 'state') } }), 60_000);
  if (sent.code !== 0) throw new Error(`sealdrop send failed: ${sent.stderr}`);
  const url = JSON.parse(sent.stdout).url as string;
  const totals: number[] = [];
  const cpus: [number, number][] = [];
  for (let r = 0; r < Number(values.rounds); r++) {
    const context = await browser.newContext({ acceptDownloads: true });
    await context.addInitScript({ content: PAGE_PROBE });
    const reqs: { url: string; start: number; end?: number; sw: boolean }[] = [];
    const byReq = new Map<object, (typeof reqs)[number]>();
    context.on('request', (q) => {
      const e = { url: `${q.method()} ${new URL(q.url()).pathname}`, start: now(), sw: !!q.serviceWorker() };
      reqs.push(e);
      byReq.set(q, e);
    });
    context.on('requestfinished', (q) => {
      const e = byReq.get(q);
      if (e) e.end = now();
    });
    const page = await context.newPage();
    // --cpuprofile: the page's main thread from before the navigation to the saved file.
    const cdp = values.cpuprofile ? await context.newCDPSession(page) : null;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
      await cdp.send('Profiler.start');
    }
    const marks: [string, number][] = [];
    // --trace: Chromium's own timeline of the page's main thread (tasks of 2 ms or more).
    if (values.trace) await browser.startTracing(page, { categories: ['devtools.timeline', 'v8.execute', 'blink', 'loading', 'toplevel'] });
    // CPU seconds of all of Chromium and of the stack's workerd from the goto to the saved file (less noisy than wall time under load).
    const meters = [new Meter(chromiumSpec).start(), new Meter(workerdSpec).start()];
    const opened = now();
    marks.push(['bench: goto', opened]);
    await page.goto(url);
    marks.push(['bench: goto resolved (load event)', now()]);
    const button = page.getByRole('button', { name: 'Download tiny.txt', exact: true });
    await button.waitFor({ timeout: 60_000 });
    marks.push(['bench: button found', now()]);
    const [d] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }).then((x) => (marks.push(['bench: download event', now()]), x)), button.click().then(() => marks.push(['bench: click() resolved', now()]))]);
    await d.path();
    const saved = now();
    marks.push(['bench: saved (d.path())', saved]);
    const [browserCpu, serverCpu] = meters.map((m) => m.stop().cpuSeconds);
    cpus.push([browserCpu, serverCpu]);
    await page.getByText('SHA-256 verified').first().waitFor();
    const inPage = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const o = performance.timeOrigin;
      const m: [string, number][] = [
        ['nav: responseEnd (html)', o + nav.responseEnd],
        ['nav: domInteractive', o + nav.domInteractive],
        ['nav: domContentLoaded end', o + nav.domContentLoadedEventEnd],
        ['nav: load end', o + nav.loadEventEnd],
      ];
      for (const e of performance.getEntriesByType('resource') as PerformanceResourceTiming[]) {
        m.push([`res start ${new URL(e.name).pathname}`, o + e.startTime]);
        m.push([`res end   ${new URL(e.name).pathname} (${e.transferSize} B)`, o + e.responseEnd]);
      }
      return [...m, ...(globalThis as unknown as { openMarks: [string, number][] }).openMarks];
    });
    const all = [...marks, ...inPage, ...reqs.map((q) => [`req ${q.sw ? '(sw) ' : ''}${q.url} ${q.end ? `→ ${(q.end - opened).toFixed(0)}` : ''}`, q.start] as [string, number])];
    all.sort((a, b) => a[1] - b[1]);
    console.log(`\nround ${r + 1}: link open → saved ${((saved - opened) / 1000).toFixed(3)} s, Chromium ${browserCpu.toFixed(2)} CPU-s, workerd ${serverCpu.toFixed(2)} CPU-s (load ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
    for (const [label, at] of all) console.log(`  ${(at - opened).toFixed(0).padStart(5)} ms  ${label}`);
    if (values.trace) printTrace(JSON.parse((await browser.stopTracing()).toString()));
    if (cdp) printProfile('page main thread', (await cdp.send('Profiler.stop')).profile as Prof, 30);
    totals.push(saved - opened);
    await d.delete();
    await context.close();
  }
  totals.sort((a, b) => a - b);
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  console.log(`CPU per open (median): Chromium ${med(cpus.map((c) => c[0])).toFixed(2)} s, workerd ${med(cpus.map((c) => c[1])).toFixed(2)} s`);
  console.log(`\nlink open → saved: median ${(totals[totals.length >> 1] / 1000).toFixed(3)} s, range ${(totals[0] / 1000).toFixed(3)}-${(totals.at(-1)! / 1000).toFixed(3)} s`);
} finally {
  await browser.close();
  await stack.stop();
  await work.cleanup();
}
