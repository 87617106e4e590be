// A profiling aid for the browser send (issue 11), not a benchmark: sends one
// file from Chromium through a stack of its own and prints the CPU seconds of
// every Chromium thread that used any, grouped by process type and thread name
// (/proc/<pid>/task/<tid>/stat), so the work can be charged to the renderer's
// main thread, its workers, the browser process's blob/file threads or the
// network service. Run: node --import tsx scripts/bench/e2e/profile-send.ts --size 256MiB --port P [--rounds N] [--cpuprofile]
// (--size 0: a 1 KiB send)
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadavg } from 'node:os';
import { tempDir, writeRandomFile } from '../../../apps/cli/test/helpers/files.ts';
import { peakRss, perGiB, printByKey, printProfile, trackThreads, type Prof } from './chromium-threads.ts';
import { aidArgs } from './aid-args.ts';

const args = aidArgs({ size: '256', port: '9780' }, { cpuprofile: { type: 'boolean', default: false } });
const { values, rounds } = args;
const size = args.size || 1024;
process.env.CLI_TEST_PORT_BASE = values.port;
const { startStack } = await import('../../../apps/cli/test/helpers/stack.ts');
const { chromium } = await import('@playwright/test');

const work = await tempDir('prof-send');
const stack = await startStack({ timeoutMs: 180_000 });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'] });
try {
  const file = path.join(work.dir, 'in', 'bench.bin');
  await mkdir(path.dirname(file), { recursive: true });
  if (size > 4096) await writeRandomFile(file, size);
  else await writeFile(file, Buffer.alloc(size, 'x'));
  for (let r = 0; r < rounds; r++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${stack.url}/`);
    await page.getByTestId('send-files-input').setInputFiles(file);
    await page.locator('.send-file-list li').first().waitFor();
    await new Promise((r) => setTimeout(r, 500));
    // Threads that end during the send (the pool's workers) keep their last sample.
    const track = trackThreads(50);
    const cdp = values.cpuprofile ? await context.newCDPSession(page) : null;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
      await cdp.send('Profiler.start');
    }
    const t0 = performance.now();
    // Each request's start and end after the click (the serial round-trips of a small send).
    const log: string[] = [];
    const at = () => `${(performance.now() - t0).toFixed(0).padStart(5)} ms`;
    page.on('request', (q) => log.push(`${at()} > ${q.method()} ${q.url().replace(stack.url, '')}`));
    page.on('requestfinished', (q) => log.push(`${at()} < ${q.method()} ${q.url().replace(stack.url, '')}`));
    page.on('worker', (w) => log.push(`${at()} worker ${w.url().split('/').pop()}`));
    // In the page: when the click event came and when the link appeared (without Playwright's own delays).
    await page.evaluate(() => {
      const w = window as unknown as { __t: Record<string, number> };
      w.__t = {};
      document.addEventListener('click', () => (w.__t.click ??= performance.now()), { capture: true });
      new MutationObserver(() => {
        if (document.querySelector('#send-link')) w.__t.link ??= performance.now();
      }).observe(document.body, { childList: true, subtree: true });
    });
    await page.locator('.send-button').click();
    log.push(`${at()} clicked`);
    // --cpuprofile: the workers too (attached through the browser's CDP session, messages wrapped per target).
    const bcdp = values.cpuprofile ? await browser.newBrowserCDPSession() : null;
    const workerProfiles: Promise<unknown>[] = [];
    const sessions: string[] = [];
    let msgId = 1;
    const replies = new Map<number, (r: unknown) => void>();
    if (bcdp) {
      bcdp.on('Target.receivedMessageFromTarget', (e: { message: string }) => {
        const m = JSON.parse(e.message);
        if (m.id && replies.has(m.id)) replies.get(m.id)!(m.result);
      });
      const toTarget = (sessionId: string, method: string, params: object = {}) => {
        const id = msgId++;
        const p = new Promise((r) => replies.set(id, r));
        void bcdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) });
        return p;
      };
      await new Promise((r) => setTimeout(r, 150));
      const { targetInfos } = (await bcdp.send('Target.getTargets')) as { targetInfos: { targetId: string; type: string; url: string }[] };
      for (const t of targetInfos.filter((t) => t.type === 'worker')) {
        const { sessionId } = (await bcdp.send('Target.attachToTarget', { targetId: t.targetId, flatten: false })) as { sessionId: string };
        sessions.push(sessionId);
        await toTarget(sessionId, 'Profiler.enable');
        await toTarget(sessionId, 'Profiler.setSamplingInterval', { interval: 500 });
        await toTarget(sessionId, 'Profiler.start');
        log.push(`${at()} profiling worker ${t.url.split('/').pop()}`);
      }
      (globalThis as { stopWorkers?: () => Promise<unknown[]> }).stopWorkers = () => Promise.all(sessions.map((sid) => toTarget(sid, 'Profiler.stop')));
    }
    const stopWorkers = (globalThis as { stopWorkers?: () => Promise<unknown[]> }).stopWorkers;
    if (stopWorkers) {
      // Before the link: the workers end with the run.
      await page.waitForFunction(() => (document.querySelector('.send-progress, body')?.textContent ?? '').length > 0);
      await new Promise((r) => setTimeout(r, Math.max(1000, (size / 30e6) * 1000 * 0.8)));
      const profiles = (await stopWorkers()) as { profile: Prof }[];
      profiles.forEach((p, i) => printProfile(`worker ${i}`, p.profile));
    }
    await page.locator('#send-link').waitFor({ state: 'visible', timeout: 600_000 });
    const secs = (performance.now() - t0) / 1000;
    log.push(`${at()} link shown`);
    const inPage = await page.evaluate(() => (window as unknown as { __t: Record<string, number> }).__t);
    log.push(`in the page: click event → #send-link in the DOM ${(inPage.link - inPage.click).toFixed(0)} ms`);
    // Each request's start and answer in the page's own clock, from the click event.
    const timings = await page.evaluate((click) => performance.getEntriesByType('resource').filter((e) => e.startTime >= click - 5 && /\/api\//.test(e.name)).map((e) => ({ name: e.name.replace(/^.*\/api\//, ''), start: (e as PerformanceResourceTiming).fetchStart - click, end: (e as PerformanceResourceTiming).responseEnd - click })), inPage.click);
    for (const t of timings) log.push(`  in the page: ${t.start.toFixed(0).padStart(4)} → ${t.end.toFixed(0).padStart(4)} ms  ${t.name}`);
    if (size < 2 ** 20) console.log(log.join('\n'));
    const { perThread, byKey, total } = track.stop();
    if (cdp) {
      const { profile } = (await cdp.send('Profiler.stop')) as { profile: Prof };
      printProfile('main thread', profile);
    }
    for (const [id, t] of perThread) if (t.key.includes('DedicatedWorker')) console.log(`    worker ${id}: ${t.cpu.toFixed(2)} s`);
    console.log(`round ${r + 1}: ${(size / 2 ** 20).toFixed(3)} MiB in ${secs.toFixed(2)} s; Chromium ${total.toFixed(2)} CPU-s (${perGiB(total, size)} per GiB); load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log(`  peak RSS (MiB, largest process of each type): ${[...peakRss].map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`);
    peakRss.clear();
    printByKey(byKey, size, 0.02, true);
    await context.close();
  }
} finally {
  await browser.close();
  await stack.stop();
  await work.cleanup();
}
