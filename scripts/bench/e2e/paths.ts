// The measured paths of `npm run bench:e2e`: the raw ceiling of our own routes and
// the four client paths (CLI send/receive, browser send/receive), each returning
// bytes, seconds and the CPU/memory its meters saw.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { stat, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { b64uEncode, ciphertextSize, deriveShareKeys, generateLinkSecret, parseLinkSecret, sealManifest, signAccess } from '@sealdrop/crypto';
import { SealdropClient } from '@sealdrop/shared';
import { collect, spawnCli } from '../../../apps/cli/test/helpers/cli.ts';
import { watchPeakRss } from '../../../apps/cli/test/helpers/rss.ts';
import { withRetry } from '@sealdrop/transfer';
import { machineBusySeconds } from '../proc.mjs';
import { DOWNLOAD_CLICK_MARK, FIRST_PLAINTEXT_MARK } from '../../../apps/web/src/receive/marks.ts';
import { Meter, chromiumSpec, treeSpec, workerdSpec } from './meter.ts';

export interface Measure {
  bytes: number;
  seconds: number;
  clientCpu: number;
  serverCpu: number;
  /** CPU seconds of the whole machine (every process) over the metered window. */
  machineCpu: number;
  /** machineCpu over the window's length: how many cores were busy (of availableParallelism()). */
  busyCores: number;
  /** CLI: VmHWM of the process; browser: peak RSS of the largest renderer. */
  peakRss?: number;
  /** Raw upload: parts sent again after a transient failure. */
  retries?: number;
}

export interface RawShare {
  id: string;
  ownerToken: string;
  keys: Awaited<ReturnType<typeof deriveShareKeys>>;
}

/** The whole machine's busy CPU from now until the returned function is called with the window's length. */
function machineWindow(): (seconds: number) => { machineCpu: number; busyCores: number } {
  const start = machineBusySeconds();
  return (seconds) => {
    const machineCpu = machineBusySeconds() - start;
    return { machineCpu, busyCores: machineCpu / seconds };
  };
}

/** Runs `fn` with the server meter and a client meter around it. */
async function metered<T>(client: Meter | 'self', fn: () => Promise<T>): Promise<{ value: T; seconds: number; clientCpu: number; serverCpu: number; machineCpu: number; busyCores: number; peakRss: number }> {
  const machine = machineWindow();
  const server = new Meter(workerdSpec).start();
  const c = client === 'self' ? null : client.start();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const seconds = (performance.now() - t0) / 1000;
  const own = process.cpuUsage(cpu0);
  const s = server.stop();
  const r = c?.stop();
  return { value, seconds, serverCpu: s.cpuSeconds, clientCpu: r ? r.cpuSeconds : (own.user + own.system) / 1e6, ...machine(seconds), peakRss: r?.peakRssBytes ?? 0 };
}

/** Raw upload: a share of one file, random bytes PUT as its parts (3 at once) with the owner token, then finalized. */
export async function rawUpload(base: string, size: number): Promise<{ share: RawShare; m: Measure }> {
  const client = new SealdropClient(base);
  const secret = generateLinkSecret();
  const keys = await deriveShareKeys(parseLinkSecret(secret), null);
  const ct = ciphertextSize(size);
  const created = await client.createShare({
    expiresIn: 3600,
    maxDownloads: 10,
    linkPub: b64uEncode(keys.linkPub),
    authPub: b64uEncode(keys.authPub),
    password: null,
    files: [{ size: ct }],
  });
  const { id, ownerToken, partBytes } = created;
  const block = new Uint8Array(randomBytes(partBytes));
  const parts = Math.max(1, Math.ceil(ct / partBytes));
  let next = 0;
  let retries = 0;
  const lane = async () => {
    for (let n = next++; n < parts; n = next++) {
      const body = block.subarray(0, Math.min(partBytes, ct - n * partBytes));
      // The clients' retry policy: a loaded local stack answers an occasional 503.
      await withRetry(() => client.putPart(id, ownerToken, 0, n, body), {
        onRetry: ({ error, attempt }) => {
          retries++;
          console.error(`  raw upload: part ${n} retry ${attempt} (${(error as Error).message})`);
        },
      });
    }
  };
  const r = await metered('self', () => Promise.all([lane(), lane(), lane()]));
  const manifest = { v: 1 as const, createdAt: new Date().toISOString(), files: [{ name: 'raw.bin', size, type: 'application/octet-stream', sha256: '0'.repeat(64) }] };
  await client.finalize(id, ownerToken, b64uEncode(await sealManifest(keys, id, manifest)));
  return { share: { id, ownerToken, keys }, m: { bytes: ct, ...r, retries } };
}

/** Raw download: a grant, then one plain GET of the file read to the end and dropped. */
export async function rawDownload(base: string, share: RawShare): Promise<Measure> {
  const client = new SealdropClient(base);
  const info = await client.shareInfo(share.id);
  const grant = await client.download(share.id, signAccess(share.keys, 'download', share.id, info.challenge));
  const r = await metered('self', async () => {
    const res = await client.file(share.id, 0, grant.grant);
    let n = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) n += chunk.length;
    return n;
  });
  await client.revoke(share.id, share.ownerToken).catch(() => {});
  return { bytes: r.value, ...r };
}

/** CLI processes now running, so a benchmark that stops early ends them too. */
export const runningClis = new Set<ChildProcess>();

/** The CLI as a user runs it; wall time from spawn to exit. */
async function cli(args: string[], opts: { env: Record<string, string>; input?: string; timeoutMs: number }) {
  let peak: ReturnType<typeof watchPeakRss> | null = null;
  let meter: Meter | null = null;
  const machine = machineWindow();
  const server = new Meter(workerdSpec).start();
  const t0 = performance.now();
  const child = spawnCli(args, { env: opts.env, input: opts.input });
  runningClis.add(child);
  child.once('exit', () => runningClis.delete(child));
  meter = new Meter(treeSpec(child.pid!)).start();
  peak = watchPeakRss(child);
  const out = collect(child, opts.timeoutMs);
  // Charge the CPU before the process is reaped: sample right at exit.
  child.once('exit', () => meter?.stop());
  const res = await out;
  const seconds = (performance.now() - t0) / 1000;
  const c = meter.stop();
  const s = server.stop();
  const used = machine(seconds);
  if (res.code !== 0) throw new Error(`sealdrop ${args[0]} failed (exit ${res.code}): ${res.stderr.slice(-2000)}`);
  return { res, seconds, clientCpu: c.cpuSeconds, serverCpu: s.cpuSeconds, ...used, peakRss: peak.peak() };
}

export async function cliSend(base: string, file: string, size: number, env: Record<string, string>, timeoutMs: number): Promise<{ url: string; m: Measure }> {
  const r = await cli(['send', file, '--server', base, '--json', '--quiet'], { env, timeoutMs });
  return { url: JSON.parse(r.res.stdout).url as string, m: { bytes: size, ...r } };
}

export async function cliReceive(url: string, outDir: string, name: string, size: number, env: Record<string, string>, timeoutMs: number): Promise<Measure> {
  const r = await cli(['receive', '-', '-o', outDir, '--quiet'], { env, input: url, timeoutMs });
  const got = (await stat(path.join(outDir, name))).size;
  if (got !== size) throw new Error(`CLI receive wrote ${got} of ${size} bytes`);
  await rm(outDir, { recursive: true, force: true });
  return { bytes: size, ...r };
}

/**
 * The page's own clock for click → link: from the click event on Send to the frame
 * that first draws the link. Playwright's click (actionability checks, CDP round
 * trips) and its polling for the link add 60-90 ms that no user waits for; the
 * small-send goal is judged on this figure, and the harness's wall time is printed beside it.
 */
function installSendClock(): void {
  const clock = { clicked: 0, shown: 0 };
  (globalThis as unknown as { sendClock: typeof clock }).sendClock = clock;
  document.addEventListener('click', (e) => {
    if (!clock.clicked && (e.target as Element | null)?.closest('.send-button')) clock.clicked = performance.now();
  }, true);
  const seen = new MutationObserver(() => {
    if (!document.querySelector('#send-link')) return;
    seen.disconnect();
    requestAnimationFrame((frame) => (clock.shown = frame));
  });
  seen.observe(document.body, { childList: true, subtree: true });
}

/** Browser send: the file picked on "/" (a disk-backed File, as a drop gives), then click → link shown. */
export async function browserSend(browser: Browser, base: string, file: string, size: number, timeoutMs: number): Promise<{ url: string; m: Measure; inPageSeconds: number }> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.getByTestId('send-files-input').setInputFiles(file);
    await page.locator('.send-file-list li').first().waitFor();
    await page.evaluate(installSendClock);
    const r = await metered(new Meter(chromiumSpec), async () => {
      await page.locator('.send-button').click();
      await page.locator('#send-link').waitFor({ state: 'visible', timeout: timeoutMs });
    });
    const clock = await page.evaluate(() => (globalThis as unknown as { sendClock: { clicked: number; shown: number } }).sendClock);
    const inPageSeconds = (clock.shown - clock.clicked) / 1000;
    return { url: await page.locator('#send-link').inputValue(), m: { bytes: size, ...r }, inPageSeconds };
  } finally {
    await context.close();
  }
}

/**
 * "Link open → first plaintext byte" in the page's own clock (seconds since the
 * navigation began): `firstByte` when the page learned the first plaintext bytes
 * were handed to the browser (the app's User Timing mark), `waitForClick` the
 * time between the Download button appearing and the click reaching the page,
 * which is the harness's (a person's) share, not the app's.
 */
export interface FirstByte {
  firstByte: number;
  waitForClick: number;
}

/**
 * Init script: notes (on window) when a button named `label` first appears. A
 * string, not a function: tsx would wrap the function's inner names in a helper
 * the page does not have.
 */
const watchButton = (label: string) => `{
  const label = ${JSON.stringify(label)};
  const seen = () => [...document.querySelectorAll('button')].some((b) => b.textContent.replace(/\\s+/g, ' ').trim() === label);
  const observer = new MutationObserver(() => {
    if (window.__buttonShown === undefined && seen()) {
      window.__buttonShown = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { childList: true, subtree: true, characterData: true });
}`;

async function readFirstByte(page: Page): Promise<FirstByte> {
  const t = await page.evaluate(([clickMark, firstMark]) => ({
    shown: (window as unknown as { __buttonShown?: number }).__buttonShown,
    click: performance.getEntriesByName(clickMark)[0]?.startTime,
    first: performance.getEntriesByName(firstMark)[0]?.startTime,
  }), [DOWNLOAD_CLICK_MARK, FIRST_PLAINTEXT_MARK]);
  if (t.shown === undefined || t.click === undefined || t.first === undefined) throw new Error(`the page did not mark the download (${JSON.stringify(t)})`);
  return { firstByte: t.first / 1000, waitForClick: (t.click - t.shown) / 1000 };
}

/**
 * Browser receive: open the link, click the file's download button, until the
 * download is saved and the page says it verified the SHA-256. `openToSaved` is
 * the time from opening the link to the saved file through Playwright (for a
 * small file, an upper bound of the first plaintext byte); `firstByte` that byte
 * in the page's own clock.
 */
export async function browserReceive(browser: Browser, url: string, name: string, size: number, timeoutMs: number): Promise<Measure & { openToSaved: number; firstByte: FirstByte }> {
  const context = await browser.newContext({ acceptDownloads: true });
  try {
    const page = await context.newPage();
    await page.addInitScript(watchButton(`Download ${name}`));
    const opened = performance.now();
    let saved = 0;
    const r = await metered(new Meter(chromiumSpec), async () => {
      await page.goto(url);
      const button = page.getByRole('button', { name: `Download ${name}`, exact: true });
      await button.waitFor({ timeout: 60_000 });
      const clicked = performance.now();
      const [d] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), button.click()]);
      const where = await d.path();
      saved = performance.now();
      const failure = await d.failure();
      if (failure) throw new Error(`browser download failed: ${failure}`);
      await page.getByText('SHA-256 verified').first().waitFor({ timeout: timeoutMs });
      const got = (await stat(where)).size;
      if (got !== size) throw new Error(`browser saved ${got} of ${size} bytes`);
      await d.delete();
      return clicked;
    });
    // MB/s counts from the click (the link's page load is not the transfer).
    const clicked = r.value;
    const seconds = r.seconds - (clicked - opened) / 1000;
    const firstByte = await readFirstByte(page);
    return { bytes: size, seconds, clientCpu: r.clientCpu, serverCpu: r.serverCpu, machineCpu: r.machineCpu, busyCores: r.busyCores, peakRss: r.peakRss, openToSaved: (saved - opened) / 1000, firstByte };
  } finally {
    await context.close();
  }
}
